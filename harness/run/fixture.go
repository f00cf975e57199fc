package run

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/harness/workload"
	"github.com/interlock-dev/interlock/internal/kube"
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

// waitFixture waits until every fixture workload has its replicas Ready,
// as the harness's own pod watch shows them (not as the controllers'
// status says: a controller manager that falls behind under load would
// hold the run), telling how far it is every few seconds when that takes
// long.
func (r *runner) waitFixture(ctx context.Context) error {
	want := map[string]int{}
	for _, w := range r.opts.Scenario.Spec.Fixture.Expand() {
		want[w.Namespace+"/"+w.Name] = int(w.Replicas)
	}
	best, gained := -1, time.Now()
	nextSay := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := r.samp.err(); err != nil {
			return fmt.Errorf("fixture workloads cannot be watched: %w", err)
		}
		pods, err := r.samp.pods.List(labels.Everything())
		if err != nil {
			return fmt.Errorf("failed to list the fixture's pods: %w", err)
		}
		avail, total, done := fixtureReady(pods, want)
		now := time.Now()
		switch {
		case done:
			return nil
		case avail > best:
			best, gained = avail, now
		case now.Sub(gained) > fixtureStall:
			nodes, _ := r.samp.nodes.List(labels.Everything())
			return fmt.Errorf("fixture workloads never became available: %d of %d pods Ready, none more for %s; %s", avail, total, fixtureStall, fixtureShortfall(pods, nodes, want))
		}
		if now.After(nextSay) {
			fmt.Fprintf(r.opts.Progress, "[%s] Fixture: %d of %d pods Ready\n", offset(now.Sub(r.sc.StartedAt)), avail, total)
			nextSay = now.Add(5 * time.Second)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("interrupted while waiting for the fixture: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// fixtureReady counts the Ready pods of the fixture workloads in want
// (namespace/name to replicas; a workload's pods carry app=NAME), each
// counted up to its replicas, and reports whether every workload has them
// all. A pod on its way out does not count.
func fixtureReady(pods []*corev1.Pod, want map[string]int) (ready, total int, done bool) {
	have := map[string]int{}
	for _, p := range pods {
		key := p.Namespace + "/" + p.Labels[scenarios.AppLabel]
		if _, ok := want[key]; ok && p.DeletionTimestamp == nil && kube.PodReady(p) {
			have[key]++
		}
	}
	done = true
	for key, n := range want {
		total += n
		ready += min(have[key], n)
		done = done && have[key] >= n
	}
	return ready, total, done
}

// fixtureShortfall says why the fixture's pods in want are not all Ready:
// how many are not there, not scheduled, scheduled but not running, or
// running but not Ready, and how many nodes are not Ready (the controller
// manager marks the pods of a node it deems lost not Ready, and on a
// simulated node nothing makes them Ready again).
func fixtureShortfall(pods []*corev1.Pod, nodes []*corev1.Node, want map[string]int) string {
	var exist, unscheduled, starting, notReady, total int
	for _, p := range pods {
		if _, ok := want[p.Namespace+"/"+p.Labels[scenarios.AppLabel]]; !ok || p.DeletionTimestamp != nil {
			continue
		}
		exist++
		switch {
		case p.Spec.NodeName == "":
			unscheduled++
		case p.Status.Phase != corev1.PodRunning:
			starting++
		case !kube.PodReady(p):
			notReady++
		}
	}
	for _, n := range want {
		total += n
	}
	lost := 0
	for _, n := range nodes {
		if !kube.NodeReady(n) {
			lost++
		}
	}
	return fmt.Sprintf("%d pod(s) not created, %d not scheduled, %d scheduled and not running, %d running and not Ready; %d of %d node(s) not Ready",
		max(0, total-exist), unscheduled, starting, notReady, lost, len(nodes))
}
