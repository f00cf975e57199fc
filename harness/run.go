package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/builtin"
	"github.com/interlock-dev/interlock/experiments/chaosmesh"
	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/pages"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/harness/setup"
	"github.com/interlock-dev/interlock/harness/staleview"
	"github.com/interlock-dev/interlock/remediator"
	"github.com/interlock-dev/interlock/scenarios"
)

// RemediatorNamespace holds the remediator's identity and its Automations.
const RemediatorNamespace = "interlock-system"

// RemediatorAccount is the remediator's ServiceAccount.
const RemediatorAccount = "remediator"

// Options configure one run.
type Options struct {
	// Scenario is the scenario to run. Required.
	Scenario *scenarios.Scenario
	// Provider brings the cluster up and down. Required.
	Provider cluster.Provider
	// ProviderName names the provider in the scorecard: "embedded" or
	// "kind". Defaults to "embedded".
	ProviderName string
	// Injector names the fault injector: "builtin" (kwok Stages and the
	// API, for the embedded cluster) or "chaosmesh" (Chaos Mesh objects,
	// for a cluster that runs Chaos Mesh). Defaults to "builtin".
	Injector string
	// RemediatorCmd runs a remediator other than the built-in one, through
	// sh -c, with KUBECONFIG, INTERLOCK_PAGE_URL and INTERLOCK_METRICS_ADDR
	// set. Empty runs the built-in remediator.
	RemediatorCmd string
	// Interlock is the interlock binary that runs the built-in remediator.
	// Defaults to this process's executable.
	Interlock string
	// NoRemediator runs the scenario with remediation off: the baseline.
	NoRemediator bool
	// Baseline is the scorecard of the same scenario run with remediation
	// off. When set, the run is also graded on doing no harm.
	Baseline *scorecard.Scorecard
	// Progress receives one line per step. Defaults to io.Discard.
	Progress io.Writer
	// WorkDir keeps the run's files (kubeconfigs, the remediator's log).
	// Defaults to a temporary directory removed at the end.
	WorkDir string
	// SampleEvery is how often truth is sampled. Defaults to 500ms.
	SampleEvery time.Duration
}

// Run runs the scenario once on a fresh cluster and grades it. The cluster,
// every injected fault and the remediator process are gone when it returns,
// whether the run passed, failed, errored or was interrupted. An error means
// the run could not be carried out; the scorecard then says so too.
func Run(ctx context.Context, opts Options) (*scorecard.Scorecard, error) {
	r := &run{opts: opts, sc: &scorecard.Scorecard{Scenario: opts.Scenario.Name(), Description: opts.Scenario.Spec.Description, Provider: opts.ProviderName}}
	if r.sc.Provider == "" {
		r.sc.Provider = "embedded"
	}
	if r.opts.Progress == nil {
		r.opts.Progress = io.Discard
	}
	if r.opts.SampleEvery == 0 {
		r.opts.SampleEvery = 500 * time.Millisecond
	}
	r.sc.Remediator = "built-in"
	if opts.RemediatorCmd != "" {
		r.sc.Remediator = opts.RemediatorCmd
	}
	r.sc.Baseline = opts.NoRemediator
	err := r.do(ctx)
	r.sc.DurationSeconds = time.Since(r.sc.StartedAt).Seconds()
	if err != nil {
		r.sc.Error = err.Error()
	}
	r.sc.Finalize()
	return r.sc, err
}

type run struct {
	opts  Options
	sc    *scorecard.Scorecard
	cfg   *rest.Config
	admin client.Client
	start time.Time
	mu    sync.Mutex
	// stale is the proxy the remediator talks through when the scenario
	// makes its view stale; nil otherwise.
	stale *staleview.Proxy
	// loads are the scenario's loads as the run plays them.
	loads []*loadState
}

// hasStaleCache reports whether the scenario makes the remediator's view stale.
func hasStaleCache(s *scenarios.Scenario) bool {
	return slices.ContainsFunc(s.Spec.RemediatorFaults, func(f scenarios.RemediatorFault) bool {
		return f.Action == scenarios.RemediatorStaleCache
	})
}

func (r *run) progress(kind, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	now := time.Now()
	r.mu.Lock()
	r.sc.Timeline = append(r.sc.Timeline, scorecard.Event{Time: now, Kind: kind, Message: msg})
	r.mu.Unlock()
	offset := ""
	if !r.start.IsZero() {
		offset = fmt.Sprintf("[+%5.1fs] ", now.Sub(r.start).Seconds())
	}
	fmt.Fprintf(r.opts.Progress, "%s%s\n", offset, msg)
}

func (r *run) do(ctx context.Context) (err error) {
	s := r.opts.Scenario
	r.sc.StartedAt = time.Now()
	dir := r.opts.WorkDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "interlock-run-"); err != nil {
			return fmt.Errorf("failed to create work dir: %w", err)
		}
		defer os.RemoveAll(dir)
	}
	name := clusterName(s.Name())
	r.progress(scorecard.EventProgress, "Bringing up "+r.sc.Provider+" cluster %s with %d node(s)", name, s.Spec.Fixture.Nodes)
	c, err := r.opts.Provider.Up(ctx, cluster.UpOptions{Name: name, Nodes: s.Spec.Fixture.Nodes, Metrics: needsMetrics(s), Progress: io.Discard})
	if err != nil {
		return fmt.Errorf("cluster failure: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if derr := r.opts.Provider.Down(cctx, name); derr != nil {
			err = errors.Join(err, fmt.Errorf("failed to tear down cluster %s: %w", name, derr))
		} else {
			r.progress(scorecard.EventProgress, "Teardown: cluster %s removed", name)
		}
	}()
	r.cfg = c.Config
	if r.admin, err = client.New(c.Config, client.Options{Scheme: remediator.Scheme()}); err != nil {
		return fmt.Errorf("failed to create client: %w", err)
	}
	r.progress(scorecard.EventProgress, "Cluster up in %s", c.Elapsed.Round(100*time.Millisecond))

	if err := setup.InstallCRDs(ctx, c.Config); err != nil {
		return err
	}
	var rules []rbacv1.PolicyRule
	if r.opts.RemediatorCmd != "" {
		rules = s.Spec.RBAC
	}
	id, err := setup.Remediator(ctx, c.Config, RemediatorNamespace, RemediatorAccount, rules, 2*time.Hour)
	if err != nil {
		return err
	}
	r.sc.Identity = id.Username
	kubeconfig := id.Kubeconfig
	if hasStaleCache(s) && !r.opts.NoRemediator {
		// The remediator reaches the API server through a proxy that can
		// hold back its watch events.
		if r.stale, err = staleview.Start(id.Kubeconfig); err != nil {
			return err
		}
		defer r.stale.Close()
		if kubeconfig, err = r.stale.Kubeconfig(id.Kubeconfig); err != nil {
			return err
		}
	}
	kc := filepath.Join(dir, "remediator.kubeconfig")
	if err := os.WriteFile(kc, kubeconfig, 0o600); err != nil {
		return fmt.Errorf("failed to write kubeconfig: %w", err)
	}
	for _, d := range s.Spec.Load {
		r.loads = append(r.loads, &loadState{Demand: d})
	}
	if err := r.fixture(ctx); err != nil {
		return err
	}

	rcv, err := pages.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer rcv.Close()
	led, err := ledger.Start(ctx, c.AuditLog, id.Username)
	if err != nil {
		return fmt.Errorf("failed to read the audit log: %w", err)
	}
	defer led.Stop()

	inj, err := r.injector(c.Config)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if rerr := inj.RecoverAll(cctx); rerr != nil {
			err = errors.Join(err, fmt.Errorf("failed to recover faults: %w", rerr))
		}
	}()

	metricsAddr, err := freeAddr()
	if err != nil {
		return err
	}
	rem := &remediatorProc{r: r, kubeconfig: kc, pageURL: rcv.URL(), metricsAddr: metricsAddr, logPath: filepath.Join(dir, "remediator.log")}
	scraper := observe.NewScraper("http://" + metricsAddr + "/metrics")
	counters := map[string][]float64{}
	if !r.opts.NoRemediator {
		if err := rem.start(ctx); err != nil {
			return err
		}
		defer rem.stop()
		r.scrape(ctx, scraper, counters) // the counters' starting point
		r.progress(scorecard.EventProgress, "Remediator %s started as %s", r.sc.Remediator, id.Username)
	} else {
		r.progress(scorecard.EventProgress, "Baseline: no remediator runs")
	}

	r.start = time.Now()
	r.progress(scorecard.EventProgress, "Fixture ready; scenario %s runs for %s", s.Name(), s.Spec.Duration.Duration)
	truth, faults, snaps, err := r.play(ctx, inj, rem, led, scraper, counters)
	if err != nil {
		return err
	}
	end := time.Now()

	// Read the remediator's own account before it stops.
	if !r.opts.NoRemediator {
		r.scrape(ctx, scraper, counters)
	}
	halts := r.halts(ctx)
	r.remediatorEvents(ctx)
	rem.stop()
	r.progress(scorecard.EventRecover, "Recovering %d fault(s)", len(faults))
	for _, f := range faults {
		if err := inj.Recover(ctx, f.fault); err != nil {
			return fmt.Errorf("failed to recover fault %s: %w", f.fault.Name, err)
		}
	}
	// The audit log is flushed in batches: wait for the last of it.
	entries := r.settleLedger(ctx, led)
	r.sc.Ledger = entries
	for _, p := range rcv.Pages() {
		r.sc.Pages = append(r.sc.Pages, scorecard.Page{Time: p.ReceivedAt, Alert: p.Labels["alertname"], Labels: p.Labels, Summary: p.Annotations["summary"]})
	}
	for _, f := range faults {
		r.sc.Faults = append(r.sc.Faults, f.window)
	}
	for _, e := range ledger.Accepted(ledger.Actions(entries, actionFilter)) {
		truth.ClassifyAction(e)
	}
	r.sc.Truth = truth.Result()
	r.grade(entries, truth, snaps, halts, counters, end)
	return nil
}

// Injector applies a run's faults and takes them all back at teardown.
type Injector interface {
	experiments.Injector
	// RecoverAll takes back every fault the injector ever applied to the
	// cluster, also those of an interrupted run.
	RecoverAll(ctx context.Context) error
}

// The injectors Options.Injector names.
const (
	InjectorBuiltin   = "builtin"
	InjectorChaosMesh = "chaosmesh"
)

func (r *run) injector(cfg *rest.Config) (Injector, error) {
	switch r.opts.Injector {
	case "", InjectorBuiltin:
		return builtin.New(cfg)
	case InjectorChaosMesh:
		return chaosmesh.NewForConfig(cfg, chaosmesh.Options{})
	}
	return nil, fmt.Errorf("unknown injector %q: want %s or %s", r.opts.Injector, InjectorBuiltin, InjectorChaosMesh)
}

// clusterName names a run's cluster after its scenario, unique per run.
func clusterName(scenario string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	n := "run-" + scenario
	if len(n) > 34 {
		n = n[:34]
	}
	return strings.TrimSuffix(n, "-") + "-" + hex.EncodeToString(b)
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("failed to find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// fixture creates the scenario's objects and waits for its workloads.
func (r *run) fixture(ctx context.Context) error {
	objs, err := scenarios.Render(r.opts.Scenario)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if r.opts.NoRemediator {
			if _, ok := o.(*v1alpha1.Automation); ok {
				continue
			}
		}
		if err := r.admin.Create(ctx, o); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("failed to create %T %s: %w", o, o.GetName(), err)
		}
	}
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		var deps appsv1.DeploymentList
		if err := r.admin.List(ctx, &deps); err != nil {
			return false, nil
		}
		for _, d := range deps.Items {
			if d.Spec.Replicas != nil && d.Status.AvailableReplicas < *d.Spec.Replicas {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("fixture workloads never became available: %w", err)
	}
	if needsMetrics(r.opts.Scenario) {
		return r.settleAutoscalers(ctx)
	}
	return nil
}

type injected struct {
	fault  experiments.Fault
	window scorecard.FaultWindow
	effect observe.Effect
}

// play runs the scenario's timeline: faults in and out, remediator faults,
// truth sampled, until the duration ends.
func (r *run) play(ctx context.Context, inj Injector, rem *remediatorProc, led *ledger.Ledger, scraper *observe.Scraper, counters map[string][]float64) (*observe.Truth, []*injected, []snapshot, error) {
	s := r.opts.Scenario
	faults := s.Faults()
	var active []*injected
	var snaps []snapshot
	deadline := r.start.Add(s.Spec.Duration.Duration)
	tick := time.NewTicker(r.opts.SampleEvery)
	defer tick.Stop()
	pending := slices.Clone(faults)
	remFaults := slices.Clone(s.Spec.RemediatorFaults)
	rollouts := pendingRollouts(s)
	var hpas *autoscalers
	if needsMetrics(s) {
		hpas = newAutoscalers()
	}
	var ends []faultEnd
	seenActions := 0
	for {
		now := time.Now()
		elapsed := now.Sub(r.start)
		for _, ro := range takeDue(&rollouts, func(ro rollout) bool { return elapsed >= ro.At.Duration }) {
			if err := r.rollout(ctx, ro); err != nil {
				return nil, nil, nil, err
			}
		}
		// Faults due now go in; faults whose time is up come out.
		for _, f := range takeDue(&pending, func(f experiments.Fault) bool { return elapsed >= f.At }) {
			eff, err := inj.Inject(ctx, f)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("failed to inject fault %s: %w", f.Name, err)
			}
			active = append(active, newInjected(f, experiments.FieldName(f.Object), eff, now))
			r.progress(scorecard.EventFault, "Fault %s injected: %s", f.Name, eff.Description)
		}
		for _, in := range active {
			// A fault that lasts to the end of the run is recovered at
			// teardown, after the remediator stops, so that the remediator is
			// never graded on the harness's own clean-up.
			lastsToEnd := in.fault.At+in.fault.For >= s.Spec.Duration.Duration
			if in.fault.For > 0 && !lastsToEnd && in.window.End.IsZero() && now.Sub(in.window.Start) >= in.fault.For {
				if err := inj.Recover(ctx, in.fault); err != nil {
					return nil, nil, nil, fmt.Errorf("failed to recover fault %s: %w", in.fault.Name, err)
				}
				in.window.End, in.window.Recovered = now, true
				in.effect.End = now
				r.progress(scorecard.EventRecover, "Fault %s recovered", in.fault.Name)
			}
		}
		for _, rf := range takeDue(&remFaults, func(rf scenarios.RemediatorFault) bool {
			return !r.opts.NoRemediator && elapsed >= rf.At.Duration
		}) {
			r.scrape(ctx, scraper, counters)
			end, err := r.remediatorFault(ctx, rem, rf)
			if err != nil {
				return nil, nil, nil, err
			}
			if end != nil {
				ends = append(ends, *end)
			}
		}
		for _, e := range takeDue(&ends, func(e faultEnd) bool { return !now.Before(e.at) }) {
			if err := e.do(ctx); err != nil {
				return nil, nil, nil, err
			}
		}
		snap, err := r.sample(ctx)
		if err != nil {
			return nil, nil, nil, err
		}
		snaps = append(snaps, snap)
		if err := r.playLoads(ctx, inj, r.loads, snap, &active); err != nil {
			return nil, nil, nil, err
		}
		if hpas != nil {
			if list, err := r.listAutoscalers(ctx); err == nil {
				hpas.observe(r, list)
			}
		}
		if n := len(ledger.Accepted(ledger.Actions(led.Entries(), actionFilter))); n > seenActions {
			r.progress(scorecard.EventAction, "Remediator actions seen in the audit log: %d", n)
			seenActions = n
		}
		if !time.Now().Before(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, nil, nil, fmt.Errorf("interrupted: %w", ctx.Err())
		case <-tick.C:
		}
	}
	if hpas != nil {
		for _, line := range hpas.summary() {
			r.progress(scorecard.EventProgress, "%s", line)
		}
	}
	// Truth is judged once every fault's window is known, on every sample.
	var effects []observe.Effect
	for _, in := range active {
		effects = append(effects, in.effect)
	}
	truth := observe.NewTruth(effects)
	for _, sn := range snaps {
		truth.Observe(sn.at, sn.pods, sn.deps)
	}
	return truth, active, snaps, nil
}

// takeDue removes the items whose time has come from *items, keeping the
// order of the others, and returns them in their order.
func takeDue[T any](items *[]T, due func(T) bool) []T {
	var out []T
	*items = slices.DeleteFunc(*items, func(x T) bool {
		if due(x) {
			out = append(out, x)
			return true
		}
		return false
	})
	return out
}

// newInjected records a fault injected now with its effect, as the
// scorecard's fault window and as what truth judges the pods by.
func newInjected(f experiments.Fault, kind string, eff experiments.Effect, now time.Time) *injected {
	in := &injected{fault: f, window: scorecard.FaultWindow{Name: f.Name, Kind: kind, Target: eff.Description, Start: now}}
	in.effect = observe.Effect{Name: f.Name, Namespace: eff.Namespace, Selector: eff.Selector, Nodes: eff.Nodes,
		TrulyBroken: eff.TrulyBroken, LooksBroken: eff.LooksBroken, Start: now}
	if len(eff.Nodes) > 0 {
		// A node fault covers the pods on its nodes; truth reads Nodes
		// for that, and a selector would cover pods everywhere.
		in.effect.Selector = nil
	}
	return in
}

// rollout is a fixture rollout due during the run.
type rollout struct {
	scenarios.Rollout
	namespace, name string
}

func pendingRollouts(s *scenarios.Scenario) []rollout {
	var out []rollout
	for _, w := range s.Spec.Fixture.Workloads {
		for _, ro := range w.Rollouts {
			out = append(out, rollout{Rollout: ro, namespace: w.Namespace, name: w.Name})
		}
	}
	return out
}

// rollout rolls out a new revision of a fixture Deployment: its pod
// template gets the rollout's labels, and the Deployment controller replaces
// the pods as it would for a deploy.
func (r *run) rollout(ctx context.Context, ro rollout) error {
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var d appsv1.Deployment
		if err := r.admin.Get(ctx, client.ObjectKey{Namespace: ro.namespace, Name: ro.name}, &d); err != nil {
			return err
		}
		if d.Spec.Template.Labels == nil {
			d.Spec.Template.Labels = map[string]string{}
		}
		maps.Copy(d.Spec.Template.Labels, ro.Labels)
		return r.admin.Update(ctx, &d)
	})
	if err != nil {
		return fmt.Errorf("failed to roll out %s/%s: %w", ro.namespace, ro.name, err)
	}
	r.progress(scorecard.EventFault, "Rollout of %s/%s started: new revision with labels %s", ro.namespace, ro.name, labels.Set(ro.Labels))
	return nil
}

// snapshot is the pods, deployments and nodes as listed at one instant.
type snapshot struct {
	at    time.Time
	pods  []corev1.Pod
	deps  []appsv1.Deployment
	nodes []corev1.Node
}

// actionFilter picks the remediator's actions out of its ledger.
var actionFilter = ledger.Any(ledger.PodDeletions, ledger.PodEvictions, ledger.NodeCordons, ledger.DeploymentChanges)

// ActionCount is how many remediation actions the run's ledger holds: the
// accepted restarts, evictions, cordons, rollbacks and renewals, not the
// remediator's bookkeeping (its status updates, Events, proposals).
func ActionCount(sc *scorecard.Scorecard) int {
	return len(ledger.Accepted(ledger.Actions(sc.Ledger, ledger.Any(actionFilter, actionsOf[v1alpha1.CertificateExpiry]))))
}

// actionsOf is what counts as one action of each automation type in the
// ledger: a restart is a pod deletion; a node's drain is its cordon (the
// evictions that follow are part of it); a rollback is a Deployment change;
// a renewal is a Secret update.
var actionsOf = map[v1alpha1.AutomationType]ledger.Filter{
	v1alpha1.UnhealthyWorkload: ledger.PodDeletions,
	v1alpha1.NodeLoss:          ledger.NodeCordons,
	v1alpha1.DiskPressure:      ledger.NodeCordons,
	v1alpha1.BadDeploy:         ledger.DeploymentChanges,
	v1alpha1.CertificateExpiry: func(e scorecard.LedgerEntry) bool {
		return e.Resource == "secrets" && e.Subresource == "" && (e.Verb == "update" || e.Verb == "patch")
	},
}

func (r *run) sample(ctx context.Context) (snapshot, error) {
	var pods corev1.PodList
	if err := r.admin.List(ctx, &pods); err != nil {
		return snapshot{}, fmt.Errorf("failed to list pods: %w", err)
	}
	var deps appsv1.DeploymentList
	if err := r.admin.List(ctx, &deps); err != nil {
		return snapshot{}, fmt.Errorf("failed to list deployments: %w", err)
	}
	var nodes corev1.NodeList
	if err := r.admin.List(ctx, &nodes); err != nil {
		return snapshot{}, fmt.Errorf("failed to list nodes: %w", err)
	}
	return snapshot{at: time.Now(), pods: pods.Items, deps: deps.Items, nodes: nodes.Items}, nil
}

// scrape reads the action counters, per automation, from the remediator.
func (r *run) scrape(ctx context.Context, scraper *observe.Scraper, counters map[string][]float64) {
	for _, a := range r.opts.Scenario.Spec.Automations {
		v, err := scraper.Value(ctx, "interlock_remediator_actions_total", map[string]string{"automation": a.Name, "outcome": "succeeded"})
		if err == nil {
			counters[a.Name] = append(counters[a.Name], v)
		}
	}
}

// remediatorEvents adds the Events the remediator recorded about its
// automations (its decisions, refusals and halts, in its own words) to the
// timeline.
func (r *run) remediatorEvents(ctx context.Context) {
	var list eventsv1.EventList
	if err := r.admin.List(ctx, &list, client.InNamespace(RemediatorNamespace)); err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range list.Items {
		if e.Regarding.Kind != "Automation" {
			continue
		}
		at := e.EventTime.Time
		if at.IsZero() {
			at = e.DeprecatedLastTimestamp.Time
		}
		if at.IsZero() {
			at = e.CreationTimestamp.Time
		}
		r.sc.Timeline = append(r.sc.Timeline, scorecard.Event{Time: at, Kind: scorecard.EventDecision,
			Message: fmt.Sprintf("Automation %s: %s: %s", e.Regarding.Name, e.Reason, e.Note)})
	}
}

// halts reads when each automation halted, from its status.
func (r *run) halts(ctx context.Context) map[string]time.Time {
	out := map[string]time.Time{}
	var list v1alpha1.AutomationList
	if err := r.admin.List(ctx, &list, client.InNamespace(RemediatorNamespace)); err != nil {
		return out
	}
	for _, a := range list.Items {
		if c := meta.FindStatusCondition(a.Status.Conditions, v1alpha1.ConditionHalted); c != nil && c.Status == "True" {
			out[a.Name] = c.LastTransitionTime.Time
			r.mu.Lock()
			r.sc.Timeline = append(r.sc.Timeline, scorecard.Event{Time: c.LastTransitionTime.Time, Kind: scorecard.EventHalt, Message: fmt.Sprintf("Automation %s halted: %s", a.Name, c.Reason)})
			r.mu.Unlock()
		}
	}
	return out
}

// settleLedger waits until the audit log has caught up with the run.
func (r *run) settleLedger(ctx context.Context, led *ledger.Ledger) []scorecard.LedgerEntry {
	last := -1
	var entries []scorecard.LedgerEntry
	_ = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		entries = led.Entries()
		done := len(entries) == last
		last = len(entries)
		return done, nil
	})
	return entries
}

// grade compiles each automation's safety case into assertions and
// evaluates them on what was observed.
func (r *run) grade(entries []scorecard.LedgerEntry, truth *observe.Truth, snaps []snapshot, halts map[string]time.Time, counters map[string][]float64, end time.Time) {
	s := r.opts.Scenario
	actions := ledger.Actions(entries, actionFilter)
	workloads := map[string]string{}
	replicas := truth.Replicas()
	for _, e := range actions {
		if e.Resource == "nodes" {
			workloads[assert.TargetOf(e)] = "nodes"
			continue
		}
		if e.Resource == "deployments" {
			// A rollback's group is the Deployments of its namespace: the
			// share of them rolled back at once.
			g := "deployments in " + e.Namespace
			workloads[assert.TargetOf(e)] = g
			replicas[g] = deploymentsIn(snaps, e.Namespace)
			continue
		}
		if w, ok := truth.WorkloadOf(e.Namespace, e.Name); ok {
			workloads[assert.TargetOf(e)] = w
		}
	}
	nodes := s.Spec.Fixture.Nodes
	replicas["nodes"] = nodes
	var reversals []assert.Reversal
	for _, rv := range truth.Reversals() {
		if rv.Measured {
			reversals = append(reversals, assert.Reversal{AuditID: rv.Entry.AuditID, Reversed: rv.Reversed, Duration: rv.Duration})
		}
	}
	for _, a := range s.Spec.Automations {
		spec, err := s.SafetyCaseOf(a)
		if err != nil {
			r.sc.Assertions = append(r.sc.Assertions, scorecard.Assertion{Name: "safety-case", Verdict: scorecard.VerdictError, Evidence: err.Error(), Automation: a.Name})
			continue
		}
		r.sc.Budgets = append(r.sc.Budgets, scorecard.BudgetLine{Automation: a.Name, MaxActions: int(spec.Budget.MaxActions), WindowSeconds: spec.Budget.Window.Duration.Seconds()})
		if r.opts.NoRemediator {
			continue
		}
		checks := assert.Compile(a.Name, spec, a.Rung, assert.Options{Expect: assert.Expect(s.Spec.Expect)})
		obs := assert.Observation{
			Start: r.start, End: end, Identity: r.sc.Identity,
			Actions: ledger.Actions(entries, actionsOf[a.Type]), Faults: r.sc.Faults, Pages: r.sc.Pages, HaltedAt: halts[a.Name],
			Truth: r.sc.Truth, Reversals: reversals, Workloads: workloads, Replicas: replicas,
		}
		if b := r.opts.Baseline; b != nil {
			v := b.Truth.MeanAvailability
			obs.BaselineAvailability = &v
			r.sc.Comparison = &scorecard.Comparison{AvailabilityWithout: v, AvailabilityWith: r.sc.Truth.MeanAvailability}
		}
		if a.Type == v1alpha1.NodeLoss || a.Type == v1alpha1.DiskPressure {
			cordons, nodeReversals := nodeWrites(entries, snaps, nodeRecovered(a.Type))
			obs.Actions = cordons
			obs.Reversals = append(slices.Clone(reversals), nodeReversals...)
		}
		if rs := counters[a.Name]; len(rs) > 0 {
			v := observe.CounterIncrease(rs)
			obs.ActionCounter = &v
		} else {
			obs.MetricsError = "the remediator's /metrics could not be scraped"
		}
		r.sc.Assertions = append(r.sc.Assertions, assert.Evaluate(checks, obs)...)
	}
}

// remediatorProc is the remediator under test, run as its own process.
type remediatorProc struct {
	r           *run
	kubeconfig  string
	pageURL     string
	metricsAddr string
	logPath     string
	cmd         *exec.Cmd
	done        chan struct{}
}

func (p *remediatorProc) start(ctx context.Context) error {
	var cmd *exec.Cmd
	if p.r.opts.RemediatorCmd != "" {
		cmd = exec.Command("sh", "-c", p.r.opts.RemediatorCmd)
	} else {
		bin := p.r.opts.Interlock
		if bin == "" {
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("failed to find the interlock binary: %w", err)
			}
			bin = exe
		}
		cmd = exec.Command(bin, "remediator", "--kubeconfig", p.kubeconfig, "--metrics-addr", p.metricsAddr,
			"--page-url", p.pageURL, "--namespace", RemediatorNamespace)
	}
	cmd.Env = append(os.Environ(), "KUBECONFIG="+p.kubeconfig, "INTERLOCK_PAGE_URL="+p.pageURL, "INTERLOCK_METRICS_ADDR="+p.metricsAddr)
	// Its own process group, so that stopping it stops whatever it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	log, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("failed to open remediator log: %w", err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("failed to start the remediator: %w", err)
	}
	p.cmd, p.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); log.Close(); close(p.done) }()
	// Wait until its metrics answer: it is up.
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		select {
		case <-p.done:
			return false, fmt.Errorf("the remediator exited at start; the end of its log:\n%s", cluster.LogTail(p.logPath, 10))
		default:
		}
		conn, err := net.DialTimeout("tcp", p.metricsAddr, 100*time.Millisecond)
		if err != nil {
			return false, nil
		}
		conn.Close()
		return true, nil
	})
	if err != nil && p.r.opts.RemediatorCmd == "" {
		p.stop()
		return fmt.Errorf("the remediator did not come up: %w", err)
	}
	return nil
}

// stop ends the remediator's process group: SIGTERM, then SIGKILL.
func (p *remediatorProc) stop() {
	if p.cmd == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// faultEnd is the end of a remediator fault that lasts a while.
type faultEnd struct {
	at time.Time
	do func(context.Context) error
}

// remediatorFault carries out a fault aimed at the remediator itself, and
// returns its end when it has one to carry out later.
func (r *run) remediatorFault(ctx context.Context, p *remediatorProc, rf scenarios.RemediatorFault) (*faultEnd, error) {
	var lasts time.Duration
	if rf.For != nil {
		lasts = rf.For.Duration
	}
	switch rf.Action {
	case scenarios.RemediatorKill:
		r.progress(scorecard.EventFault, "Remediator fault: killed for good")
		p.kill()
	case scenarios.RemediatorKillRestart:
		r.progress(scorecard.EventFault, "Remediator fault: killed, restarting after %s", lasts)
		p.kill()
		restart := func(ctx context.Context) error {
			if err := p.start(ctx); err != nil {
				return err
			}
			r.progress(scorecard.EventProgress, "Remediator restarted")
			return nil
		}
		if lasts == 0 {
			return nil, restart(ctx)
		}
		return &faultEnd{at: time.Now().Add(lasts), do: restart}, nil
	case scenarios.RemediatorStaleCache:
		if r.stale == nil {
			return nil, errors.New("stale-cache: the remediator does not run through the proxy")
		}
		r.stale.SetLag(rf.Lag.Duration)
		r.progress(scorecard.EventFault, "Remediator fault: its view of the cluster now runs %s behind", rf.Lag.Duration)
		if lasts == 0 {
			return nil, nil
		}
		return &faultEnd{at: time.Now().Add(lasts), do: func(context.Context) error {
			r.stale.SetLag(0)
			r.progress(scorecard.EventRecover, "Remediator fault over: the held events are replayed (%d chunk(s) were held)", r.stale.Held())
			return nil
		}}, nil
	default:
		return nil, fmt.Errorf("remediator fault %q is not supported by this harness", rf.Action)
	}
	return nil, nil
}

// kill ends the remediator's process group at once.
func (p *remediatorProc) kill() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// deploymentsIn counts the Deployments in namespace, as last sampled.
func deploymentsIn(snaps []snapshot, namespace string) int {
	if len(snaps) == 0 {
		return 0
	}
	n := 0
	for _, d := range snaps[len(snaps)-1].deps {
		if d.Namespace == namespace {
			n++
		}
	}
	return n
}

// nodeRecovered is when a node no longer shows what the automation's
// trigger fires on: Ready for node-loss, no DiskPressure for disk-pressure.
func nodeRecovered(t v1alpha1.AutomationType) func(*corev1.Node) bool {
	if t == v1alpha1.DiskPressure {
		return func(n *corev1.Node) bool {
			for _, c := range n.Status.Conditions {
				if c.Type == corev1.NodeDiskPressure && c.Status == corev1.ConditionTrue {
					return false
				}
			}
			return true
		}
	}
	return cluster.NodeReady
}

// nodeWrites tells the remediator's cordons from its uncordons. The audit
// log records node writes without their bodies, so each write is judged by
// the node as the next snapshot shows it: unschedulable after a cordon. A
// cordon is reversed by the uncordon that follows it once the node has
// recovered (as recovered says); the reversal time runs from the node's
// recovery to the uncordon, as the node safety cases state it.
func nodeWrites(entries []scorecard.LedgerEntry, snaps []snapshot, recovered func(*corev1.Node) bool) ([]scorecard.LedgerEntry, []assert.Reversal) {
	writes := ledger.Accepted(ledger.Actions(entries, ledger.NodeCordons))
	nodeAt := func(name string, after time.Time) (*corev1.Node, time.Time, bool) {
		for i := range snaps {
			if !snaps[i].at.After(after) {
				continue
			}
			for j := range snaps[i].nodes {
				if snaps[i].nodes[j].Name == name {
					return &snaps[i].nodes[j], snaps[i].at, true
				}
			}
		}
		return nil, time.Time{}, false
	}
	var cordons, uncordons []scorecard.LedgerEntry
	for _, e := range writes {
		if n, _, ok := nodeAt(e.Name, e.Time); ok && !n.Spec.Unschedulable {
			uncordons = append(uncordons, e)
			continue
		}
		cordons = append(cordons, e)
	}
	var reversals []assert.Reversal
	for _, c := range cordons {
		readyAt := time.Time{}
		for i := range snaps {
			if !snaps[i].at.After(c.Time) {
				continue
			}
			for j := range snaps[i].nodes {
				if n := &snaps[i].nodes[j]; n.Name == c.Name && recovered(n) {
					readyAt = snaps[i].at
					break
				}
			}
			if !readyAt.IsZero() {
				break
			}
		}
		if readyAt.IsZero() {
			continue // the node never came back during the run: nothing to reverse yet
		}
		rv := assert.Reversal{AuditID: c.AuditID}
		for _, u := range uncordons {
			if u.Name == c.Name && u.Time.After(c.Time) {
				rv.Reversed, rv.Duration = true, max(0, u.Time.Sub(readyAt))
				break
			}
		}
		if !rv.Reversed {
			rv.Duration = snaps[len(snaps)-1].at.Sub(readyAt)
		}
		reversals = append(reversals, rv)
	}
	return cordons, reversals
}
