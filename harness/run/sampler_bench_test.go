package run

import (
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

// filledSampler is a sampler whose watches hold a cluster of nodes nodes
// and pods pods in Deployments of ten, as the run's watches would.
func filledSampler(b *testing.B, nodes, pods int) *sampler {
	b.Helper()
	idx := func() cache.Indexer {
		return cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	}
	podIdx, depIdx, nodeIdx := idx(), idx(), idx()
	add := func(i cache.Indexer, o any) {
		if err := i.Add(o); err != nil {
			b.Fatal(err)
		}
	}
	for n := range nodes {
		add(nodeIdx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("node-%05d", n)}})
	}
	for w := range pods / 10 {
		add(depIdx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: fmt.Sprintf("w-%05d", w)}})
	}
	for p := range pods {
		add(podIdx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: fmt.Sprintf("w-%05d-%d", p/10, p%10)},
			Spec: corev1.PodSpec{NodeName: fmt.Sprintf("node-%05d", p%nodes)}})
	}
	return &sampler{pods: corelisters.NewPodLister(podIdx), deps: appslisters.NewDeploymentLister(depIdx), nodes: corelisters.NewNodeLister(nodeIdx)}
}

// BenchmarkSample measures the truth sampler's cost per sample, taken from
// its watches' caches, at the benchmark sizes: the ratio between them shows
// how it grows with the cluster.
func BenchmarkSample(b *testing.B) {
	for _, size := range []struct{ nodes, pods int }{{100, 1_000}, {1_000, 10_000}} {
		b.Run(fmt.Sprintf("nodes=%d/pods=%d", size.nodes, size.pods), func(b *testing.B) {
			s := filledSampler(b, size.nodes, size.pods)
			at := time.Date(2026, 9, 14, 3, 0, 0, 0, time.UTC)
			for b.Loop() {
				at = at.Add(500 * time.Millisecond)
				got, err := s.sample(at)
				if err != nil {
					b.Fatal(err)
				}
				if len(got.Pods) != size.pods || len(got.Nodes) != size.nodes {
					b.Fatalf("sample of %d pods and %d nodes, want %d and %d", len(got.Pods), len(got.Nodes), size.pods, size.nodes)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(size.pods), "µs/pod")
		})
	}
}
