package builtin

import (
	"context"
	"fmt"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/interlock-dev/interlock/experiments"
)

// Labels and annotations the injector puts on what it creates and changes.
const (
	// FaultLabel names the fault on every kwok Stage the injector creates.
	FaultLabel = "interlock.dev/fault"
	// RoleLabel says what a Stage does for its fault: mark, effect,
	// recover-pods or recover-nodes.
	RoleLabel = "interlock.dev/stage-role"
	// MarkerPrefix, followed by the fault's name, is the label on every pod,
	// node, secret and lease a fault changed. Its value is markerActive
	// while the fault lasts and markerRecovering while it is taken back.
	MarkerPrefix = "fault.interlock.dev/"
	// OriginalCertAnnotation holds a TLS secret's tls.crt (base64) from
	// before a TimeChaos re-issued it.
	OriginalCertAnnotation = "interlock.dev/original-tls.crt"
	// InjectedCertAnnotation holds the SHA-256 of the tls.crt a TimeChaos
	// wrote, so that Recover leaves a certificate renewed since untouched.
	InjectedCertAnnotation = "interlock.dev/injected-tls.crt-sha256"
	// HolderPrefix, followed by the fault's name, is the holder of a node
	// Lease taken by a heartbeat-loss fault.
	HolderPrefix = "interlock.dev/"
)

// Marker values.
const (
	markerActive = "true"
	// markerNudged is markerActive flipped, so that kwok looks at an object
	// again when a fault's stage was not yet loaded as the object was marked.
	markerNudged     = "nudged"
	markerRecovering = "recovering"
	// markerRecoveringAgain nudges kwok when an object did not recover: the
	// label changes, so kwok looks at the object again.
	markerRecoveringAgain = "recovering-again"
)

// Marker is the label key that marks what fault changed.
func Marker(fault string) string { return MarkerPrefix + fault }

// Defaults.
const (
	// CrashLoopPeriod is how often a crash-looping container crashes again,
	// raising its restart count by one.
	CrashLoopPeriod = 2 * time.Second
	// SettleTimeout bounds how long Inject waits for kwok to show a fault
	// on the objects it marked.
	SettleTimeout = 30 * time.Second
	// RecoverTimeout bounds how long Recover waits for a fault's pods and
	// nodes to come back before it falls back (pods are deleted, so that
	// their controllers replace them).
	RecoverTimeout = 90 * time.Second
)

// Injector applies a documented subset of the Chaos Mesh fault types, plus
// NodeChaos, to the embedded cluster through the API and kwok Stages. There
// is no kubelet and no real traffic there, so every fault is realized as
// the state a real kubelet and a real monitor would report:
//
//   - PodChaos pod-kill deletes the selected pods, with spec.gracePeriod.
//   - PodChaos pod-failure and container-kill put the selected pods in a
//     crash loop: the containers (all, or spec.containerNames) wait in
//     CrashLoopBackOff, their restart count rising by one every
//     CrashLoopPeriod; the pod is Running, Ready=False. Pods the workload
//     creates while the fault lasts inherit it. On Recover the pods run and
//     are Ready again, keeping their restart count.
//   - HTTPChaos (abort, or a 5xx response) is read against the target
//     container's HTTP readiness probe. If spec.path is the probe's path,
//     the readiness check lies: the pods report Ready=False while they
//     really serve. If it is another path, the workload really fails while
//     its readiness passes: nothing in the cluster shows it. With no path
//     (or a pattern that covers the probe's path) every request fails and
//     readiness shows it.
//   - TimeChaos skews the clock as certificates see it: each kubernetes.io/tls
//     Secret the selected pods mount is re-issued, self-signed with the
//     same key and names, its NotAfter spec.timeOffset earlier than the
//     original's; Recover restores the original.
//   - NodeChaos not-ready, heartbeat-loss, condition and flap act on nodes;
//     see experiments.NodeChaos.
//
// Every changed object carries the label Marker(fault), every Stage the
// label FaultLabel, so Recover and RecoverAll find them from the cluster
// alone.
type Injector struct {
	cs kubernetes.Interface
	dc dynamic.Interface
	// crashPeriod, settleTimeout and recoverTimeout are CrashLoopPeriod,
	// SettleTimeout and RecoverTimeout.
	crashPeriod    time.Duration
	settleTimeout  time.Duration
	recoverTimeout time.Duration
}

var _ experiments.Injector = (*Injector)(nil)

// New returns an injector that acts on the cluster cfg reaches. The cluster
// must serve kwok's Stage API, as the embedded cluster does.
func New(cfg *rest.Config) (*Injector, error) {
	cfg = rest.CopyConfig(cfg)
	if cfg.QPS == 0 {
		// client-go's default (5 per second) would throttle a fault over
		// many pods and Recover's waits.
		cfg.QPS, cfg.Burst = 50, 100
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("failed to create client: %w", err)
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("failed to create dynamic client: %w", err)
	}
	return &Injector{cs: cs, dc: dc, crashPeriod: CrashLoopPeriod, settleTimeout: SettleTimeout, recoverTimeout: RecoverTimeout}, nil
}

// Name implements experiments.Injector.
func (i *Injector) Name() string { return Name }

// Inject applies f, after Validate accepted it, and returns once kwok shows
// the fault on the objects it chose (the crash loop, the unready pods, the
// node condition); a heartbeat loss shows only after the node lifecycle
// controller's grace period, which Inject does not wait for. If it fails
// part way, whatever it applied is recovered before it returns.
func (i *Injector) Inject(ctx context.Context, f experiments.Fault) (experiments.Effect, error) {
	if errs := i.Validate(f, field.NewPath("fault")); len(errs) > 0 {
		return experiments.Effect{}, fmt.Errorf("failed to inject fault %q: %w", f.Name, errs.ToAggregate())
	}
	fp, err := i.footprint(ctx, f.Name)
	if err != nil {
		return experiments.Effect{}, fmt.Errorf("failed to inject fault %q: %w", f.Name, err)
	}
	if !fp.empty() {
		return experiments.Effect{}, fmt.Errorf("failed to inject fault %q: it is already in the cluster (%s); recover it first", f.Name, fp)
	}
	var eff experiments.Effect
	switch o := f.Object.(type) {
	case *chaosv1alpha1.PodChaos:
		eff, err = i.injectPodChaos(ctx, f.Name, o)
	case *chaosv1alpha1.HTTPChaos:
		eff, err = i.injectHTTPChaos(ctx, f.Name, o)
	case *chaosv1alpha1.TimeChaos:
		eff, err = i.injectTimeChaos(ctx, f.Name, o)
	case *experiments.NodeChaos:
		eff, err = i.injectNodeChaos(ctx, f.Name, o)
	}
	if err != nil {
		// Take back what was applied; the caller's context may be done.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), i.recoverTimeout)
		defer cancel()
		if rerr := i.recover(rctx, f.Name); rerr != nil {
			err = fmt.Errorf("%w (and recovering what was applied also failed: %w)", err, rerr)
		}
		return experiments.Effect{}, fmt.Errorf("failed to inject fault %q: %w", f.Name, err)
	}
	return eff, nil
}
