package observe_test

import (
	"fmt"
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/testutil"
)

// watched is a cluster as a watch's cache holds it: a change replaces an
// object, and every other object stays the same pointer.
type watched struct {
	pods map[string]*corev1.Pod
	deps map[string]*appsv1.Deployment
}

// list is the cluster's objects in name order.
func (w watched) list(names, depNames []string) ([]*corev1.Pod, []*appsv1.Deployment) {
	var pods []*corev1.Pod
	for _, n := range names {
		if p := w.pods[n]; p != nil {
			pods = append(pods, p)
		}
	}
	var deps []*appsv1.Deployment
	for _, n := range depNames {
		if d := w.deps[n]; d != nil {
			deps = append(deps, d)
		}
	}
	return pods, deps
}

// TestTruthSameObjectsAgain checks that a truth passed the same objects
// again, as a watch passes every object that did not change, grades a run
// exactly as one passed fresh copies at every snapshot: what it keeps of
// an object must never stand in for a change.
func TestTruthSameObjectsAgain(t *testing.T) {
	effects := []observe.Effect{
		effect("crash-api", truly, window(20, 60)),
		effect("node-down", truly, nodes("kwok-node-1"), window(40, 80)),
		effect("liar", looks, podsNamed("api-2"), window(10, 0)),
	}
	names := []string{"api-0", "api-1", "api-2", "web-0", "web-1", "batch-0"}
	depNames := []string{"api", "web"}
	w := watched{pods: map[string]*corev1.Pod{}, deps: map[string]*appsv1.Deployment{"api": deploy("api", 3), "web": deploy("web", 2)}}
	for i, n := range names[:5] {
		w.pods[n] = pod(n, onNode(fmt.Sprintf("kwok-node-%d", i%2)))
	}
	w.pods["web-0"].Labels["app"], w.pods["web-1"].Labels["app"] = "web", "web"
	// changes replace objects before the snapshot at each second.
	changes := map[float64]func(){
		30: func() { w.pods["api-1"] = pod("api-1", notReady, onNode("kwok-node-1")) },
		50: func() { w.pods["api-0"] = pod("api-0", terminating) },
		55: func() { delete(w.pods, "api-0"); w.deps["api"] = deploy("api", 4) },
		65: func() { w.pods["api-0"] = pod("api-0", pending) },
		70: func() {
			// web's selector changes: its pods belong to no workload now.
			d := deploy("web", 2)
			d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web", "tier": "front"}}
			w.deps["web"] = d
			w.pods["batch-0"] = pod("batch-0", app("batch"))
		},
		85: func() { w.pods["web-1"] = pod("web-1", app("web"), func(p *corev1.Pod) { p.Labels["tier"] = "front" }) },
		90: func() { w.pods["api-0"] = pod("api-0") },
	}
	shared, copied := observe.NewTruth(effects), observe.NewTruth(effects)
	for sec := 0.0; sec <= 100; sec += 5 {
		if c := changes[sec]; c != nil {
			c()
		}
		pods, deps := w.list(names, depNames)
		shared.Observe(testutil.At(sec), pods, deps)
		var podCopies []*corev1.Pod
		for _, p := range pods {
			podCopies = append(podCopies, p.DeepCopy())
		}
		var depCopies []*appsv1.Deployment
		for _, d := range deps {
			depCopies = append(depCopies, d.DeepCopy())
		}
		copied.Observe(testutil.At(sec), podCopies, depCopies)
	}
	for _, e := range []scorecard.LedgerEntry{deletePod(35, "api-1"), deletePod(45, "api-0"), evictPod(75, "web-0"), deletePod(95, "api-2")} {
		if got, want := shared.ClassifyAction(e), copied.ClassifyAction(e); !reflect.DeepEqual(got, want) {
			t.Errorf("%s %s: classified %+v, want %+v", e.Verb, e.Name, got, want)
		}
	}
	if got, want := shared.Result(), copied.Result(); !reflect.DeepEqual(got, want) {
		t.Errorf("result:\n got %+v\nwant %+v", got, want)
	}
	if got, want := shared.Replicas(), copied.Replicas(); !reflect.DeepEqual(got, want) {
		t.Errorf("replicas %v, want %v", got, want)
	}
	for _, n := range names {
		gotW, gotOK := shared.WorkloadOf("shop", n)
		wantW, wantOK := copied.WorkloadOf("shop", n)
		if gotW != wantW || gotOK != wantOK {
			t.Errorf("workload of %s: %q %v, want %q %v", n, gotW, gotOK, wantW, wantOK)
		}
	}
}
