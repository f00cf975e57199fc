package scale

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/kube"
	"github.com/interlock-dev/interlock/scenarios"
)

// Unhealthy is a pod the harness's watch saw turn unhealthy.
type Unhealthy struct {
	// Pod is the pod's name.
	Pod string
	// Seen is when the watch saw it unhealthy.
	Seen time.Time
	// Since is when it turned unhealthy as the API has it: its Ready
	// condition's last transition, stored to the second.
	Since time.Time
}

// Holds is when the trigger holds for the pod, as the harness sees it:
// hold after Since, or when the watch saw the pod, if later. The API keeps
// condition times to the second, and the remediator reads the same Since.
func (u Unhealthy) Holds(hold time.Duration) time.Time {
	if at := u.Since.Add(hold); at.After(u.Seen) {
		return at
	}
	return u.Seen
}

// Late reports whether the watch saw the pod unhealthy only after the
// trigger held, and by how much. The API stores Since to the second, so
// the pod turned unhealthy before Since plus a second; a watch that saw it
// later than that plus hold was behind, and Holds, which is then when the
// watch saw it, is later than the trigger really held: a latency measured
// from it would be too short, and the sample must not be used.
func (u Unhealthy) Late(hold time.Duration) (time.Duration, bool) {
	late := u.Seen.Sub(u.Since.Add(hold + time.Second))
	return late, late > 0
}

// Watch is the harness's own watch of the fixture's pods, independent of the
// remediator's: it counts Ready pods and says when a workload's pod turns
// unhealthy (the unhealthy-workload trigger: a container in
// CrashLoopBackOff, or scheduled and not Ready).
type Watch struct {
	mu        sync.Mutex
	ready     map[types.UID]bool
	reported  map[types.UID]bool
	waiters   map[string]chan Unhealthy
	changed   chan struct{}
	informers informers.SharedInformerFactory
}

// StartWatch starts watching the fixture's pods until ctx ends, and waits
// for the watch's first list.
func StartWatch(ctx context.Context, cfg *rest.Config) (*Watch, error) {
	cs, err := kubernetes.NewForConfig(cluster.Unthrottled(cfg))
	if err != nil {
		return nil, fmt.Errorf("failed to create client: %w", err)
	}
	w := &Watch{ready: map[types.UID]bool{}, reported: map[types.UID]bool{}, waiters: map[string]chan Unhealthy{}, changed: make(chan struct{})}
	w.informers = informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(Namespace))
	inf := w.informers.Core().V1().Pods().Informer()
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(o any) { w.see(o) },
		UpdateFunc: func(_, o any) { w.see(o) },
		DeleteFunc: w.forget,
	}); err != nil {
		return nil, fmt.Errorf("failed to watch pods: %w", err)
	}
	w.informers.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		return nil, fmt.Errorf("failed to list pods: %w", ctx.Err())
	}
	return w, nil
}

// Shutdown stops the watch once ctx, given to StartWatch, has ended.
func (w *Watch) Shutdown() { w.informers.Shutdown() }

// Ready returns how many pods are Ready now, and a channel closed at the
// next change.
func (w *Watch) Ready() (int, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, r := range w.ready {
		if r {
			n++
		}
	}
	return n, w.changed
}

// Expect returns a channel that receives the next pod of workload app to
// turn unhealthy from now on.
func (w *Watch) Expect(app string) <-chan Unhealthy {
	ch := make(chan Unhealthy, 1)
	w.mu.Lock()
	w.waiters[app] = ch
	w.mu.Unlock()
	return ch
}

func (w *Watch) see(o any) {
	now := time.Now()
	p, ok := o.(*corev1.Pod)
	if !ok {
		return
	}
	bad, since := triggered(p)
	w.mu.Lock()
	defer w.mu.Unlock()
	if r := p.DeletionTimestamp == nil && kube.PodReady(p); r != w.ready[p.UID] {
		w.ready[p.UID] = r
		close(w.changed)
		w.changed = make(chan struct{})
	}
	if !bad {
		delete(w.reported, p.UID)
		return
	}
	if w.reported[p.UID] {
		return
	}
	w.reported[p.UID] = true
	app := p.Labels[scenarios.AppLabel]
	if ch, ok := w.waiters[app]; ok {
		delete(w.waiters, app)
		ch <- Unhealthy{Pod: p.Name, Seen: now, Since: since}
	}
}

func (w *Watch) forget(o any) {
	if d, ok := o.(cache.DeletedFinalStateUnknown); ok {
		o = d.Obj
	}
	p, ok := o.(*corev1.Pod)
	if !ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.reported, p.UID)
	if w.ready[p.UID] {
		close(w.changed)
		w.changed = make(chan struct{})
	}
	delete(w.ready, p.UID)
}

// triggered reports whether the unhealthy-workload trigger's symptom shows
// on the pod, as its safety case states it, and since when.
func triggered(p *corev1.Pod) (bool, time.Time) {
	if p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
		return false, time.Time{}
	}
	since, ready := p.CreationTimestamp.Time, false
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			ready = c.Status == corev1.ConditionTrue
			if !ready {
				since = c.LastTransitionTime.Time
			}
		}
	}
	for _, cs := range p.Status.ContainerStatuses {
		if cs.State.Waiting != nil && cs.State.Waiting.Reason == "CrashLoopBackOff" {
			return true, since
		}
	}
	return !ready && p.Spec.NodeName != "", since
}
