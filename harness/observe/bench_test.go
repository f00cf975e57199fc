package observe_test

import (
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/harness/observe"
)

// cluster is one sample of a cluster of nodes nodes and pods pods, in
// workloads of ten replicas each.
func cluster(nodes, pods int) ([]*corev1.Pod, []*appsv1.Deployment) {
	var deps []*appsv1.Deployment
	for w := 0; w < pods/10; w++ {
		name := fmt.Sprintf("w%d", w)
		deps = append(deps, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name},
			Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](10), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}}})
	}
	out := make([]*corev1.Pod, pods)
	for i := range out {
		out[i] = &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: fmt.Sprintf("p%d", i), Labels: map[string]string{"app": fmt.Sprintf("w%d", i/10)}},
			Spec:       corev1.PodSpec{NodeName: fmt.Sprintf("node-%d", i%nodes)},
			Status: corev1.PodStatus{Phase: corev1.PodRunning,
				Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
		}
	}
	return out, deps
}

// BenchmarkTruthObserve measures the truth's cost per sample of a cluster
// at two sizes, with a fault on one workload in a hundred.
func BenchmarkTruthObserve(b *testing.B) {
	for _, size := range []struct{ nodes, pods int }{{100, 1_000}, {1_000, 10_000}} {
		pods, deps := cluster(size.nodes, size.pods)
		var effects []observe.Effect
		for w := 0; w < size.pods/10; w += 100 {
			effects = append(effects, observe.Effect{Name: fmt.Sprintf("crash-%d", w), Namespace: "shop",
				Selector: labels.SelectorFromSet(labels.Set{"app": fmt.Sprintf("w%d", w)}), TrulyBroken: true, LooksBroken: true})
		}
		b.Run(fmt.Sprintf("nodes=%d/pods=%d", size.nodes, size.pods), func(b *testing.B) {
			tr := observe.NewTruth(effects)
			at := time.Date(2026, 9, 14, 3, 0, 0, 0, time.UTC)
			for b.Loop() {
				at = at.Add(500 * time.Millisecond)
				tr.Observe(at, pods, deps)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(size.pods), "µs/pod")
		})
	}
}
