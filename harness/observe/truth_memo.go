package observe

import (
	"maps"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// podMemo is what a snapshot derives from a pod object alone, kept for the
// next snapshots that pass the same object: a watch's cache replaces an
// object that changes, so that at ten thousand pods almost every pod of a
// snapshot is the object of the one before. Deriving it again for every
// pod of every snapshot (the labels sorted into a string, two keys built,
// the pod's fields read from all over the heap) was most of a snapshot's
// cost, and grew faster than the pods once they no longer fitted in the
// processor's caches.
type podMemo struct {
	// seen is the last snapshot that held the pod, counted from 1.
	seen int
	// key is the pod's namespace/name, and history its states by time,
	// which tr.pods holds by key.
	key     string
	history *[]podState
	// name, node and labels are the pod's.
	name, node string
	labels     map[string]string
	// settled, serving and reason are the pod's verdict (see verdict).
	settled, serving bool
	reason           string
	// group is its namespace and labels, the key of members and selecting.
	group string
	// candidates are the effects that may cover it (see candidates).
	candidates []int
	// workload is the workload it belongs to (see workloadOf), found while
	// members was at generation workloadGen; 0 if not looked up yet.
	// servingIn are the workload's serving pods.
	workload    string
	workloadGen int
	servingIn   *servingPods
}

// servingPods are the names of a workload's pods truly serving in a
// snapshot, gathered as its pods are judged: a lookup a workload, not a
// lookup a pod.
type servingPods struct {
	// snap is the snapshot names are of, counted from 1; names of an
	// older one are stale.
	snap  int
	names []string
	// last is how many served in the last snapshot read, to size names.
	last int
}

// add adds the pod name serving in snapshot snap.
func (s *servingPods) add(snap int, name string) {
	if s.snap != snap {
		// The names of the last snapshot are kept in the workload's
		// history: start anew.
		s.snap, s.names = snap, make([]string, 0, s.last)
	}
	s.names = append(s.names, name)
}

// servingPodsOf is where the serving pods of workload are gathered; nil
// for no workload.
func (tr *Truth) servingPodsOf(workload string) *servingPods {
	if workload == "" {
		return nil
	}
	s := tr.serving[workload]
	if s == nil {
		s = &servingPods{}
		tr.serving[workload] = s
	}
	return s
}

// servingIn are the names of the pods of workload serving in the snapshot
// being observed, in no order; nil if none serves.
func (tr *Truth) servingIn(workload string) []string {
	s := tr.serving[workload]
	if s == nil || s.snap != len(tr.snaps) {
		return nil
	}
	s.last = len(s.names)
	return s.names
}

// depMemo is what a snapshot derives from a Deployment object alone, kept
// as a podMemo is: parsing its selector was the rest of the cost.
type depMemo struct {
	seen int
	d    deployment
	// ok is false for a Deployment with no selector or an empty one, which
	// the API server refuses.
	ok bool
}

// observePods observes the pods of the snapshot taken at t. A pod the last
// snapshot held at the same place finds its memo there, by its place, not
// by a lookup in a map of every pod: the sampler lists them in the same
// order every time.
func (tr *Truth) observePods(t time.Time, pods []*corev1.Pod, deps []deployment) {
	memos := tr.memos[:0]
	for i, p := range pods {
		var m *podMemo
		if i < len(tr.lastPods) && tr.lastPods[i] == p {
			m = tr.lastMemos[i]
			m.seen = len(tr.snaps)
		} else {
			m = tr.memoOf(p)
		}
		memos = append(memos, m)
		tr.observePod(t, p, m, deps)
	}
	tr.lastPods = append(tr.lastPods[:0], pods...)
	tr.lastMemos, tr.memos = memos, tr.lastMemos
	clear(tr.memos)
}

// memoOf is the memo of pod p for the snapshot being observed.
func (tr *Truth) memoOf(p *corev1.Pod) *podMemo {
	m, ok := tr.podMemos[p]
	if !ok {
		group := p.Namespace + "\x00" + labels.Set(p.Labels).String()
		m = &podMemo{key: p.Namespace + "/" + p.Name, name: p.Name, node: p.Spec.NodeName, labels: p.Labels,
			group: group, candidates: tr.candidates(p, group)}
		m.settled, m.serving, m.reason = verdict(p)
		if m.history = tr.pods[m.key]; m.history == nil {
			m.history = new([]podState)
			tr.pods[m.key] = m.history
		}
		tr.podMemos[p] = m
	}
	m.seen = len(tr.snaps)
	return m
}

// deployments are the Deployments of the snapshot being observed that have
// a selector, in namespace/name order: the last snapshot's if it passed
// the same objects. If their selectors differ from the last snapshot's,
// the pods' workloads are looked up again.
func (tr *Truth) deployments(list []*appsv1.Deployment) []deployment {
	if slices.Equal(list, tr.depsOf) {
		for _, d := range list {
			tr.depMemos[d].seen = len(tr.snaps)
		}
		return tr.deps
	}
	deps := make([]deployment, 0, len(list))
	for _, d := range list {
		m, ok := tr.depMemos[d]
		if !ok {
			m = newDepMemo(d)
			tr.depMemos[d] = m
		}
		m.seen = len(tr.snaps)
		if m.ok {
			deps = append(deps, m.d)
		}
	}
	slices.SortFunc(deps, func(a, b deployment) int { return strings.Compare(a.key, b.key) })
	tr.deps, tr.depsOf = deps, append(tr.depsOf[:0], list...)
	same := func(a, b deployment) bool { return a.key == b.key && a.selects == b.selects }
	if !slices.EqualFunc(deps, tr.membersOf, same) {
		// A new generation: a memo's workload from an older one is stale
		// (generations count from 1).
		clear(tr.members)
		tr.membersOf = append(tr.membersOf[:0], deps...)
		tr.membersGen++
	}
	return deps
}

// newDepMemo derives what Observe reads of Deployment d.
func newDepMemo(d *appsv1.Deployment) *depMemo {
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil || sel.Empty() {
		return &depMemo{}
	}
	replicas := 1
	if d.Spec.Replicas != nil {
		replicas = int(*d.Spec.Replicas)
	}
	// spec.paused is not read: a paused Deployment's pods serve or not
	// like any other's.
	return &depMemo{ok: true, d: deployment{key: d.Namespace + "/" + d.Name, ns: d.Namespace, selector: sel,
		selects: sel.String(), replicas: replicas}}
}

// forget drops the memos of objects the snapshot just observed did not
// hold, once there are twice as many memos as objects it held: the watch
// replaced or deleted those objects, and a memo keeps its object from
// being freed. Dropping them at that point costs a memo a snapshot at most.
func (tr *Truth) forget(pods, deps int) {
	seen := len(tr.snaps)
	if len(tr.podMemos) > 2*pods+64 {
		maps.DeleteFunc(tr.podMemos, func(_ *corev1.Pod, m *podMemo) bool { return m.seen != seen })
	}
	if len(tr.depMemos) > 2*deps+64 {
		maps.DeleteFunc(tr.depMemos, func(_ *appsv1.Deployment, m *depMemo) bool { return m.seen != seen })
	}
}
