package observe_test

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/testutil"
)

func TestReversals(t *testing.T) {
	deps := []*appsv1.Deployment{deploy("api", 3)}
	three := []*corev1.Pod{pod("api-0"), pod("api-1"), pod("api-2")}
	type snapshot struct {
		sec  float64
		pods []*corev1.Pod
	}
	tests := map[string]struct {
		snapshots    []snapshot
		entry        scorecard.LedgerEntry
		wantMeasured bool
		wantReversed bool
		wantLevel    int
		wantDuration time.Duration
	}{
		"a healthy pod replaced": {
			snapshots: []snapshot{
				{10, three},
				{12, []*corev1.Pod{pod("api-0", terminating), pod("api-1"), pod("api-2")}},
				{14, []*corev1.Pod{pod("api-1"), pod("api-2"), pod("api-3", notReady)}},
				{16, []*corev1.Pod{pod("api-1"), pod("api-2"), pod("api-3")}},
			},
			entry:        deletePod(11, "api-0"),
			wantMeasured: true, wantReversed: true, wantLevel: 3, wantDuration: 5 * time.Second,
		},
		"a snapshot that predates the deletion is not a reversal": {
			snapshots: []snapshot{
				{10, three},
				{11.5, three}, // listed before the delete took effect
				{13, []*corev1.Pod{pod("api-1"), pod("api-2"), pod("api-3")}},
			},
			entry:        deletePod(11, "api-0"),
			wantMeasured: true, wantReversed: true, wantLevel: 3, wantDuration: 2 * time.Second,
		},
		"a broken pod's restart costs nothing": {
			snapshots: []snapshot{
				{10, []*corev1.Pod{pod("api-0", notReady), pod("api-1"), pod("api-2")}},
				{12, []*corev1.Pod{pod("api-1"), pod("api-2")}},
			},
			entry:        evictPod(11, "api-0"),
			wantMeasured: true, wantReversed: true, wantLevel: 2, wantDuration: time.Second,
		},
		"never back": {
			snapshots: []snapshot{
				{10, three},
				{12, []*corev1.Pod{pod("api-1"), pod("api-2")}},
				{40, []*corev1.Pod{pod("api-1"), pod("api-2"), pod("api-3", notReady)}},
			},
			entry:        deletePod(11, "api-0"),
			wantMeasured: true, wantReversed: false, wantLevel: 3, wantDuration: 29 * time.Second,
		},
		"no snapshot after the action": {
			snapshots:    []snapshot{{10, three}},
			entry:        deletePod(11, "api-0"),
			wantMeasured: false, wantLevel: 3,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tr := observe.NewTruth(nil)
			for _, s := range tc.snapshots {
				tr.Observe(testutil.At(s.sec), s.pods, deps)
			}
			tr.ClassifyAction(tc.entry)
			tr.ClassifyAction(cordon(11, "kwok-node-0")) // not a workload action
			rs := tr.Reversals()
			if len(rs) != 1 {
				t.Fatalf("reversals = %+v, want one", rs)
			}
			r := rs[0]
			if r.Workload != "shop/api" || r.Measured != tc.wantMeasured || r.Reversed != tc.wantReversed ||
				r.Level != tc.wantLevel || r.Duration != tc.wantDuration {
				t.Errorf("got %+v; want measured %v, reversed %v, level %d, duration %s",
					r, tc.wantMeasured, tc.wantReversed, tc.wantLevel, tc.wantDuration)
			}
		})
	}
}
