package run

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestOrderSortsAsAFullSort checks that order gives every sample the
// namespace/name order a full sort gives, while a watch creates, replaces
// and deletes pods between samples and lists them in any order.
func TestOrderSortsAsAFullSort(t *testing.T) {
	pod := func(ns, name string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	}
	cases := map[string]struct {
		// change alters the watched pods, by namespace/name, before a
		// sample.
		change func(r *rand.Rand, pods map[string]*corev1.Pod)
	}{
		"nothing changes": {change: func(*rand.Rand, map[string]*corev1.Pod) {}},
		"pods are replaced": {change: func(r *rand.Rand, pods map[string]*corev1.Pod) {
			for k, p := range pods {
				if r.IntN(10) == 0 {
					pods[k] = pod(p.Namespace, p.Name)
				}
			}
		}},
		"pods come and go": {change: func(r *rand.Rand, pods map[string]*corev1.Pod) {
			for k := range pods {
				if r.IntN(10) == 0 {
					delete(pods, k)
				}
			}
			for range r.IntN(20) {
				// Namespaces "a" and "a-b" order differently by key
				// than by namespace, then name.
				ns, name := []string{"a", "a-b", "z"}[r.IntN(3)], fmt.Sprintf("p-%d", r.IntN(200))
				pods[ns+"/"+name] = pod(ns, name)
			}
		}},
		"everything is replaced": {change: func(_ *rand.Rand, pods map[string]*corev1.Pod) {
			for k, p := range pods {
				pods[k] = pod(p.Namespace, p.Name)
			}
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			pods := map[string]*corev1.Pod{}
			for i := range 100 {
				ns := []string{"a", "a-b", "z"}[i%3]
				pods[fmt.Sprintf("%s/p-%d", ns, i)] = pod(ns, fmt.Sprintf("p-%d", i))
			}
			var o order[*corev1.Pod]
			for sample := range 30 {
				if sample > 0 {
					tc.change(r, pods)
				}
				list := make([]*corev1.Pod, 0, len(pods))
				for _, p := range pods {
					list = append(list, p)
				}
				r.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
				want := slices.SortedFunc(slices.Values(list), byKey[*corev1.Pod])
				got := o.sort(list)
				if !slices.Equal(got, want) {
					t.Fatalf("sample %d: order differs from a full sort:\ngot  %v\nwant %v", sample, keys(got), keys(want))
				}
				// The places kept for the next sample are this one's.
				if len(o.place) != len(got) {
					t.Fatalf("sample %d: %d places kept for %d pods", sample, len(o.place), len(got))
				}
				for i, p := range got {
					if j, ok := o.place[p]; !ok || j != i {
						t.Fatalf("sample %d: %s placed at %d, %v; want %d", sample, keys(got)[i], j, ok, i)
					}
				}
			}
		})
	}
}

// keys lists the pods' namespace/names.
func keys(pods []*corev1.Pod) []string {
	out := make([]string, len(pods))
	for i, p := range pods {
		out[i] = p.Namespace + "/" + p.Name
	}
	return out
}
