package scale

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"golang.org/x/sync/errgroup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/scenarios"
)

// sampleTimeout bounds each step of one sample: the pod turning unhealthy,
// and the remediator's action after the trigger holds.
const sampleTimeout = 90 * time.Second

// Sample is one trigger → action.
type Sample struct {
	// Workload and Pod are the workload a fault hit and its pod that the
	// harness saw turn unhealthy.
	Workload, Pod string
	// Holds is when the trigger held, as the harness's watch saw it.
	Holds time.Time
	// Action is when the API server received the remediator's accepted
	// delete of the pod, from the audit log.
	Action time.Time
	// Intent is when the API server received the remediator's last write
	// of its Automation's status between Holds and Action: the action's
	// record, which the built-in writes before it acts. Zero if there was
	// none. With samples running at once it may be another sample's
	// record; it splits the latency, it does not grade it.
	Intent time.Time `json:",omitzero"`
}

// Latency is the time from the trigger holding to the action.
func (s Sample) Latency() time.Duration { return s.Action.Sub(s.Holds) }

// Split divides the latency at the intent write: the time to decide (the
// reconcile, its reads and the policy) and the time to act (the write's
// round trip and the delete's). ok is false without an intent write.
func (s Sample) Split() (decide, act time.Duration, ok bool) {
	if s.Intent.IsZero() {
		return 0, 0, false
	}
	return s.Intent.Sub(s.Holds), s.Action.Sub(s.Intent), true
}

// Injector is the part of the builtin injector the trigger load uses.
type Injector interface {
	Inject(ctx context.Context, f experiments.Fault) (experiments.Effect, error)
	Recover(ctx context.Context, f experiments.Fault) error
}

// Load is a trigger load: pods made unhealthy one workload at a time, as
// the pod-failure fault does, each followed to the remediator's action.
type Load struct {
	// Injector makes the pods unhealthy. Required.
	Injector Injector
	// Watch is the harness's watch of the pods. Required.
	Watch *Watch
	// Actions are the remediator's actions in the audit log. Required.
	Actions *Actions
	// Workloads is how many workloads the fixture has. Required.
	Workloads int
	// Concurrency is how many samples run at once. Defaults to 1.
	Concurrency int
	// First numbers the first sample: faults are named bench-N from it, so
	// that loads run one after another never reuse a name.
	First int
	// Progress, if set, is called after each sample with the count so far.
	Progress func(done int, s Sample)
}

// podFailure is a pod-failure fault on one pod of workload app.
func podFailure(name, app string) experiments.Fault {
	return experiments.Fault{Name: name, Object: &chaosv1alpha1.PodChaos{
		ObjectMeta: metav1.ObjectMeta{Namespace: Namespace},
		Spec: chaosv1alpha1.PodChaosSpec{
			Action: chaosv1alpha1.PodFailureAction,
			ContainerSelector: chaosv1alpha1.ContainerSelector{PodSelector: chaosv1alpha1.PodSelector{
				Mode: chaosv1alpha1.OneMode,
				Selector: chaosv1alpha1.PodSelectorSpec{GenericSelectorSpec: chaosv1alpha1.GenericSelectorSpec{
					Namespaces:     []string{Namespace},
					LabelSelectors: map[string]string{scenarios.AppLabel: app},
				}},
			}},
		},
	}}
}

// Run takes n samples, spread over the workloads, and returns them in the
// order they were taken.
func (l *Load) Run(ctx context.Context, n int) ([]Sample, error) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, l.Concurrency))
	var mu sync.Mutex
	var out []Sample
	stride := max(1, l.Workloads/max(1, n))
	for i := range n {
		g.Go(func() error {
			s, err := l.one(gctx, l.First+i, WorkloadName((i*stride+l.First)%l.Workloads))
			if err != nil {
				return err
			}
			mu.Lock()
			out = append(out, s)
			done := len(out)
			mu.Unlock()
			if l.Progress != nil {
				l.Progress(done, s)
			}
			return nil
		})
	}
	err := g.Wait()
	return out, err
}

// one makes one pod of workload app unhealthy, waits for the remediator's
// action on it, and recovers the fault.
func (l *Load) one(ctx context.Context, i int, app string) (s Sample, err error) {
	f := podFailure(fmt.Sprintf("bench-%d", i), app)
	seen := l.Watch.Expect(app)
	if _, err := l.Injector.Inject(ctx, f); err != nil {
		return s, err
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		err = errors.Join(err, l.Injector.Recover(rctx, f))
	}()
	var u Unhealthy
	select {
	case u = <-seen:
	case <-time.After(sampleTimeout):
		return s, fmt.Errorf("no pod of %s turned unhealthy within %s of fault %s", app, sampleTimeout, f.Name)
	case <-ctx.Done():
		return s, ctx.Err()
	}
	if late, ok := u.Late(Hold); ok {
		return s, fmt.Errorf("the harness's watch saw pod %s turn unhealthy %s after its trigger held: the watch is behind the API server, so the sample cannot be timed", u.Pod, late.Round(time.Millisecond))
	}
	at, err := l.Actions.Await(ctx, u.Pod, sampleTimeout)
	if err != nil {
		return s, err
	}
	holds := u.Holds(Hold)
	return Sample{Workload: app, Pod: u.Pod, Holds: holds, Action: at, Intent: l.Actions.StatusWrite(holds, at)}, nil
}

// Actions follows the remediator's writes in the audit log: it counts them
// and says when each pod was deleted.
type Actions struct {
	led *ledger.Ledger

	mu      sync.Mutex
	times   []time.Time
	status  []time.Time
	deletes map[string]time.Time
	waiters map[string]chan time.Time
}

// FollowActions follows the remediator's writes (those of user) in the
// audit log at path until ctx ends.
func FollowActions(ctx context.Context, path, user string) (*Actions, error) {
	led, err := ledger.StartWithOptions(ctx, path, user, ledger.Options{PollInterval: 20 * time.Millisecond})
	if err != nil {
		return nil, err
	}
	a := &Actions{led: led, deletes: map[string]time.Time{}, waiters: map[string]chan time.Time{}}
	go a.follow(ctx)
	return a, nil
}

func (a *Actions) follow(ctx context.Context) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	defer a.led.Stop()
	from := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		got, n := a.led.Arrived(from)
		from = n
		a.mu.Lock()
		for _, e := range got {
			a.times = append(a.times, e.Time)
			if e.Resource == "automations" && e.Subresource == "status" && e.Code >= 200 && e.Code <= 299 {
				a.status = append(a.status, e.Time)
			}
			if e.Verb != "delete" || e.Resource != "pods" || e.Subresource != "" || e.Namespace != Namespace || e.Code < 200 || e.Code > 299 {
				continue
			}
			if _, ok := a.deletes[e.Name]; ok {
				continue
			}
			a.deletes[e.Name] = e.Time
			if ch, ok := a.waiters[e.Name]; ok {
				ch <- e.Time
				delete(a.waiters, e.Name)
			}
		}
		a.mu.Unlock()
	}
}

// Await waits, at most limit, for the remediator's accepted delete of pod,
// and returns when the API server received it.
func (a *Actions) Await(ctx context.Context, pod string, limit time.Duration) (time.Time, error) {
	a.mu.Lock()
	if at, ok := a.deletes[pod]; ok {
		a.mu.Unlock()
		return at, nil
	}
	ch := make(chan time.Time, 1)
	a.waiters[pod] = ch
	a.mu.Unlock()
	select {
	case at := <-ch:
		return at, nil
	case <-time.After(limit):
		return time.Time{}, fmt.Errorf("the remediator did not delete pod %s/%s within %s (ledger: %v)", Namespace, pod, limit, a.led.Err())
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
}

// StatusWrite is when the API server received the remediator's last
// accepted write of an Automation's status in [from, to]; zero if none.
func (a *Actions) StatusWrite(from, to time.Time) time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	var last time.Time
	for _, t := range a.status {
		if !t.Before(from) && !t.After(to) && t.After(last) {
			last = t
		}
	}
	return last
}

// Writes counts the remediator's writes the API server received in
// [from, to).
func (a *Actions) Writes(from, to time.Time) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, t := range a.times {
		if !t.Before(from) && t.Before(to) {
			n++
		}
	}
	return n
}
