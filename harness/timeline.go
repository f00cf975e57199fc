package harness

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/scenarios"
)

// scrapeEvery is how often the remediator's metrics are read during a run,
// besides at its start, around each fault aimed at it, and at its end: often
// enough to see a counter reset by a restart.
const scrapeEvery = 5 * time.Second

// injected is one fault the run injected: what, its window, and its effect
// as truth judges the pods by.
type injected struct {
	fault  experiments.Fault
	window scorecard.FaultWindow
	effect observe.Effect
}

// play runs the scenario's timeline: faults in and out, remediator faults,
// truth sampled, until the duration ends.
func (r *run) play(ctx context.Context, inj Injector, rem *remediatorProc, led *ledger.Ledger, ob *observer) ([]*injected, []snapshot, error) {
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
	nextScrape := time.Now().Add(scrapeEvery)
	for {
		now := time.Now()
		elapsed := now.Sub(r.start)
		for _, ro := range takeDue(&rollouts, func(ro rollout) bool { return elapsed >= ro.At.Duration }) {
			if err := r.rollout(ctx, ro); err != nil {
				return nil, nil, err
			}
		}
		// Faults due now go in; faults whose time is up come out.
		for _, f := range takeDue(&pending, func(f experiments.Fault) bool { return elapsed >= f.At }) {
			eff, err := inj.Inject(ctx, f)
			if err != nil {
				return nil, nil, fmt.Errorf("failed to inject fault %s: %w", f.Name, err)
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
					return nil, nil, fmt.Errorf("failed to recover fault %s: %w", in.fault.Name, err)
				}
				in.window.End, in.window.Recovered = now, true
				in.effect.End = now
				r.progress(scorecard.EventRecover, "Fault %s recovered", in.fault.Name)
			}
		}
		for _, rf := range takeDue(&remFaults, func(rf scenarios.RemediatorFault) bool {
			return !r.opts.NoRemediator && elapsed >= rf.At.Duration
		}) {
			ob.scrape(ctx)
			end, err := r.remediatorFault(ctx, rem, rf)
			if err != nil {
				return nil, nil, err
			}
			if end != nil {
				ends = append(ends, *end)
			}
		}
		for _, e := range takeDue(&ends, func(e faultEnd) bool { return !now.Before(e.at) }) {
			if err := e.do(ctx); err != nil {
				return nil, nil, err
			}
		}
		snap, err := r.sample(ctx)
		if err != nil {
			return nil, nil, err
		}
		snaps = append(snaps, snap)
		if err := r.playLoads(ctx, inj, r.loads, snap, &active); err != nil {
			return nil, nil, err
		}
		if hpas != nil {
			if list, err := r.listAutoscalers(ctx); err == nil {
				hpas.observe(r, list)
			}
		}
		if n := r.countActions(led.Entries()); n > seenActions {
			r.progress(scorecard.EventAction, "Remediator actions seen in the audit log: %d", n)
			seenActions = n
		}
		if !r.opts.NoRemediator && !now.Before(nextScrape) {
			ob.scrape(ctx)
			nextScrape = now.Add(scrapeEvery)
		}
		if !time.Now().Before(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("interrupted: %w", ctx.Err())
		case <-tick.C:
		}
	}
	if hpas != nil {
		for _, line := range hpas.summary() {
			r.progress(scorecard.EventProgress, "%s", line)
		}
	}
	return active, snaps, nil
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
			// The new process's counters start again: read them before it
			// acts, so that the reset is seen whatever it counts next.
			p.awaitSeries(ctx, r.ob.scraper, automationNames(r.opts.Scenario), 30*time.Second)
			r.ob.scrape(ctx)
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
