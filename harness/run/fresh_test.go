package run

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

func TestBehind(t *testing.T) {
	prev := versions{"pod shop/web-0": 100, "deployment shop/web": 90, "node /kwok-node-0": 50}
	tests := map[string]struct {
		cached  map[string]uint64
		existed []string // what the API server still has, asked after the watch
		want    string   // a substring of the lag; "" for none
	}{
		"the watch has every object as listed": {
			cached:  map[string]uint64{"pod shop/web-0": 100, "deployment shop/web": 90, "node /kwok-node-0": 50},
			existed: []string{"pod shop/web-0", "deployment shop/web", "node /kwok-node-0"},
		},
		"the watch has moved on since the list": {
			cached:  map[string]uint64{"pod shop/web-0": 140, "deployment shop/web": 95, "node /kwok-node-0": 50},
			existed: []string{"pod shop/web-0", "deployment shop/web", "node /kwok-node-0"},
		},
		"a pod the watch still shows older than the API listed it a check ago": {
			cached:  map[string]uint64{"pod shop/web-0": 99, "deployment shop/web": 90, "node /kwok-node-0": 50},
			existed: []string{"pod shop/web-0", "deployment shop/web", "node /kwok-node-0"},
			want:    "pod shop/web-0 at resource version 99, though the API server listed it at 100",
		},
		"a Deployment the watch never saw": {
			cached:  map[string]uint64{"pod shop/web-0": 100, "node /kwok-node-0": 50},
			existed: []string{"pod shop/web-0", "deployment shop/web", "node /kwok-node-0"},
			want:    "no deployment shop/web",
		},
		"an object deleted since the last list is not a lag": {
			cached:  map[string]uint64{"deployment shop/web": 90, "node /kwok-node-0": 50},
			existed: []string{"deployment shop/web", "node /kwok-node-0"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, lag := behind(prev, func(key string) (uint64, bool) {
				rv, ok := tc.cached[key]
				return rv, ok
			}, func(key string) bool { return slices.Contains(tc.existed, key) })
			switch {
			case tc.want == "" && lag:
				t.Errorf("lag %q, want none", got)
			case tc.want != "" && !lag:
				t.Errorf("no lag, want one naming %q", tc.want)
			case tc.want != "" && !strings.Contains(got, tc.want):
				t.Errorf("lag %q, want it to name %q", got, tc.want)
			}
		})
	}
	if what, lag := behind(nil, func(string) (uint64, bool) { return 0, false }, func(string) bool { return true }); lag {
		t.Errorf("the first check, with nothing listed before, found a lag: %s", what)
	}
}

// A pod the API server listed a check ago and has still, created before
// that list, is one the watch must have; one deleted since, or made again
// under its name since the list, is not.
func TestExistedAt(t *testing.T) {
	listed := time.Date(2026, 12, 2, 17, 0, 30, 700e6, time.UTC)
	pod := func(name string, created time.Time) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name, CreationTimestamp: metav1.NewTime(created)}}
	}
	api := fake.NewClientset(
		pod("old", listed.Add(-time.Minute)),
		pod("same-second", listed.Truncate(time.Second)),
		pod("made-again", listed.Add(10*time.Second)),
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "kwok-node-0", CreationTimestamp: metav1.NewTime(listed.Add(-time.Hour))}},
	)
	existed := existedAt(t.Context(), api, listed)
	tests := map[string]bool{
		"pod shop/old":         true,
		"pod shop/same-second": false, // stored to the second of the list: not known to be older
		"pod shop/made-again":  false,
		"pod shop/deleted":     false,
		"node /kwok-node-0":    true,
		"deployment shop/web":  false,
		"secret shop/x":        false,
	}
	for key, want := range tests {
		t.Run(key, func(t *testing.T) {
			if got := existed(key); got != want {
				t.Errorf("existed(%q) = %v, want %v", key, got, want)
			}
		})
	}
}

func TestVersionsKeep(t *testing.T) {
	v := versions{}
	v.keep("pod", "shop", "web-0", "1234")
	v.keep("node", "", "kwok-node-0", "77")
	v.keep("pod", "shop", "opaque", "not-a-number")
	if len(v) != 2 || v["pod shop/web-0"] != 1234 || v["node /kwok-node-0"] != 77 {
		t.Errorf("versions = %v, want the two numeric ones by kind namespace/name", v)
	}
	for _, key := range []string{"pod shop/web-0", "node /kwok-node-0"} {
		kind, nsName, _ := cut(key)
		ns, name := splitKey(nsName)
		if kind == "" || name == "" || (kind == "pod") != (ns == "shop") {
			t.Errorf("%q splits into %q %q %q", key, kind, ns, name)
		}
	}
}

// A watch stuck at an older version of a pod than the API server lists is
// found by a check of the sampler's caches against the API server's list,
// and from then on every sample is an error.
func TestSamplerFallsBehind(t *testing.T) {
	pod := func(rv string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-0", ResourceVersion: rv}}
	}
	idx := func() cache.Indexer {
		return cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	}
	podIdx := idx()
	if err := podIdx.Add(pod("7")); err != nil {
		t.Fatal(err)
	}
	s := &sampler{pods: corelisters.NewPodLister(podIdx), deps: appslisters.NewDeploymentLister(idx()), nodes: corelisters.NewNodeLister(idx())}

	api := fake.NewClientset(pod("7"))
	prev, err := list(t.Context(), api)
	if err != nil {
		t.Fatal(err)
	}
	if what, lag := behind(prev, s.cachedVersion, existedAt(t.Context(), api, time.Now())); lag {
		t.Fatalf("a watch as new as the API server lags: %s", what)
	}
	if _, err := s.sample(time.Now()); err != nil {
		t.Fatalf("sample of a watch that keeps up: %v", err)
	}

	// The API server moves the pod on; the watch never hears of it.
	if _, err := api.CoreV1().Pods("shop").Update(t.Context(), pod("9"), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	prev, err = list(t.Context(), api)
	if err != nil {
		t.Fatal(err)
	}
	what, lag := behind(prev, s.cachedVersion, existedAt(t.Context(), api, time.Now()))
	if !lag || !strings.Contains(what, "pod shop/web-0 at resource version 7") {
		t.Fatalf("behind = %q, %v; want the pod at 7", what, lag)
	}
	s.lagged(errors.New(what))
	if _, err := s.sample(time.Now()); err == nil || !strings.Contains(err.Error(), "web-0") {
		t.Errorf("sample after the watch fell behind: %v, want its lag", err)
	}
}
