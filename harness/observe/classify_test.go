package observe_test

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/testutil"
)

func TestClassifyAction(t *testing.T) {
	deps := []*appsv1.Deployment{deploy("api", 3)}
	// Three snapshots: +20s, +30s, +40s. api-0 is ready and healthy; api-1
	// crash-loops (truly broken); api-2's readiness lies (looks broken).
	// api-3 is never seen.
	observeRun := func(tr *observe.Truth) {
		for _, sec := range []float64{20, 30, 40} {
			tr.Observe(testutil.At(sec), []*corev1.Pod{pod("api-0"), pod("api-1", notReady), pod("api-2", notReady), pod("web-0", notReady, app("web"))},
				append(deps, deploy("web", 1)))
		}
		// At the action's own instant api-0 already shows as terminating.
		tr.Observe(testutil.At(45), []*corev1.Pod{pod("api-0", terminating)}, deps)
	}
	effects := []observe.Effect{
		effect("crash-api-1", truly, podsNamed("api-1")),
		effect("lie-api-2", looks, podsNamed("api-2")),
	}
	tests := map[string]struct {
		entry        scorecard.LedgerEntry
		want         observe.Grade
		wantWorkload string
		wantReason   string
	}{
		"a healthy pod deleted": {
			entry: deletePod(45, "api-0"), want: observe.GradeFalsePositive, wantWorkload: "shop/api",
			wantReason: "ready, no fault on it when last observed at 03:00:40",
		},
		"a crash-looping pod evicted": {
			entry: evictPod(35, "api-1"), want: observe.GradeTruePositive, wantWorkload: "shop/api",
			wantReason: "truly broken (crash-api-1) when last observed at 03:00:30",
		},
		"a pod whose readiness lied": {
			entry: deletePod(41, "api-2"), want: observe.GradeFalsePositive, wantWorkload: "shop/api",
			wantReason: "serving though it looked broken (lie-api-2)",
		},
		"not ready, no fault on it": {
			entry: deletePod(41, "web-0"), want: observe.GradeTruePositive, wantWorkload: "shop/web",
			wantReason: "not ready, no fault on it",
		},
		"a pod never seen": {
			entry: deletePod(41, "api-3"), want: observe.GradeUnknown, wantReason: "never observed",
		},
		"before the first snapshot": {
			entry: deletePod(20, "api-0"), want: observe.GradeUnknown, wantReason: "never observed",
		},
		"a refused eviction": {
			entry: action(41, "create", "pods", "eviction", "shop", "api-0", 429), want: observe.GradeNotGraded,
			wantReason: "rejected it (429)",
		},
		"a cordon": {
			entry: cordon(41, "kwok-node-0"), want: observe.GradeNotGraded, wantReason: "not a pod deletion",
		},
		"a rollback": {
			entry: action(41, "patch", "deployments", "", "shop", "api", 200), want: observe.GradeNotGraded,
			wantWorkload: "shop/api", wantReason: "not a pod deletion",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tr := observe.NewTruth(effects)
			observeRun(tr)
			c := tr.ClassifyAction(tc.entry)
			if c.Grade != tc.want || c.Workload != tc.wantWorkload {
				t.Errorf("grade, workload = %s, %q; want %s, %q (%s)", c.Grade, c.Workload, tc.want, tc.wantWorkload, c.Reason)
			}
			if !strings.Contains(c.Reason, tc.wantReason) {
				t.Errorf("reason %q does not contain %q", c.Reason, tc.wantReason)
			}
			fps := tr.Result().FalsePositives
			if wantFP := tc.want == observe.GradeFalsePositive; (len(fps) == 1) != wantFP {
				t.Errorf("false positives = %q, want one: %v", fps, wantFP)
			}
		})
	}
}

func TestFalsePositivesAreRecordedOnce(t *testing.T) {
	tr := observe.NewTruth(nil)
	tr.Observe(testutil.At(1), []*corev1.Pod{pod("api-0")}, []*appsv1.Deployment{deploy("api", 1)})
	e := deletePod(2, "api-0")
	tr.ClassifyAction(e)
	tr.ClassifyAction(e)
	fps := tr.Result().FalsePositives
	if len(fps) != 1 || !strings.Contains(fps[0], "shop/api-0: deleted at 03:00:02 UTC") {
		t.Errorf("false positives = %q, want one for shop/api-0", fps)
	}
}

// observeFalseNegativeRun takes snapshots every 10s from +0s to +120s: the
// api pods run on kwok-node-0, web-0 on kwok-node-1.
func observeFalseNegativeRun(tr *observe.Truth) {
	for sec := 0.0; sec <= 120; sec += 10 {
		tr.Observe(testutil.At(sec),
			[]*corev1.Pod{pod("api-0"), pod("api-1"), pod("web-0", app("web"), onNode("kwok-node-1"))},
			[]*appsv1.Deployment{deploy("api", 2), deploy("web", 1)})
	}
}

// falseNegativeTests are the effects and actions TestFalseNegatives grades
// on observeFalseNegativeRun, by test name.
var falseNegativeTests = map[string]struct {
	effects []observe.Effect
	actions []scorecard.LedgerEntry
	want    []string // substrings, one per false negative
}{
	"remedied: a covered pod deleted in the window": {
		effects: []observe.Effect{effect("crash", truly, podsNamed("api-1"))},
		actions: []scorecard.LedgerEntry{deletePod(40, "api-1")},
	},
	"remedied: a sibling of the workload deleted": {
		effects: []observe.Effect{effect("crash", truly, podsNamed("api-1"))},
		actions: []scorecard.LedgerEntry{deletePod(40, "api-0")},
	},
	"remedied at the very moment of recovery": {
		effects: []observe.Effect{effect("crash", truly)},
		actions: []scorecard.LedgerEntry{deletePod(100, "api-0")},
	},
	"never acted": {
		effects: []observe.Effect{effect("crash", truly)},
		want:    []string{"crash: pods app=api in shop truly broken from 03:00:10 UTC to 03:01:40 UTC; the remediator never acted on it"},
	},
	"acted before the outage": {
		effects: []observe.Effect{effect("crash", truly)},
		actions: []scorecard.LedgerEntry{deletePod(5, "api-0")},
		want:    []string{"crash:"},
	},
	"acted on another workload": {
		effects: []observe.Effect{effect("crash", truly)},
		actions: []scorecard.LedgerEntry{deletePod(40, "web-0")},
		want:    []string{"crash:"},
	},
	"the action was refused": {
		effects: []observe.Effect{effect("crash", truly)},
		actions: []scorecard.LedgerEntry{action(40, "create", "pods", "eviction", "shop", "api-0", 429)},
		want:    []string{"crash:"},
	},
	"a lie is never a false negative": {
		effects: []observe.Effect{effect("lie", looks)},
	},
	"node down, cordoned": {
		effects: []observe.Effect{effect("down", truly, nodes("kwok-node-1"))},
		actions: []scorecard.LedgerEntry{cordon(30, "kwok-node-1")},
	},
	"node down, its pod evicted": {
		effects: []observe.Effect{effect("down", truly, nodes("kwok-node-1"))},
		actions: []scorecard.LedgerEntry{evictPod(30, "web-0")},
	},
	"node down, another node cordoned": {
		effects: []observe.Effect{effect("down", truly, nodes("kwok-node-1"))},
		actions: []scorecard.LedgerEntry{cordon(30, "kwok-node-0")},
		want:    []string{"down: nodes kwok-node-1 truly broken"},
	},
	"bad deploy rolled back": {
		effects: []observe.Effect{effect("bad-rev", truly, window(10, 0))},
		actions: []scorecard.LedgerEntry{action(60, "patch", "deployments", "", "shop", "api", 200)},
	},
	"two outages, one remedied": {
		effects: []observe.Effect{effect("crash", truly), effect("down", truly, nodes("kwok-node-1"))},
		actions: []scorecard.LedgerEntry{deletePod(40, "api-1")},
		want:    []string{"down:"},
	},
}

func TestFalseNegatives(t *testing.T) {
	for name, tc := range falseNegativeTests {
		t.Run(name, func(t *testing.T) {
			tr := observe.NewTruth(tc.effects)
			observeFalseNegativeRun(tr)
			for _, a := range tc.actions {
				tr.ClassifyAction(a)
			}
			res := tr.Result()
			if len(res.FalseNegatives) != len(tc.want) {
				t.Fatalf("false negatives = %q, want %d", res.FalseNegatives, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(res.FalseNegatives[i], w) {
					t.Errorf("false negative %q does not contain %q", res.FalseNegatives[i], w)
				}
			}
			truly := 0
			for _, e := range tc.effects {
				if e.TrulyBroken {
					truly++
				}
			}
			if len(res.Broken) != truly {
				t.Errorf("broken = %q, want %d entries", res.Broken, truly)
			}
		})
	}
}

// nodeAction is an accepted write at sec on node that the ledger classified
// as kind.
func nodeAction(sec float64, node, kind string) scorecard.LedgerEntry {
	e := action(sec, "patch", "nodes", "", "", node, 200)
	e.Kind = kind
	return e
}

// observeNodeRun takes snapshots every 20s from +0s to +120s: api's pods
// run on kwok-node-0; kwok-node-1 runs nothing.
func observeNodeRun(tr *observe.Truth) {
	for _, sec := range []float64{0, 20, 40, 60, 80, 100, 120} {
		tr.Observe(testutil.At(sec), apiPods(2, 0), []*appsv1.Deployment{deploy("api", 2)})
	}
}

// nodeDown is kwok-node-1 truly down from +10s to +100s.
var nodeDown = effect("down", truly, nodes("kwok-node-1"))

// nodeActionTests are the entries TestClassifyNodeActions grades on
// observeNodeRun, by test name.
var nodeActionTests = map[string]struct {
	effects    []observe.Effect
	entry      scorecard.LedgerEntry
	want       observe.Grade
	wantReason string
	wantFP     string
}{
	"a cordon of a healthy node": {
		entry: nodeAction(41, "kwok-node-1", "cordon"), want: observe.GradeFalsePositive,
		wantReason: "no fault was on the node",
		wantFP:     "node kwok-node-1: cordoned at 03:00:41 UTC; no fault was on the node",
	},
	"a taint of a healthy node": {
		entry: nodeAction(41, "kwok-node-1", "taint"), want: observe.GradeFalsePositive,
		wantReason: "no fault was on the node",
		wantFP:     "node kwok-node-1: tainted at 03:00:41 UTC; no fault was on the node",
	},
	"a drain of a healthy node": {
		entry: nodeAction(41, "kwok-node-1", "drain"), want: observe.GradeFalsePositive,
		wantReason: "no fault was on the node",
		wantFP:     "node kwok-node-1: drained at 03:00:41 UTC; no fault was on the node",
	},
	"a cordon of a node under an active effect": {
		effects: []observe.Effect{nodeDown},
		entry:   nodeAction(41, "kwok-node-1", "cordon"), want: observe.GradeTruePositive,
		wantReason: "the node was truly broken (down)",
	},
	"a drain of a node that only looks down": {
		effects: []observe.Effect{effect("silent", looks, nodes("kwok-node-1"))},
		entry:   nodeAction(41, "kwok-node-1", "drain"), want: observe.GradeTruePositive,
		wantReason: "the node looked broken (silent)",
	},
	"a cordon at the very moment of recovery": {
		effects: []observe.Effect{nodeDown},
		entry:   nodeAction(100, "kwok-node-1", "cordon"), want: observe.GradeTruePositive,
		wantReason: "truly broken (down)",
	},
	"a cordon after the fault was recovered": {
		effects: []observe.Effect{nodeDown},
		entry:   nodeAction(101, "kwok-node-1", "cordon"), want: observe.GradeFalsePositive,
		wantReason: "no fault was on the node",
		wantFP:     "node kwok-node-1: cordoned at 03:01:41 UTC; no fault was on the node",
	},
	"a cordon before the fault": {
		effects: []observe.Effect{nodeDown},
		entry:   nodeAction(5, "kwok-node-1", "cordon"), want: observe.GradeFalsePositive,
		wantReason: "no fault was on the node",
		wantFP:     "node kwok-node-1: cordoned at 03:00:05 UTC; no fault was on the node",
	},
	"a cordon of another node than the fault's": {
		effects: []observe.Effect{nodeDown},
		entry:   nodeAction(41, "kwok-node-0", "cordon"), want: observe.GradeFalsePositive,
		wantReason: "no fault was on the node",
		wantFP:     "node kwok-node-0: cordoned at 03:00:41 UTC; no fault was on the node",
	},
	"a fault on pods is not a fault on their node": {
		effects: []observe.Effect{effect("crash", truly)},
		entry:   nodeAction(41, "kwok-node-0", "cordon"), want: observe.GradeFalsePositive,
		wantReason: "no fault was on the node",
		wantFP:     "node kwok-node-0: cordoned at 03:00:41 UTC; no fault was on the node",
	},
	"an effect that marks nothing on the node": {
		effects: []observe.Effect{effect("noop", nodes("kwok-node-1"))},
		entry:   nodeAction(41, "kwok-node-1", "taint"), want: observe.GradeFalsePositive,
		wantReason: "no fault was on the node",
		wantFP:     "node kwok-node-1: tainted at 03:00:41 UTC; no fault was on the node",
	},
	"a rejected cordon": {
		entry: func() scorecard.LedgerEntry {
			e := nodeAction(41, "kwok-node-1", "cordon")
			e.Code = 403
			return e
		}(),
		want: observe.GradeNotGraded, wantReason: "rejected it (403)",
	},
	"an uncordon": {
		entry: nodeAction(41, "kwok-node-1", "reversal"), want: observe.GradeNotGraded,
		wantReason: "not a pod deletion or eviction, nor a node cordon, taint or drain",
	},
	"a node write the ledger did not classify": {
		entry: cordon(41, "kwok-node-1"), want: observe.GradeNotGraded,
		wantReason: "nor a node cordon",
	},
	"a node's status": {
		entry: func() scorecard.LedgerEntry {
			e := nodeAction(41, "kwok-node-1", "cordon")
			e.Subresource = "status"
			return e
		}(),
		want: observe.GradeNotGraded, wantReason: "nor a node cordon",
	},
	"an eviction of a drain is graded as a pod's": {
		entry: func() scorecard.LedgerEntry {
			e := evictPod(41, "api-0")
			e.Kind = "drain"
			return e
		}(),
		want: observe.GradeFalsePositive, wantReason: "ready, no fault on it",
		wantFP: "shop/api-0: evicted at 03:00:41 UTC; pod was ready, no fault on it",
	},
}

func TestClassifyNodeActions(t *testing.T) {
	for name, tc := range nodeActionTests {
		t.Run(name, func(t *testing.T) {
			tr := observe.NewTruth(tc.effects)
			observeNodeRun(tr)
			c := tr.ClassifyAction(tc.entry)
			if c.Grade != tc.want || c.Workload != "" && tc.entry.Resource == "nodes" {
				t.Errorf("grade, workload = %s, %q; want %s, none (%s)", c.Grade, c.Workload, tc.want, c.Reason)
			}
			if !strings.Contains(c.Reason, tc.wantReason) {
				t.Errorf("reason %q does not contain %q", c.Reason, tc.wantReason)
			}
			fps := tr.Result().FalsePositives
			switch {
			case tc.wantFP == "" && len(fps) != 0:
				t.Errorf("false positives = %q, want none", fps)
			case tc.wantFP != "" && (len(fps) != 1 || !strings.HasPrefix(fps[0], tc.wantFP)):
				t.Errorf("false positives = %q, want one: %q", fps, tc.wantFP)
			}
		})
	}
}
