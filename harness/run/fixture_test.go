package run

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestFixtureReady(t *testing.T) {
	pod := func(ns, app string, ready bool) *corev1.Pod {
		st := corev1.ConditionFalse
		if ready {
			st = corev1.ConditionTrue
		}
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Labels: map[string]string{"app": app}},
			Status:     corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: st}}},
		}
	}
	leaving := pod("fleet", "web-0", true)
	leaving.DeletionTimestamp = &metav1.Time{}
	want := map[string]int{"fleet/web-0": 2, "fleet/web-1": 1}
	tests := map[string]struct {
		pods       []*corev1.Pod
		ready, tot int
		done       bool
	}{
		"every workload has its replicas Ready": {
			pods:  []*corev1.Pod{pod("fleet", "web-0", true), pod("fleet", "web-0", true), pod("fleet", "web-1", true)},
			ready: 3, tot: 3, done: true,
		},
		"a pod not Ready yet": {
			pods:  []*corev1.Pod{pod("fleet", "web-0", true), pod("fleet", "web-0", false), pod("fleet", "web-1", true)},
			ready: 2, tot: 3,
		},
		"a surplus pod of one workload does not make up for another": {
			pods:  []*corev1.Pod{pod("fleet", "web-0", true), pod("fleet", "web-0", true), pod("fleet", "web-0", true)},
			ready: 2, tot: 3,
		},
		"a pod on its way out does not count": {
			pods:  []*corev1.Pod{pod("fleet", "web-0", true), leaving, pod("fleet", "web-1", true)},
			ready: 2, tot: 3,
		},
		"pods of other workloads and namespaces do not count": {
			pods:  []*corev1.Pod{pod("other", "web-0", true), pod("fleet", "web-2", true), pod("fleet", "", true)},
			ready: 0, tot: 3,
		},
		"no pods yet": {ready: 0, tot: 3},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ready, tot, done := fixtureReady(tc.pods, want)
			if ready != tc.ready || tot != tc.tot || done != tc.done {
				t.Errorf("fixtureReady = %d of %d, done %v; want %d of %d, done %v", ready, tot, done, tc.ready, tc.tot, tc.done)
			}
		})
	}
}

func TestFixtureShortfall(t *testing.T) {
	pod := func(app, node string, phase corev1.PodPhase, ready bool) *corev1.Pod {
		st := corev1.ConditionFalse
		if ready {
			st = corev1.ConditionTrue
		}
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "fleet", Labels: map[string]string{"app": app}},
			Spec:       corev1.PodSpec{NodeName: node},
			Status:     corev1.PodStatus{Phase: phase, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: st}}},
		}
	}
	node := func(ready corev1.ConditionStatus) *corev1.Node {
		return &corev1.Node{Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}}}
	}
	want := map[string]int{"fleet/web": 6}
	tests := map[string]struct {
		pods  []*corev1.Pod
		nodes []*corev1.Node
		want  string
	}{
		"pods of a lost node marked not Ready": {
			pods: []*corev1.Pod{
				pod("web", "n0", corev1.PodRunning, true), pod("web", "n1", corev1.PodRunning, false),
				pod("web", "", corev1.PodPending, false), pod("web", "n0", corev1.PodPending, false),
				pod("other", "n0", corev1.PodRunning, false),
			},
			nodes: []*corev1.Node{node(corev1.ConditionTrue), node(corev1.ConditionUnknown)},
			want:  "2 pod(s) not created, 1 not scheduled, 1 scheduled and not running, 1 running and not Ready; 1 of 2 node(s) not Ready",
		},
		"nothing yet": {
			want: "6 pod(s) not created, 0 not scheduled, 0 scheduled and not running, 0 running and not Ready; 0 of 0 node(s) not Ready",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := fixtureShortfall(tc.pods, tc.nodes, want); got != tc.want {
				t.Errorf("fixtureShortfall =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
