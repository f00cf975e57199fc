package run

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/harness/workload"
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

// end records that the fault was recovered at t.
func (in *injected) end(t time.Time) {
	in.window.End, in.window.Recovered = t, true
	in.effect.End = t
}

// timeline is the scenario's timeline as play carries it out.
type timeline struct {
	r   *runner
	inj Injector
	rem *remediatorProc
	led *ledger.Ledger
	// What is still to come.
	pending   []experiments.Fault
	remFaults []scenarios.RemediatorFault
	rollouts  []rollout
	ends      []faultEnd
	// What happened.
	active    []*injected
	overloads map[string]*injected // by fault name, while in
	snaps     []observe.Sample
	hpas      *workload.Autoscalers
	// seenActions is how many actions the progress line last told of.
	seenActions int
	actions     *actionCounter
	nextScrape  time.Time
	// nextTick is when the next "0:45 / 1:40" line is due.
	nextTick time.Time
}

// tickEvery is how often a run says how far along its timeline it is.
const tickEvery = 15 * time.Second

// play runs the scenario's timeline: faults in and out, remediator faults,
// loads, truth sampled, until the duration ends.
func (r *runner) play(ctx context.Context, inj Injector, rem *remediatorProc, led *ledger.Ledger) ([]*injected, []observe.Sample, error) {
	s := r.opts.Scenario
	t := &timeline{r: r, inj: inj, rem: rem, led: led, pending: slices.Clone(s.Faults()),
		remFaults: slices.Clone(s.Spec.RemediatorFaults), rollouts: pendingRollouts(s),
		overloads: map[string]*injected{}, nextScrape: time.Now().Add(scrapeEvery), nextTick: time.Now().Add(tickEvery),
		actions: newActionCounter(s, r.sc.Identity)}
	if workload.NeedsMetrics(s) {
		t.hpas = workload.NewAutoscalers()
	}
	deadline := r.start.Add(s.Spec.Duration.Duration)
	tick := time.NewTicker(r.opts.SampleEvery)
	defer tick.Stop()
	for {
		if err := t.step(ctx, time.Now()); err != nil {
			return nil, nil, err
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
	if t.hpas != nil {
		for _, line := range t.hpas.Summary() {
			r.progress(scorecard.EventProgress, "%s", line)
		}
	}
	return t.active, t.snaps, nil
}

// step does what is due at now, then samples the cluster.
func (t *timeline) step(ctx context.Context, now time.Time) error {
	elapsed := now.Sub(t.r.start)
	for _, ro := range takeDue(&t.rollouts, func(ro rollout) bool { return elapsed >= ro.At.Duration }) {
		if err := t.r.rollout(ctx, ro); err != nil {
			return err
		}
	}
	if err := t.faults(ctx, now, elapsed); err != nil {
		return err
	}
	if err := t.remediatorFaults(ctx, now, elapsed); err != nil {
		return err
	}
	return t.observe(ctx, now)
}

// faults puts in the faults due now and takes out those whose time is up.
func (t *timeline) faults(ctx context.Context, now time.Time, elapsed time.Duration) error {
	for _, f := range takeDue(&t.pending, func(f experiments.Fault) bool { return elapsed >= f.At }) {
		eff, err := t.inj.Inject(ctx, f)
		if err != nil {
			return fmt.Errorf("failed to inject fault %s: %w", f.Name, err)
		}
		t.active = append(t.active, newInjected(f, experiments.FieldName(f.Object), eff, now))
		t.r.progress(scorecard.EventFault, "Fault %s injected: %s", f.Name, eff.Description)
	}
	duration := t.r.opts.Scenario.Spec.Duration.Duration
	for _, in := range t.active {
		// A fault that lasts to the end of the run is recovered at
		// teardown, after the remediator stops, so that the remediator is
		// never graded on the harness's own clean-up.
		lastsToEnd := in.fault.At+in.fault.For >= duration
		if in.fault.For > 0 && !lastsToEnd && in.window.End.IsZero() && now.Sub(in.window.Start) >= in.fault.For {
			if err := t.inj.Recover(ctx, in.fault); err != nil {
				return fmt.Errorf("failed to recover fault %s: %w", in.fault.Name, err)
			}
			in.end(now)
			t.r.progress(scorecard.EventRecover, "Fault %s recovered", in.fault.Name)
		}
	}
	return nil
}

// remediatorFaults carries out the faults aimed at the remediator that are
// due, and the ends of those that last.
func (t *timeline) remediatorFaults(ctx context.Context, now time.Time, elapsed time.Duration) error {
	for _, rf := range takeDue(&t.remFaults, func(rf scenarios.RemediatorFault) bool {
		return !t.r.opts.NoRemediator && elapsed >= rf.At.Duration
	}) {
		t.r.ob.scrape(ctx)
		end, err := t.r.remediatorFault(ctx, t.rem, rf)
		if err != nil {
			return err
		}
		if end != nil {
			t.ends = append(t.ends, *end)
		}
	}
	for _, e := range takeDue(&t.ends, func(e faultEnd) bool { return !now.Before(e.at) }) {
		if err := e.do(ctx); err != nil {
			return err
		}
	}
	return nil
}

// observe samples the cluster, plays the loads on the sample, follows the
// autoscalers, and reads the remediator's metrics when that is due.
func (t *timeline) observe(ctx context.Context, now time.Time) error {
	snap, err := t.r.sample(ctx)
	if err != nil {
		return err
	}
	t.snaps = append(t.snaps, snap)
	changes, err := t.r.loads.Play(ctx, t.r.workloadEnv(t.inj), snap, t.r.start)
	for _, c := range changes {
		if c.Started {
			in := newInjected(c.Fault, "Overload", c.Effect, c.At)
			t.overloads[c.Fault.Name] = in
			t.active = append(t.active, in)
		} else if in := t.overloads[c.Fault.Name]; in != nil {
			in.end(c.At)
			delete(t.overloads, c.Fault.Name)
		}
	}
	if err != nil {
		return err
	}
	if t.hpas != nil {
		if list, err := workload.ListAutoscalers(ctx, t.r.admin); err == nil {
			t.hpas.Observe(list, t.r.progress)
		}
	}
	if n := t.actions.count(t.led); n > t.seenActions {
		t.r.progress(scorecard.EventAction, "Remediator actions seen in the audit log: %d", n)
		t.seenActions = n
	}
	if !t.r.opts.NoRemediator && !now.Before(t.nextScrape) {
		t.r.ob.scrape(ctx)
		t.nextScrape = now.Add(scrapeEvery)
	}
	if !now.Before(t.nextTick) {
		t.tick(now)
		t.nextTick = now.Add(tickEvery)
	}
	return nil
}

// tick tells how far along the timeline the run is, on the progress only:
// "[+0:57] 0:45 / 1:40 of the scenario; 3 action(s) so far, 1 fault in".
func (t *timeline) tick(now time.Time) {
	in := 0
	for _, f := range t.active {
		if f.window.End.IsZero() {
			in++
		}
	}
	fmt.Fprintf(t.r.opts.Progress, "[%s] %s / %s of the scenario; %d action(s) so far, %d fault(s) in\n",
		offset(now.Sub(t.r.sc.StartedAt)), strings.TrimPrefix(offset(now.Sub(t.r.start)), "+"),
		strings.TrimPrefix(offset(t.r.opts.Scenario.Spec.Duration.Duration), "+"), t.seenActions, in)
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
func (r *runner) rollout(ctx context.Context, ro rollout) error {
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

// sample is the cluster as the run's watches show it now.
func (r *runner) sample(context.Context) (observe.Sample, error) {
	return r.samp.sample(time.Now())
}

// faultEnd is the end of a remediator fault that lasts a while.
type faultEnd struct {
	at time.Time
	do func(context.Context) error
}

// remediatorFault carries out a fault aimed at the remediator itself, and
// returns its end when it has one to carry out later.
func (r *runner) remediatorFault(ctx context.Context, p *remediatorProc, rf scenarios.RemediatorFault) (*faultEnd, error) {
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
