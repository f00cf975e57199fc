package observe_test

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/internal/testutil"
)

// scaled is a Deployment of name at replicas, changed by mods.
func scaled(name string, replicas int32, mods ...func(*appsv1.Deployment)) *appsv1.Deployment {
	d := deploy(name, replicas)
	for _, m := range mods {
		m(d)
	}
	return d
}

func paused(d *appsv1.Deployment) { d.Spec.Paused = true }

// apiPods are n Ready api pods, then down more that are not Ready.
func apiPods(n, down int) []*corev1.Pod {
	var out []*corev1.Pod
	for i := range n + down {
		if i < n {
			out = append(out, pod(fmt.Sprintf("api-%d", i)))
		} else {
			out = append(out, pod(fmt.Sprintf("api-%d", i), notReady))
		}
	}
	return out
}

// capacitySnapshot is one snapshot of the pods and deployments.
type capacitySnapshot struct {
	pods []*corev1.Pod
	deps []*appsv1.Deployment
}

// capacityTests are the runs TestTruthCapacity measures, by test name: the
// capacity promised, the snapshots, and the availability and desired
// replicas they give.
var capacityTests = map[string]struct {
	promises     map[string]observe.Capacity
	snapshots    []capacitySnapshot // one a second from +1s
	want         []float64
	wantReplicas map[string]int
}{
	"a scale to 0 lowers availability": {
		promises: map[string]observe.Capacity{"shop/api": {Replicas: 3}},
		snapshots: []capacitySnapshot{
			{apiPods(3, 0), []*appsv1.Deployment{deploy("api", 3)}},
			{nil, []*appsv1.Deployment{deploy("api", 0)}},
		},
		want: []float64{1, 0}, wantReplicas: map[string]int{"shop/api": 3},
	},
	"a scale to 0 lowers availability without a promise too": {
		snapshots: []capacitySnapshot{
			{apiPods(3, 0), []*appsv1.Deployment{deploy("api", 3)}},
			{nil, []*appsv1.Deployment{deploy("api", 0)}},
		},
		want: []float64{1, 0}, wantReplicas: map[string]int{"shop/api": 3},
	},
	"scaled to 0 before the first snapshot": {
		promises:  map[string]observe.Capacity{"shop/api": {Replicas: 3}},
		snapshots: []capacitySnapshot{{nil, []*appsv1.Deployment{deploy("api", 0)}}},
		want:      []float64{0}, wantReplicas: map[string]int{"shop/api": 3},
	},
	"a scale-down counts against the promise": {
		promises: map[string]observe.Capacity{"shop/api": {Replicas: 3}},
		snapshots: []capacitySnapshot{
			{apiPods(1, 0), []*appsv1.Deployment{deploy("api", 1)}},
		},
		want: []float64{1.0 / 3}, wantReplicas: map[string]int{"shop/api": 3},
	},
	"a deleted Deployment counts as 0 serving": {
		promises: map[string]observe.Capacity{"shop/api": {Replicas: 3}, "shop/web": {Replicas: 1}},
		snapshots: []capacitySnapshot{
			{append(apiPods(3, 0), pod("web-0", app("web"))), []*appsv1.Deployment{deploy("api", 3), deploy("web", 1)}},
			{[]*corev1.Pod{pod("web-0", app("web"))}, []*appsv1.Deployment{deploy("web", 1)}},
		},
		want: []float64{1, 0.25}, wantReplicas: map[string]int{"shop/api": 3, "shop/web": 1},
	},
	"a deleted Deployment scaled down first counts its promise": {
		promises: map[string]observe.Capacity{"shop/api": {Replicas: 3}},
		snapshots: []capacitySnapshot{
			{nil, []*appsv1.Deployment{deploy("api", 0)}},
			{nil, nil},
		},
		want: []float64{0, 0}, wantReplicas: map[string]int{"shop/api": 3},
	},
	"a scale-up raises the denominator only from when it is seen": {
		promises: map[string]observe.Capacity{"shop/api": {Replicas: 3}},
		snapshots: []capacitySnapshot{
			{apiPods(3, 0), []*appsv1.Deployment{deploy("api", 3)}},
			{apiPods(3, 2), []*appsv1.Deployment{deploy("api", 5)}},
			{apiPods(5, 0), []*appsv1.Deployment{deploy("api", 5)}},
			// Scaled back to the promise: the highest seen still counts.
			{apiPods(3, 0), []*appsv1.Deployment{deploy("api", 3)}},
		},
		want: []float64{1, 0.6, 1, 0.6}, wantReplicas: map[string]int{"shop/api": 5},
	},
	"autoscaled at 6 then back to 3 with MinReplicas 3": {
		promises: map[string]observe.Capacity{"shop/api": {Autoscaled: true, MinReplicas: 3}},
		snapshots: []capacitySnapshot{
			{apiPods(3, 0), []*appsv1.Deployment{deploy("api", 3)}},
			{apiPods(4, 2), []*appsv1.Deployment{deploy("api", 6)}},
			{apiPods(6, 0), []*appsv1.Deployment{deploy("api", 6)}},
			{apiPods(3, 0), []*appsv1.Deployment{deploy("api", 3)}},
		},
		want: []float64{1, 4.0 / 6, 1, 1}, wantReplicas: map[string]int{"shop/api": 3},
	},
	"autoscaled, scaled to 1 below MinReplicas 3": {
		promises: map[string]observe.Capacity{"shop/api": {Autoscaled: true, MinReplicas: 3}},
		snapshots: []capacitySnapshot{
			{apiPods(3, 0), []*appsv1.Deployment{deploy("api", 3)}},
			{apiPods(1, 0), []*appsv1.Deployment{deploy("api", 1)}},
		},
		want: []float64{1, 1.0 / 3}, wantReplicas: map[string]int{"shop/api": 3},
	},
	"autoscaled: Replicas is not read": {
		promises: map[string]observe.Capacity{"shop/api": {Replicas: 10, Autoscaled: true, MinReplicas: 2}},
		snapshots: []capacitySnapshot{
			{apiPods(2, 0), []*appsv1.Deployment{deploy("api", 2)}},
		},
		want: []float64{1}, wantReplicas: map[string]int{"shop/api": 2},
	},
	"autoscaled and deleted: its last desired replicas, none serving": {
		promises: map[string]observe.Capacity{"shop/api": {Autoscaled: true, MinReplicas: 2}},
		snapshots: []capacitySnapshot{
			{apiPods(4, 0), []*appsv1.Deployment{deploy("api", 4)}},
			{nil, nil},
		},
		want: []float64{1, 0}, wantReplicas: map[string]int{"shop/api": 4},
	},
	"a paused Deployment counts by its serving pods": {
		promises: map[string]observe.Capacity{"shop/api": {Replicas: 3}},
		snapshots: []capacitySnapshot{
			{apiPods(2, 1), []*appsv1.Deployment{scaled("api", 3, paused)}},
			{apiPods(3, 0), []*appsv1.Deployment{scaled("api", 3, paused)}},
		},
		want: []float64{2.0 / 3, 1}, wantReplicas: map[string]int{"shop/api": 3},
	},
	"a promise for another workload changes nothing": {
		promises: map[string]observe.Capacity{"other/api": {Replicas: 9}},
		snapshots: []capacitySnapshot{
			{apiPods(2, 0), []*appsv1.Deployment{deploy("api", 2)}},
		},
		want: []float64{1}, wantReplicas: map[string]int{"shop/api": 2},
	},
	"a promise above what the fixture got": {
		promises: map[string]observe.Capacity{"shop/api": {Replicas: 4}},
		snapshots: []capacitySnapshot{
			{apiPods(2, 0), []*appsv1.Deployment{deploy("api", 2)}},
		},
		want: []float64{0.5}, wantReplicas: map[string]int{"shop/api": 4},
	},
}

func TestTruthCapacity(t *testing.T) {
	for name, tc := range capacityTests {
		t.Run(name, func(t *testing.T) {
			tr := observe.NewTruth(nil)
			for w, c := range tc.promises {
				tr.Promise(w, c)
			}
			for i, s := range tc.snapshots {
				tr.Observe(testutil.At(float64(i+1)), s.pods, s.deps)
			}
			var got []float64
			for _, s := range tr.Result().Samples {
				got = append(got, s.Availability)
			}
			if !slices.EqualFunc(got, tc.want, func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }) {
				t.Errorf("availability = %v, want %v", got, tc.want)
			}
			if r := tr.Replicas(); !maps.Equal(r, tc.wantReplicas) {
				t.Errorf("Replicas = %v, want %v", r, tc.wantReplicas)
			}
		})
	}
}
