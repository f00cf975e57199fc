package observe

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// Observer takes the periodic snapshots of the cluster that a run's
// observers grade it by. Snapshots come in time order.
type Observer interface {
	// Observe records the pods and deployments as listed at t.
	Observe(t time.Time, pods []corev1.Pod, deployments []appsv1.Deployment)
}

var _ Observer = (*Truth)(nil)

// Effect is one thing the harness broke, or made look broken, and when.
//
// An effect covers a pod if it targets pods and selects it (Namespace,
// Selector and Pods all agree), or if the pod is scheduled on one of its
// Nodes. It applies from Start until End.
type Effect struct {
	// Name names the effect in reports, such as the fault's name.
	Name string
	// Namespace limits the pods targeted; empty means every namespace.
	Namespace string
	// Selector selects the pods targeted by their labels. Nil with Pods
	// empty targets no pod directly (a node-only effect); use
	// labels.Everything() to target every pod in Namespace.
	Selector labels.Selector
	// Pods, if set, limits the pods targeted to these names.
	Pods []string
	// Nodes are the nodes the effect is on. Every pod scheduled there is
	// covered.
	Nodes []string
	// TrulyBroken means what is covered really does not serve (a crash
	// loop, a node that is down), whatever the API says.
	TrulyBroken bool
	// LooksBroken means what is covered looks broken to a health check (a
	// lying readiness probe, a node that stopped heartbeating but runs) but
	// serves. TrulyBroken wins when both are set.
	LooksBroken bool
	// Start is when the effect began.
	Start time.Time
	// End is when it was recovered; zero means it lasted to the end of the run.
	End time.Time
}

// activeAt reports whether the effect applies at t: Start <= t < End.
func (e *Effect) activeAt(t time.Time) bool {
	return !t.Before(e.Start) && (e.End.IsZero() || t.Before(e.End))
}

// activeDuring reports whether t falls in [Start, End], End included: an
// action at the very moment of recovery still answered the effect.
func (e *Effect) activeDuring(t time.Time) bool {
	return !t.Before(e.Start) && (e.End.IsZero() || !t.After(e.End))
}

func (e *Effect) targetsPods() bool { return e.Selector != nil || len(e.Pods) > 0 }

func (e *Effect) selects(p *corev1.Pod) bool {
	if !e.targetsPods() || (e.Namespace != "" && p.Namespace != e.Namespace) {
		return false
	}
	if len(e.Pods) > 0 && !slices.Contains(e.Pods, p.Name) {
		return false
	}
	return e.Selector == nil || e.Selector.Matches(labels.Set(p.Labels))
}

func (e *Effect) onNode(node string) bool { return node != "" && slices.Contains(e.Nodes, node) }

func (e *Effect) covers(p *corev1.Pod) bool { return e.selects(p) || e.onNode(p.Spec.NodeName) }

// describe says what the effect covers, such as
// "pods app=api in shop on nodes kwok-node-1".
func (e *Effect) describe() string {
	var parts []string
	if e.targetsPods() {
		s := "pods"
		if len(e.Pods) > 0 {
			s += " " + strings.Join(e.Pods, ",")
		}
		if e.Selector != nil && !e.Selector.Empty() {
			s += " " + e.Selector.String()
		}
		if e.Namespace != "" {
			s += " in " + e.Namespace
		}
		parts = append(parts, s)
	}
	if len(e.Nodes) > 0 {
		parts = append(parts, "nodes "+strings.Join(e.Nodes, ","))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, " and on ")
}

func (e *Effect) window(at func(time.Time) string) string {
	if e.End.IsZero() {
		return "from " + at(e.Start) + " to the end of the run"
	}
	return "from " + at(e.Start) + " to " + at(e.End)
}

// clock formats t for reports.
func clock(t time.Time) string { return t.UTC().Format("15:04:05") + " UTC" }

// Grade is how an action looks against the truth.
type Grade string

// Grades of an action.
const (
	// GradeFalsePositive: the pod taken down was truly serving, or the node
	// cordoned, tainted or drained had no fault on it.
	GradeFalsePositive Grade = "false-positive"
	// GradeTruePositive: the pod taken down was not serving, or the node
	// acted on had a fault on it.
	GradeTruePositive Grade = "true-positive"
	// GradeUnknown: the pod was never observed before the action, so
	// whether it served cannot be told.
	GradeUnknown Grade = "unknown"
	// GradeNotGraded: not a pod deletion or eviction nor a node cordon,
	// taint or drain, or the API server rejected it, so it took nothing
	// down.
	GradeNotGraded Grade = "not-graded"
)

// Classification is ClassifyAction's answer.
type Classification struct {
	// Entry is the action.
	Entry scorecard.LedgerEntry
	// Grade is how it looks against the truth.
	Grade Grade
	// Workload is the workload (namespace/deployment) of the pod acted on,
	// or of the deployment acted on; empty if none is known.
	Workload string
	// Reason says why, for people.
	Reason string
}

// Reversal is how long the workload an action hit took to recover from it.
type Reversal struct {
	// Entry is the action.
	Entry scorecard.LedgerEntry
	// Workload is the workload (namespace/deployment) acted on.
	Workload string
	// Level is what reversal restores: the replicas truly serving in the last
	// snapshot before the action, at most the desired replicas. The action
	// is reversed when the workload is back at this level (full availability,
	// or the level it had under a fault that the action could not mend), and
	// for a pod action when that pod no longer counts among those serving.
	Level int
	// Measured is false when the workload was not seen both before and after
	// the action; Reversed and Duration then say nothing.
	Measured bool
	// Reversed reports whether the workload got back to Level by the last
	// snapshot.
	Reversed bool
	// Duration is the time from the action to the first snapshot back at
	// Level; if not Reversed, to the last snapshot (a lower bound). Its
	// resolution is the snapshot interval.
	Duration time.Duration
}

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
	promises map[string]Capacity   // by workload
	pods     map[string][]podState // by namespace/name
	work     map[string][]workloadSample
	highest  map[string]int // highest spec.replicas observed by workload
	desired  map[string]int // last desired replicas by workload
	samples  []scorecard.AvailabilitySample
	effWork  []map[string]bool // workloads each effect covered
	actions  []Classification
	seenIDs  map[string]bool
	snaps    []time.Time // when each snapshot was taken
	origin   time.Time   // offsets in reports count from it; zero: clock times
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
		effects:  slices.Clone(effects),
		promises: map[string]Capacity{},
		pods:     map[string][]podState{},
		work:     map[string][]workloadSample{},
		highest:  map[string]int{},
		desired:  map[string]int{},
		effWork:  make([]map[string]bool, len(effects)),
		seenIDs:  map[string]bool{},
	}
	for i := range t.effWork {
		t.effWork[i] = map[string]bool{}
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
	replicas int // spec.replicas
}

// Observe records a snapshot of the pods and deployments taken at t and the
// availability sample it gives. Snapshots must come in time order; one
// older than the last is ignored.
func (tr *Truth) Observe(t time.Time, pods []corev1.Pod, deployments []appsv1.Deployment) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if n := len(tr.snaps); n > 0 && t.Before(tr.snaps[n-1]) {
		return
	}
	tr.snaps = append(tr.snaps, t)

	deps := make([]deployment, 0, len(deployments))
	for i := range deployments {
		d := &deployments[i]
		sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		if err != nil || sel.Empty() {
			continue // the API server refuses such a Deployment
		}
		replicas := 1
		if d.Spec.Replicas != nil {
			replicas = int(*d.Spec.Replicas)
		}
		// spec.paused is not read: a paused Deployment's pods serve or not
		// like any other's.
		deps = append(deps, deployment{key: d.Namespace + "/" + d.Name, ns: d.Namespace, selector: sel, replicas: replicas})
	}
	slices.SortFunc(deps, func(a, b deployment) int { return strings.Compare(a.key, b.key) })

	serving := map[string][]string{}
	for i := range pods {
		p := &pods[i]
		st := tr.judge(t, p, deps)
		key := p.Namespace + "/" + p.Name
		if st.workload != "" && st.serving {
			serving[st.workload] = append(serving[st.workload], p.Name)
		}
		for _, e := range st.effects {
			if st.workload != "" {
				tr.effWork[e][st.workload] = true
			}
		}
		h := tr.pods[key]
		if n := len(h); n > 0 && h[n-1].same(&st) {
			h[n-1].last, h[n-1].labels = t, st.labels
			continue
		}
		tr.pods[key] = append(h, st)
	}

	present := map[string]bool{}
	total, up := 0, 0
	for _, d := range deps {
		present[d.key] = true
		names := serving[d.key]
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

// judge decides whether pod p truly serves at t.
func (tr *Truth) judge(t time.Time, p *corev1.Pod, deps []deployment) podState {
	st := podState{from: t, last: t, node: p.Spec.NodeName, labels: p.Labels}
	for _, d := range deps {
		if d.ns == p.Namespace && d.selector.Matches(labels.Set(p.Labels)) {
			st.workload = d.key
			break
		}
	}
	var trulyBy, looksBy, nodeDownBy string
	for i := range tr.effects {
		e := &tr.effects[i]
		if !e.activeAt(t) || !e.covers(p) {
			continue
		}
		st.effects = append(st.effects, i)
		switch {
		case e.TrulyBroken && e.onNode(p.Spec.NodeName) && nodeDownBy == "":
			nodeDownBy = e.Name
		case e.TrulyBroken && trulyBy == "":
			trulyBy = e.Name
		case e.LooksBroken && !e.TrulyBroken && looksBy == "":
			looksBy = e.Name
		}
	}
	switch {
	case p.DeletionTimestamp != nil:
		st.reason = "terminating"
	case p.Status.Phase != corev1.PodRunning:
		st.reason = "in phase " + string(p.Status.Phase)
		if p.Status.Phase == "" {
			st.reason = "not started yet"
		}
	case p.Spec.NodeName == "":
		st.reason = "not scheduled"
	case nodeDownBy != "":
		st.reason = fmt.Sprintf("on node %s, truly down (%s)", p.Spec.NodeName, nodeDownBy)
	case trulyBy != "":
		st.reason = "truly broken (" + trulyBy + ")"
	case looksBy != "":
		st.serving = true
		st.reason = "serving though it looked broken (" + looksBy + ")"
	case podReady(p):
		st.serving = true
		st.reason = "ready, no fault on it"
	default:
		st.reason = "not ready, no fault on it"
	}
	return st
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// stateBefore is the pod's last state observed strictly before t.
func (tr *Truth) stateBefore(key string, t time.Time) (podState, bool) {
	h := tr.pods[key]
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

// isPodRestart reports whether e takes a pod down: a deletion or an eviction.
func isPodRestart(e scorecard.LedgerEntry) bool {
	return e.Resource == "pods" && ((e.Subresource == "" && e.Verb == "delete") ||
		(e.Subresource == "eviction" && e.Verb == "create"))
}

// nodeActionKinds are the kinds of node action graded, with their verbs
// for reports.
var nodeActionKinds = map[string]string{"cordon": "cordoned", "taint": "tainted", "drain": "drained"}

// isNodeAction reports whether e cordons, taints or drains a node (by its
// Kind, as the ledger classified it).
func isNodeAction(e scorecard.LedgerEntry) bool {
	_, ok := nodeActionKinds[e.Kind]
	return ok && e.Resource == "nodes" && e.Subresource == ""
}

func isDeploymentChange(e scorecard.LedgerEntry) bool {
	return e.Resource == "deployments" && (e.Subresource == "" || e.Subresource == "scale") &&
		(e.Verb == "patch" || e.Verb == "update")
}

// ClassifyAction grades one of the remediator's ledger entries and records
// it for Result and Reversals. A pod deletion or eviction is a false
// positive if the pod was truly serving in the last snapshot before the
// action, a true positive if not, unknown if the pod was never seen before
// it; the evictions of a drain are graded so, pod by pod. An entry on a
// node (resource "nodes", no subresource) whose Kind is "cordon", "taint"
// or "drain" is a false positive if no effect on that node (one whose
// Nodes include it, TrulyBroken or LooksBroken) applied at the entry's
// time, from its Start to its End included as for false negatives, and a
// true positive otherwise. Anything else, and any request the API server
// rejected, is not graded, but an accepted action on a node or deployment
// still counts as acting on the effects it touches (see Result). An entry
// with an audit ID already classified is graded again but recorded once.
func (tr *Truth) ClassifyAction(entry scorecard.LedgerEntry) Classification {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	c := tr.classify(entry)
	if entry.AuditID == "" || !tr.seenIDs[entry.AuditID] {
		if entry.AuditID != "" {
			tr.seenIDs[entry.AuditID] = true
		}
		tr.actions = append(tr.actions, c)
	}
	return c
}

func (tr *Truth) classify(e scorecard.LedgerEntry) Classification {
	c := Classification{Entry: e, Grade: GradeNotGraded}
	if isDeploymentChange(e) {
		c.Workload = e.Namespace + "/" + e.Name
	}
	switch {
	case e.Rejected():
		c.Reason = fmt.Sprintf("the API server rejected it (%d), so it changed nothing", e.Code)
		return c
	case isNodeAction(e):
		return tr.classifyNode(c)
	case !isPodRestart(e):
		c.Reason = "not a pod deletion or eviction, nor a node cordon, taint or drain"
		return c
	}
	st, ok := tr.stateBefore(e.Namespace+"/"+e.Name, e.Time)
	if !ok {
		c.Grade = GradeUnknown
		c.Reason = "the pod was never observed before the action"
		return c
	}
	c.Workload = st.workload
	if st.serving {
		c.Grade = GradeFalsePositive
	} else {
		c.Grade = GradeTruePositive
	}
	c.Reason = fmt.Sprintf("pod was %s when last observed at %s", st.reason, tr.at(st.last))
	return c
}

// classifyNode grades a node's cordon, taint or drain by the effects on the
// node when it was taken.
func (tr *Truth) classifyNode(c Classification) Classification {
	e := c.Entry
	for i := range tr.effects {
		eff := &tr.effects[i]
		if !eff.onNode(e.Name) || !(eff.TrulyBroken || eff.LooksBroken) || !eff.activeDuring(e.Time) {
			continue
		}
		how := "looked broken"
		if eff.TrulyBroken {
			how = "was truly broken"
		}
		c.Grade = GradeTruePositive
		c.Reason = fmt.Sprintf("the node %s (%s)", how, eff.Name)
		return c
	}
	c.Grade = GradeFalsePositive
	c.Reason = "no fault was on the node"
	return c
}

// WorkloadOf returns the workload (namespace/deployment) pod namespace/name
// belonged to when last observed.
func (tr *Truth) WorkloadOf(namespace, name string) (string, bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	h := tr.pods[namespace+"/"+name]
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

// Reversals measures, for each accepted pod deletion or eviction and
// deployment change classified so far whose workload is known, how long the
// workload took to recover from it (see Reversal), in the order classified.
func (tr *Truth) Reversals() []Reversal {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []Reversal
	for _, c := range tr.actions {
		e := c.Entry
		if e.Rejected() || c.Workload == "" || !(isPodRestart(e) || isDeploymentChange(e)) {
			continue
		}
		out = append(out, tr.reversal(c))
	}
	return out
}

func (tr *Truth) reversal(c Classification) Reversal {
	r := Reversal{Entry: c.Entry, Workload: c.Workload}
	samples := tr.work[c.Workload]
	at := c.Entry.Time
	i, _ := slices.BinarySearchFunc(samples, at, func(s workloadSample, t time.Time) int { return s.at.Compare(t) })
	// samples[:i] are before the action (strictly), samples[i:] at or after.
	if i == 0 {
		return r
	}
	before := samples[i-1]
	r.Level = min(before.desired, len(before.serving))
	var last *workloadSample
	for j := i; j < len(samples); j++ {
		s := &samples[j]
		if !s.at.After(at) {
			continue
		}
		last = s
		if len(s.serving) < r.Level {
			continue
		}
		if isPodRestart(c.Entry) {
			if _, found := slices.BinarySearch(s.serving, c.Entry.Name); found {
				continue // the snapshot predates the action taking effect
			}
		}
		r.Measured, r.Reversed, r.Duration = true, true, s.at.Sub(at)
		return r
	}
	if last != nil {
		r.Measured, r.Duration = true, last.at.Sub(at)
	}
	return r
}

// Result returns the truth of the run so far. Samples are in time order;
// MinAvailability and MeanAvailability are 0 when there are none.
//
// FalsePositives lists each pod deletion or eviction graded a false
// positive, as "namespace/pod: deleted|evicted at TIME; REASON", and each
// node cordon, taint or drain, as "node NAME: cordoned|tainted|drained at
// TIME; no fault was on the node". FalseNegatives lists each TrulyBroken effect the remediator
// never acted on while it applied (from Start to End, both included): no
// accepted action on a pod the effect covered at the time, on a pod of a
// workload it covered, on a deployment it covered, or on one of its nodes.
// Broken lists every TrulyBroken effect.
func (tr *Truth) Result() scorecard.Truth {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	res := scorecard.Truth{
		Samples:        slices.Clone(tr.samples),
		FalsePositives: []string{},
		FalseNegatives: []string{},
		Broken:         []string{},
	}
	slices.SortStableFunc(res.Samples, func(a, b scorecard.AvailabilitySample) int { return a.Time.Compare(b.Time) })
	if len(res.Samples) > 0 {
		res.MinAvailability = 1
		var sum float64
		for _, s := range res.Samples {
			res.MinAvailability = min(res.MinAvailability, s.Availability)
			sum += s.Availability
		}
		res.MeanAvailability = sum / float64(len(res.Samples))
	}
	for _, c := range tr.actions {
		if c.Grade != GradeFalsePositive {
			continue
		}
		e := c.Entry
		if isNodeAction(e) {
			res.FalsePositives = append(res.FalsePositives, fmt.Sprintf("node %s: %s at %s; %s",
				e.Name, nodeActionKinds[e.Kind], tr.at(e.Time), c.Reason))
			continue
		}
		res.FalsePositives = append(res.FalsePositives, fmt.Sprintf("%s/%s: %s at %s; %s",
			e.Namespace, e.Name, verbPhrase(e), tr.at(e.Time), c.Reason))
	}
	for i := range tr.effects {
		e := &tr.effects[i]
		if !e.TrulyBroken {
			continue
		}
		res.Broken = append(res.Broken, fmt.Sprintf("%s: %s, truly broken %s", e.Name, e.describe(), e.window(tr.at)))
		if !tr.actedOn(i) {
			res.FalseNegatives = append(res.FalseNegatives, fmt.Sprintf("%s: %s truly broken %s; the remediator never acted on it",
				e.Name, e.describe(), e.window(tr.at)))
		}
	}
	return res
}

func verbPhrase(e scorecard.LedgerEntry) string {
	if e.Subresource == "eviction" {
		return "evicted"
	}
	return "deleted"
}

// actedOn reports whether an accepted action answered effect i while it applied.
func (tr *Truth) actedOn(i int) bool {
	e := &tr.effects[i]
	for _, c := range tr.actions {
		a := c.Entry
		if a.Rejected() || !e.activeDuring(a.Time) {
			continue
		}
		switch {
		case a.Resource == "nodes" && a.Subresource == "":
			if e.onNode(a.Name) {
				return true
			}
		case isDeploymentChange(a):
			if tr.effWork[i][a.Namespace+"/"+a.Name] {
				return true
			}
		case isPodRestart(a):
			if c.Workload != "" && tr.effWork[i][c.Workload] {
				return true
			}
			if st, ok := tr.stateBefore(a.Namespace+"/"+a.Name, a.Time); ok && slices.Contains(st.effects, i) {
				return true
			}
		}
	}
	return false
}
