package run

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/harness/workload"
	"github.com/interlock-dev/interlock/scenarios"
)

// fixture creates the scenario's objects and waits for its workloads.
func (r *runner) fixture(ctx context.Context) error {
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
	if err := r.waitFixture(ctx); err != nil {
		return err
	}
	if workload.NeedsMetrics(r.opts.Scenario) {
		return workload.Settle(ctx, r.workloadEnv(nil), r.loads, r.opts.SampleEvery, r.sample)
	}
	return nil
}

// workloadEnv is what the loads need of the run.
func (r *runner) workloadEnv(inj experiments.Injector) workload.Env {
	return workload.Env{Client: r.admin, Injector: inj, Progress: r.progress}
}

// fixtureStall is how long the fixture may go without one more pod becoming
// available before the run gives up on it: a big fixture takes long to come
// up, a stuck one stops gaining.
const fixtureStall = 2 * time.Minute

// waitFixture waits until every fixture Deployment has its replicas
// available, telling how far it is every few seconds when that takes long.
func (r *runner) waitFixture(ctx context.Context) error {
	want := map[string]bool{}
	for _, w := range r.opts.Scenario.Spec.Fixture.Expand() {
		want[w.Namespace+"/"+w.Name] = true
	}
	best, gained := -1, time.Now()
	nextSay := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := r.samp.err(); err != nil {
			return fmt.Errorf("fixture workloads cannot be watched: %w", err)
		}
		avail, total, done := r.fixtureAvailable(want)
		now := time.Now()
		switch {
		case done:
			return nil
		case avail > best:
			best, gained = avail, now
		case now.Sub(gained) > fixtureStall:
			return fmt.Errorf("fixture workloads never became available: %d of %d pods available, none more for %s", avail, total, fixtureStall)
		}
		if now.After(nextSay) {
			fmt.Fprintf(r.opts.Progress, "[%s] Fixture: %d of %d pods available\n", offset(now.Sub(r.sc.StartedAt)), avail, total)
			nextSay = now.Add(5 * time.Second)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("interrupted while waiting for the fixture: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// fixtureAvailable counts the available pods of the fixture Deployments
// named in want (namespace/name) against their replicas, and reports
// whether every one of them is listed and fully available.
func (r *runner) fixtureAvailable(want map[string]bool) (avail, total int, done bool) {
	deps, err := r.samp.deps.List(labels.Everything())
	if err != nil {
		return 0, 0, false
	}
	seen := 0
	done = true
	for _, d := range deps {
		if !want[d.Namespace+"/"+d.Name] || d.Spec.Replicas == nil {
			continue
		}
		seen++
		n := int(*d.Spec.Replicas)
		total += n
		avail += min(int(d.Status.AvailableReplicas), n)
		done = done && int(d.Status.AvailableReplicas) >= n
	}
	return avail, total, done && seen == len(want)
}
