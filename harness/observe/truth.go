package observe

import (
	"fmt"
	"slices"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/kube"
)

// podState is what one pod looked like over a stretch of snapshots in which
// nothing about it changed.
type podState struct {
	from, last time.Time
	serving    bool
	reason     string
	node       string
	workload   string
	labels     map[string]string
	effects    []int // indices of the effects covering it
}

func (a *podState) same(b *podState) bool {
	return a.serving == b.serving && a.reason == b.reason && a.node == b.node &&
		a.workload == b.workload && slices.Equal(a.effects, b.effects)
}

// workloadSample is one deployment in one snapshot.
type workloadSample struct {
	at      time.Time
	desired int
	serving []string // names of the pods truly serving, sorted
}

// Truth is what the harness knows really happened: from the effects it
// injected and periodic snapshots of pods and deployments, it computes true
// availability, and grades the remediator's actions as false positives and
// its inaction as false negatives. It is pure (no client) and safe for
// concurrent use.
//
// A pod truly serves at t when all of these hold:
//
//   - it is not being deleted (no deletionTimestamp) and is Running on a node;
//   - its node is not under a TrulyBroken effect;
//   - no TrulyBroken effect covers it;
//   - a LooksBroken effect covers it (it serves whatever its Ready condition
//     says, which is the lie under test), or no effect covers it and its
//     Ready condition is True.
//
// A pod belongs to the first Deployment, by namespace/name, in its
// namespace whose selector matches its labels. True availability at t is
// the share of desired replicas truly serving, over every Deployment:
// sum(min(serving, desired)) / sum(desired). Desired is measured against
// the capacity the fixture asked for (see Promise), never against what the
// remediator left, so that capacity it destroyed is not scored as health:
//
//   - a workload promised Capacity{Replicas: R}: the highest of R and every
//     spec.replicas observed for it so far in the run. A scale-down never
//     lowers it; a scale-up raises it from the snapshot that shows it on,
//     never for the time before;
//   - an autoscaled workload (Capacity{Autoscaled: true, MinReplicas: M}):
//     the higher of its current spec.replicas and M, since its
//     HorizontalPodAutoscaler may scale it down to M, never below;
//   - a workload with no promise: the highest spec.replicas observed for it
//     so far.
//
// spec.replicas is 1 if unset. A Deployment with spec.paused counts by its
// serving pods like any other: pausing stops rollouts, not pods. A
// Deployment seen before but missing from a snapshot (deleted) counts its
// last desired replicas, none serving; a promised workload counts from the
// first snapshot that shows it. A snapshot with no desired replica records
// no sample.
type Truth struct {
	mu       sync.Mutex
	effects  []Effect
	promises map[string]Capacity    // by workload
	pods     map[string]*[]podState // by namespace/name
	work     map[string][]workloadSample
	highest  map[string]int // highest spec.replicas observed by workload
	desired  map[string]int // last desired replicas by workload
	samples  []scorecard.AvailabilitySample
	effWork  []map[string]bool // workloads each effect covered
	actions  []Classification
	seenIDs  map[string]bool
	snaps    []time.Time // when each snapshot was taken
	origin   time.Time   // offsets in reports count from it; zero: clock times
	// members caches which workload a pod's namespace and labels belong
	// to, for as long as the Deployments' selectors stay as membersOf says
	// (generation membersGen): pods of one ReplicaSet share their labels,
	// so a sample costs a lookup a pod, not a match against every
	// Deployment.
	members    map[string]string
	membersOf  []deployment
	membersGen int
	// selecting caches, by a pod's namespace and labels, the effects whose
	// namespace and selector take it; direct are the effects that name pods
	// or nodes, checked for every pod.
	selecting map[string][]int
	direct    []int
	// podMemos and depMemos keep what Observe derived from each object it
	// was passed, for as long as snapshots pass the same object.
	podMemos map[*corev1.Pod]*podMemo
	depMemos map[*appsv1.Deployment]*depMemo
	// lastPods are the last snapshot's pods and lastMemos their memos, in
	// its order; memos is scratch space for the next.
	lastPods         []*corev1.Pod
	lastMemos, memos []*podMemo
	// deps are the last snapshot's Deployments as deployments returned
	// them, and depsOf the objects they came from.
	deps   []deployment
	depsOf []*appsv1.Deployment
	// serving holds, by workload, its pods serving in the last snapshot;
	// present is scratch space for Observe.
	serving map[string]*servingPods
	present map[string]bool
}

// SetOrigin makes the truth's reports give times as offsets from origin
// ("+1:05"), the scorecard's startedAt, as every other part of a scorecard
// does. Without it they are clock times.
func (tr *Truth) SetOrigin(origin time.Time) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.origin = origin
}

// at formats t for reports: an offset from the origin, or a clock time.
func (tr *Truth) at(t time.Time) string {
	if tr.origin.IsZero() {
		return clock(t)
	}
	d := t.Sub(tr.origin).Round(time.Second)
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	return fmt.Sprintf("%s%d:%02d", sign, int(d/time.Minute), int(d/time.Second)%60)
}

// NewTruth returns a Truth for the effects the harness injected.
func NewTruth(effects []Effect) *Truth {
	t := &Truth{
		effects:    slices.Clone(effects),
		promises:   map[string]Capacity{},
		pods:       map[string]*[]podState{},
		work:       map[string][]workloadSample{},
		highest:    map[string]int{},
		desired:    map[string]int{},
		effWork:    make([]map[string]bool, len(effects)),
		seenIDs:    map[string]bool{},
		members:    map[string]string{},
		membersGen: 1,
		selecting:  map[string][]int{},
		podMemos:   map[*corev1.Pod]*podMemo{},
		depMemos:   map[*appsv1.Deployment]*depMemo{},
		serving:    map[string]*servingPods{},
		present:    map[string]bool{},
	}
	for i := range t.effWork {
		t.effWork[i] = map[string]bool{}
		if e := &t.effects[i]; len(e.Pods) > 0 || len(e.Nodes) > 0 {
			t.direct = append(t.direct, i)
		}
	}
	return t
}

// Capacity is what the fixture asked of a workload: the capacity true
// availability is measured against (see Truth).
type Capacity struct {
	// Replicas is what the fixture asked for: the replicas the workload is
	// desired to serve with at least, whatever it is scaled to later.
	// Ignored when Autoscaled.
	Replicas int
	// Autoscaled means the workload's replicas are set by its
	// HorizontalPodAutoscaler, so that its current spec.replicas is what is
	// desired, down to MinReplicas.
	Autoscaled bool
	// MinReplicas is the autoscaler's minimum: an autoscaled workload is
	// desired to serve with at least this many replicas, whatever it is
	// scaled to. Read only when Autoscaled.
	MinReplicas int
}

// Promise records the capacity the fixture asked of workload (as
// "namespace/name"). Call it for each fixture workload before the first
// Observe; a promise made later applies from the next snapshot on. A
// second promise for the same workload replaces the first.
func (tr *Truth) Promise(workload string, c Capacity) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.promises[workload] = c
}

// desiredFor returns the desired replicas of workload key at a snapshot
// that shows it at spec.replicas replicas, and notes them (see Truth).
func (tr *Truth) desiredFor(key string, replicas int) int {
	highest := max(tr.highest[key], replicas)
	tr.highest[key] = highest
	c, promised := tr.promises[key]
	switch {
	case promised && c.Autoscaled:
		return max(replicas, c.MinReplicas)
	case promised:
		return max(c.Replicas, highest)
	}
	return highest
}

type deployment struct {
	key      string
	ns       string
	selector labels.Selector
	selects  string // selector.String()
	replicas int    // spec.replicas
}

// Observe records a snapshot of the pods and deployments taken at t and the
// availability sample it gives. Snapshots must come in time order; one
// older than the last is ignored. Objects are read as a watch's cache
// holds them: an object must not change once passed, since what Observe
// derives from it is kept for the next snapshots that pass it again.
func (tr *Truth) Observe(t time.Time, pods []*corev1.Pod, deployments []*appsv1.Deployment) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if n := len(tr.snaps); n > 0 && t.Before(tr.snaps[n-1]) {
		return
	}
	tr.snaps = append(tr.snaps, t)

	deps := tr.deployments(deployments)
	tr.observePods(t, pods, deps)
	tr.forget(len(pods), len(deployments))
	present := tr.present
	clear(present)
	total, up := 0, 0
	for _, d := range deps {
		present[d.key] = true
		names := tr.servingIn(d.key)
		slices.Sort(names)
		desired := tr.desiredFor(d.key, d.replicas)
		tr.work[d.key] = append(tr.work[d.key], workloadSample{at: t, desired: desired, serving: names})
		tr.desired[d.key] = desired
		total += desired
		up += min(len(names), desired)
	}
	for key, desired := range tr.desired {
		if present[key] {
			continue
		}
		// Deleted: what it wanted is not served.
		tr.work[key] = append(tr.work[key], workloadSample{at: t, desired: desired})
		total += desired
	}
	if total > 0 {
		tr.samples = append(tr.samples, scorecard.AvailabilitySample{Time: t, Availability: float64(up) / float64(total)})
	}
}

// observePod judges pod p, whose memo is m, at t, notes it in its history,
// and adds it to its workload's serving pods if it serves.
func (tr *Truth) observePod(t time.Time, p *corev1.Pod, m *podMemo, deps []deployment) {
	st := tr.judge(t, p, m, deps)
	if st.workload != "" && st.serving {
		m.servingIn.add(len(tr.snaps), m.name)
	}
	for _, e := range st.effects {
		if st.workload != "" {
			tr.effWork[e][st.workload] = true
		}
	}
	h := *m.history
	if n := len(h); n > 0 && h[n-1].same(&st) {
		h[n-1].last, h[n-1].labels = t, st.labels
		return
	}
	*m.history = append(h, st)
}

// candidates are the effects that may cover pod p, whose namespace and
// labels key is key, in index order: those that select it by namespace and
// labels, and those that name pods or nodes.
func (tr *Truth) candidates(p *corev1.Pod, key string) []int {
	sel, ok := tr.selecting[key]
	if !ok {
		sel = []int{}
		for i := range tr.effects {
			e := &tr.effects[i]
			if len(e.Pods) == 0 && len(e.Nodes) == 0 && e.selects(p) {
				sel = append(sel, i)
			}
		}
		tr.selecting[key] = sel
	}
	if len(tr.direct) == 0 {
		return sel
	}
	out := append(slices.Clone(sel), tr.direct...)
	slices.Sort(out)
	return out
}

// workloadOf is the first Deployment, by namespace/name, in the pod's
// namespace whose selector matches its labels; "" if none does.
func (tr *Truth) workloadOf(p *corev1.Pod, key string, deps []deployment) string {
	if w, ok := tr.members[key]; ok {
		return w
	}
	w := ""
	for _, d := range deps {
		if d.ns == p.Namespace && d.selector.Matches(labels.Set(p.Labels)) {
			w = d.key
			break
		}
	}
	tr.members[key] = w
	return w
}

// judge decides whether pod p, whose memo is m, truly serves at t.
func (tr *Truth) judge(t time.Time, p *corev1.Pod, m *podMemo, deps []deployment) podState {
	if m.workloadGen != tr.membersGen {
		m.workload, m.workloadGen = tr.workloadOf(p, m.group, deps), tr.membersGen
		m.servingIn = tr.servingPodsOf(m.workload)
	}
	st := podState{from: t, last: t, node: m.node, labels: m.labels, workload: m.workload}
	var trulyBy, looksBy, nodeDownBy string
	for _, i := range m.candidates {
		e := &tr.effects[i]
		if !e.activeAt(t) || !e.covers(p) {
			continue
		}
		st.effects = append(st.effects, i)
		switch {
		case e.TrulyBroken && e.onNode(m.node) && nodeDownBy == "":
			nodeDownBy = e.Name
		case e.TrulyBroken && trulyBy == "":
			trulyBy = e.Name
		case e.LooksBroken && !e.TrulyBroken && looksBy == "":
			looksBy = e.Name
		}
	}
	switch {
	case m.settled:
		st.reason = m.reason
	case nodeDownBy != "":
		st.reason = fmt.Sprintf("on node %s, truly down (%s)", m.node, nodeDownBy)
	case trulyBy != "":
		st.reason = "truly broken (" + trulyBy + ")"
	case looksBy != "":
		st.serving = true
		st.reason = "serving though it looked broken (" + looksBy + ")"
	default:
		st.serving, st.reason = m.serving, m.reason
	}
	return st
}

// verdict is what pod p's own state says of it, before any effect: settled
// is true if that holds whatever effect covers it (it is terminating, not
// running or not scheduled, and serves not); otherwise it serves if its
// Ready condition is True, unless an effect says otherwise.
func verdict(p *corev1.Pod) (settled, serving bool, reason string) {
	switch {
	case p.DeletionTimestamp != nil:
		return true, false, "terminating"
	case p.Status.Phase == "":
		return true, false, "not started yet"
	case p.Status.Phase != corev1.PodRunning:
		return true, false, "in phase " + string(p.Status.Phase)
	case p.Spec.NodeName == "":
		return true, false, "not scheduled"
	case kube.PodReady(p):
		return false, true, "ready, no fault on it"
	}
	return false, false, "not ready, no fault on it"
}

// history is the states of pod key (namespace/name) by time; nil if it
// was never observed.
func (tr *Truth) history(key string) []podState {
	if h := tr.pods[key]; h != nil {
		return *h
	}
	return nil
}

// stateBefore is the pod's last state observed strictly before t.
func (tr *Truth) stateBefore(key string, t time.Time) (podState, bool) {
	h := tr.history(key)
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].from.Before(t) {
			st := h[i]
			if !st.last.Before(t) {
				// The stretch runs past t: the pod was last seen before t in
				// the last snapshot before t.
				j, _ := slices.BinarySearchFunc(tr.snaps, t, time.Time.Compare)
				if j > 0 && tr.snaps[j-1].After(st.from) {
					st.last = tr.snaps[j-1]
				} else {
					st.last = st.from
				}
			}
			return st, true
		}
	}
	return podState{}, false
}

// WorkloadOf returns the workload (namespace/deployment) pod namespace/name
// belonged to when last observed.
func (tr *Truth) WorkloadOf(namespace, name string) (string, bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	h := tr.history(namespace + "/" + name)
	if len(h) == 0 || h[len(h)-1].workload == "" {
		return "", false
	}
	return h[len(h)-1].workload, true
}

// Replicas returns the desired replicas of every workload seen, at the last
// snapshot, by namespace/deployment: measured against the capacity
// promised, as availability is (see Truth), not the spec.replicas last
// observed.
func (tr *Truth) Replicas() map[string]int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	out := make(map[string]int, len(tr.desired))
	for k, v := range tr.desired {
		out[k] = v
	}
	return out
}
