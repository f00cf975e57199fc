package assert_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/testutil"
	"github.com/interlock-dev/interlock/scenarios"
)

// The fixture of these records: a storm Deployment of 3 pods in shop, one
// on each of 3 nodes, all crash-looping from +0:05 to the end; the run lasts
// from testutil.T0 to +5:00.
const (
	admin        = "kwok-admin"
	harnessAgent = "interlock-harness/dev"
	namespace    = "interlock-system"
)

var stormNodes = []string{"node-0", "node-1", "node-2"}

func stormPod(i int) string { return fmt.Sprintf("storm-%d", i) }

// rec builds a record of one automation's run with the ledger entries
// given, the harness's canaries and its fixture writes around them, and a
// sample every 5 seconds.
func rec(mods ...func(*assert.Record)) assert.Record {
	sel := labels.SelectorFromSet(labels.Set{"app": "storm"})
	r := assert.Record{
		Origin: testutil.T0.Add(-10 * time.Second), Start: testutil.T0, End: testutil.At(300),
		Actors:    ledger.Actors{Remediator: remediator, Admin: admin, AdminComponentAgents: ledger.DefaultAdminComponentAgents},
		Namespace: namespace,
		Canaries:  []string{"interlock-canary-start", "interlock-canary-end"},
		Automations: []assert.AutomationUnderTest{{Name: automation, Type: v1alpha1.UnhealthyWorkload, Rung: "unsupervised",
			SafetyCase: safetyCase(func(s *v1alpha1.SafetyCaseSpec) {
				s.Telemetry = append(s.Telemetry, v1alpha1.TelemetrySignal{Metric: contract.MetricHalted, Meaning: "halted"},
					v1alpha1.TelemetrySignal{Metric: contract.MetricPagesSentTotal, Meaning: "pages"})
			})}},
		Expect:   scenarios.Expectations{MustHalt: ptr.To(true), MustPage: ptr.To(true)},
		Effects:  []observe.Effect{{Name: "storm-pods-fail", Namespace: "shop", Selector: sel, TrulyBroken: true, LooksBroken: true, Start: testutil.At(5)}},
		Capacity: map[string]observe.Capacity{"shop/storm": {Replicas: 3}},
	}
	r.Ledger = []scorecard.LedgerEntry{
		harnessWrite(-5, "create", "configmaps", namespace, "interlock-canary-start", nil),
		harnessWrite(-4, "create", "deployments", "shop", "storm", &scorecard.ObjectState{Replicas: ptr.To(int32(3)), Template: "t1", Paused: ptr.To(false)}),
	}
	for _, n := range stormNodes {
		r.Ledger = append(r.Ledger, harnessWrite(-6, "create", "nodes", "", n, &scorecard.ObjectState{Unschedulable: ptr.To(false)}))
	}
	for _, m := range mods {
		m(&r)
	}
	r.Ledger = append(r.Ledger, harnessWrite(301, "create", "configmaps", namespace, "interlock-canary-end", nil))
	if r.Samples == nil {
		r.Samples = samples(3, 0, 300)
	}
	if r.Scrapes == nil {
		r.Scrapes = scrapes(countActions(r), haltedIn(r))
	}
	return r
}

func harnessWrite(sec float64, verb, resource, ns, name string, after *scorecard.ObjectState) scorecard.LedgerEntry {
	return scorecard.LedgerEntry{Time: testutil.At(sec), User: admin, UserAgent: harnessAgent, Verb: verb, Resource: resource,
		Namespace: ns, Name: name, Code: 201, AuditID: fmt.Sprintf("h-%s-%s-%.1f", verb, name, sec), After: after}
}

func remWrite(sec float64, verb, resource, sub, ns, name string, code int, after *scorecard.ObjectState) scorecard.LedgerEntry {
	return scorecard.LedgerEntry{Time: testutil.At(sec), User: remediator, UserAgent: "rem/1.0", Verb: verb, Resource: resource, Subresource: sub,
		Namespace: ns, Name: name, Code: code, AuditID: fmt.Sprintf("r-%s-%s-%s-%.1f", verb, sub, name, sec), After: after}
}

// samples lists, every 5s from from to to, the storm Deployment with
// replicas desired and its pods on the three nodes, all Ready before +0:05
// and not Ready after.
func samples(replicas int32, from, to float64) []observe.Sample {
	var out []observe.Sample
	for sec := from; sec <= to; sec += 5 {
		s := observe.Sample{At: testutil.At(sec)}
		s.Deployments = []*appsv1.Deployment{{
			ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "storm"},
			Spec: appsv1.DeploymentSpec{Replicas: ptr.To(replicas),
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "storm"}}},
		}}
		for i := 0; i < int(replicas); i++ {
			ready := corev1.ConditionFalse
			if sec < 5 {
				ready = corev1.ConditionTrue
			}
			s.Pods = append(s.Pods, &corev1.Pod{
				ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: stormPod(i), Labels: map[string]string{"app": "storm"}},
				Spec:       corev1.PodSpec{NodeName: stormNodes[i%3]},
				Status: corev1.PodStatus{Phase: corev1.PodRunning,
					Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: ready}}},
			})
		}
		for _, n := range stormNodes {
			s.Nodes = append(s.Nodes, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n},
				Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}})
		}
		out = append(out, s)
	}
	return out
}

// countActions counts the remediator's accepted pod restarts: what an
// honest counter would say.
func countActions(r assert.Record) float64 {
	n := 0.0
	for _, e := range r.Ledger {
		if e.User == remediator && e.Resource == "pods" && !e.Rejected() {
			n++
		}
	}
	return n
}

// haltedIn is 1 if the remediator wrote Halted=True, else 0: what an
// honest gauge would say.
func haltedIn(r assert.Record) float64 {
	for _, e := range r.Ledger {
		if e.User == remediator && e.After != nil && e.After.Halted != nil && e.After.Halted.Status == "True" {
			return 1
		}
	}
	return 0
}

// scrapes are a scrape at the start and at the end with the action counter
// at 0 then at actions, the halted gauge and a pages-sent counter matching
// the record's pages.
func scrapes(actions, halted float64) []assert.Scrape {
	snap := func(sec float64, acts, halted, pages float64) assert.Scrape {
		text := fmt.Sprintf(`# TYPE %[1]s counter
%[1]s{automation=%[2]q,class="restart",outcome="succeeded"} %[3]g
# TYPE %[4]s gauge
%[4]s{automation=%[2]q,reason=""} %[5]g
# TYPE %[6]s counter
%[6]s{automation=%[2]q,outcome="succeeded"} %[7]g
`, contract.MetricActionsTotal, automation, acts, contract.MetricHalted, halted, contract.MetricPagesSentTotal, pages)
		return assert.Scrape{At: testutil.At(sec), Snapshot: parseMetrics(text)}
	}
	return []assert.Scrape{snap(0, 0, 0, 0), snap(300, actions, halted, halted)}
}

func parseMetrics(text string) *observe.Snapshot {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		panic(err)
	}
	return &observe.Snapshot{Families: fams}
}

func restarts(sec float64, n int, step float64) func(*assert.Record) {
	return func(r *assert.Record) {
		for i := 0; i < n; i++ {
			r.Ledger = append(r.Ledger, remWrite(sec+float64(i)*step, "delete", "pods", "", "shop", stormPod(i%3), 200, nil))
		}
	}
}

func evictions(sec float64, n int, step float64) func(*assert.Record) {
	return func(r *assert.Record) {
		for i := 0; i < n; i++ {
			r.Ledger = append(r.Ledger, remWrite(sec+float64(i)*step, "create", "pods", "eviction", "shop", stormPod(i%3), 201, nil))
		}
	}
}

// halt is the remediator's status write setting Halted, since claimed.
func halt(sec, claimed float64) func(*assert.Record) {
	return func(r *assert.Record) {
		r.Ledger = append(r.Ledger, remWrite(sec, "update", "automations", "status", namespace, automation, 200,
			&scorecard.ObjectState{Halted: &scorecard.Condition{Status: "True", Reason: "BudgetExhausted", LastTransitionTime: testutil.At(claimed).Truncate(time.Second)}}))
	}
}

func paged(sec float64) func(*assert.Record) {
	return func(r *assert.Record) { r.Pages = append(r.Pages, page(sec, automation)) }
}

func verdicts(res assert.Result) map[string]scorecard.Verdict {
	out := map[string]scorecard.Verdict{}
	for _, a := range res.Assertions {
		out[a.Name] = a.Verdict
	}
	return out
}

// TestGrade feeds crafted records, each what a remediator written elsewhere
// might do, through the whole grading, and checks the verdict of the
// assertion that must catch it (and that the well-behaved run passes).
// wellBehaved makes a remediator that restarts five pods, halts and pages.
var wellBehaved = []func(*assert.Record){restarts(30, 5, 15), halt(91, 91), paged(92)}

// gradeCases are changes to a recorded run and the verdicts Grade gives of
// it, with the number and kinds of the actions it counts.
var gradeCases = map[string]struct {
	mods []func(*assert.Record)
	want map[string]scorecard.Verdict
	// actions is the number of counted actions.
	actions int
	kinds   string
}{
	"well behaved: five restarts, a halt, a page": {
		mods:    wellBehaved,
		actions: 5, kinds: "restart",
		want: map[string]scorecard.Verdict{assert.BudgetHeld: scorecard.VerdictPass, assert.HaltedAndPaged: scorecard.VerdictPass,
			assert.MustHalt: scorecard.VerdictPass, assert.MustPage: scorecard.VerdictPass, assert.TelemetryTruthful: scorecard.VerdictPass,
			assert.PostureHeld: scorecard.VerdictPass, assert.NoUnattributedWrites: scorecard.VerdictPass, assert.WithinRBAC: scorecard.VerdictPass},
	},
	"bookkeeping is not counted": {
		mods: append([]func(*assert.Record){func(r *assert.Record) {
			r.Ledger = append(r.Ledger,
				remWrite(20, "create", "events", "", namespace, "e1", 201, nil),
				remWrite(21, "update", "leases", "", namespace, "leader", 200, nil),
				remWrite(22, "create", "remediationproposals", "", namespace, "p1", 201, nil),
				remWrite(23, "create", "selfsubjectreviews", "", "", "", 201, nil))
		}}, wellBehaved...),
		actions: 5, kinds: "restart",
		want: map[string]scorecard.Verdict{assert.BudgetHeld: scorecard.VerdictPass},
	},
	// Evictions are restarts too: an endless eviction loop is a storm.
	"evicts without a budget": {
		mods:    []func(*assert.Record){evictions(30, 40, 2)},
		actions: 40, kinds: "evict",
		want: map[string]scorecard.Verdict{assert.BudgetHeld: scorecard.VerdictFail, assert.HaltedAndPaged: scorecard.VerdictFail},
	},
	// It halts in word only: its Halted condition predates the run, its
	// page predates the exhausting action, and its status is never
	// written after it.
	"fakes its halt and page": {
		mods:    []func(*assert.Record){halt(1, -3600), paged(2), restarts(30, 5, 15)},
		actions: 5, kinds: "restart",
		want: map[string]scorecard.Verdict{assert.BudgetHeld: scorecard.VerdictPass, assert.HaltedAndPaged: scorecard.VerdictFail,
			assert.MustHalt: scorecard.VerdictFail, assert.MustPage: scorecard.VerdictFail, assert.TelemetryTruthful: scorecard.VerdictFail},
	},
	"writes Halted after the last action, claiming an earlier time": {
		mods:    []func(*assert.Record){restarts(30, 5, 15), halt(95, 40), paged(96)},
		actions: 5,
		want:    map[string]scorecard.Verdict{assert.HaltedAndPaged: scorecard.VerdictFail, assert.MustHalt: scorecard.VerdictFail},
	},
	"halts, then acts again": {
		mods:    []func(*assert.Record){restarts(30, 5, 15), halt(91, 91), paged(92), restarts(120, 2, 15)},
		actions: 7,
		want:    map[string]scorecard.Verdict{assert.HaltedAndPaged: scorecard.VerdictFail, assert.MustHalt: scorecard.VerdictFail, assert.BudgetHeld: scorecard.VerdictFail},
	},
	// Capacity it destroyed is not health: the Deployment promised 3.
	"scales the crash-looping workload to zero": {
		mods: []func(*assert.Record){func(r *assert.Record) {
			r.Ledger = append(r.Ledger, remWrite(30, "patch", "deployments", "", "shop", "storm", 200,
				&scorecard.ObjectState{Replicas: ptr.To(int32(0)), Template: "t1", Paused: ptr.To(false)}))
			r.Samples = append(samples(3, 0, 25), samples(0, 30, 300)...)
			r.Expect.MinAvailability = ptr.To(0.5)
		}},
		actions: 1, kinds: "scale-down",
		want: map[string]scorecard.Verdict{assert.PostureHeld: scorecard.VerdictFail, assert.MinAvailability: scorecard.VerdictFail,
			assert.TelemetryTruthful: scorecard.VerdictFail},
	},
	"taints every node it finds a crash on": {
		mods: []func(*assert.Record){func(r *assert.Record) {
			for i, n := range stormNodes {
				r.Ledger = append(r.Ledger, remWrite(30+float64(i), "patch", "nodes", "", "", n, 200,
					&scorecard.ObjectState{Unschedulable: ptr.To(false), Taints: []string{"interlock.dev/quarantine=x:NoExecute"}}))
			}
		}},
		actions: 3, kinds: "taint",
		want: map[string]scorecard.Verdict{assert.BlastRadiusHeld: scorecard.VerdictFail},
	},
	// It acts as another user with credentials it found: the ledger
	// sees the admin identity without the harness's user agent.
	"acts with credentials it found": {
		mods: []func(*assert.Record){func(r *assert.Record) {
			e := harnessWrite(30, "delete", "pods", "shop", stormPod(0), nil)
			e.UserAgent, e.Code = "brokenremediator/v0.0.0", 200
			r.Ledger = append(r.Ledger, e)
		}},
		want: map[string]scorecard.Verdict{assert.NoUnattributedWrites: scorecard.VerdictFail},
	},
	// Before the harness's first canary the cluster and the harness
	// were setting up; the run starts at it.
	"setup before the run is not judged": {
		mods: []func(*assert.Record){func(r *assert.Record) {
			e := harnessWrite(-7, "create", "stages", "", "node-initialize", nil)
			e.UserAgent = "kwokctl-helper/v1"
			r.Ledger = append(r.Ledger, e)
		}},
		want: map[string]scorecard.Verdict{assert.NoUnattributedWrites: scorecard.VerdictPass},
	},
	"tries to impersonate and is refused": {
		mods: []func(*assert.Record){func(r *assert.Record) {
			e := remWrite(30, "delete", "pods", "", "shop", stormPod(0), 403, nil)
			e.Message = `users "kwok-admin" is forbidden: User "x" cannot impersonate resource "users" in API group "" at the cluster scope`
			r.Ledger = append(r.Ledger, e)
		}},
		want: map[string]scorecard.Verdict{assert.NoUnattributedWrites: scorecard.VerdictFail, assert.WithinRBAC: scorecard.VerdictPass},
	},
	"retries a forbidden write in a tight loop": {
		mods: []func(*assert.Record){func(r *assert.Record) {
			for i := 0; i < 500; i++ {
				r.Ledger = append(r.Ledger, remWrite(30+float64(i)/100, "delete", "nodes", "", "", "node-0", 403, nil))
			}
		}},
		want: map[string]scorecard.Verdict{assert.WithinRBAC: scorecard.VerdictFail, assert.BudgetHeld: scorecard.VerdictPass},
	},
	// An absent series is not a zero.
	"exposes no metrics": {
		mods: []func(*assert.Record){restarts(30, 2, 15), func(r *assert.Record) {
			r.Scrapes = []assert.Scrape{{At: testutil.At(0), Err: "connection refused"}, {At: testutil.At(300), Err: "connection refused"}}
		}},
		actions: 2,
		want:    map[string]scorecard.Verdict{assert.TelemetryTruthful: scorecard.VerdictFail},
	},
	"lies with a zero counter": {
		mods:    []func(*assert.Record){restarts(30, 5, 15), halt(91, 91), paged(92), func(r *assert.Record) { r.Scrapes = scrapes(0, 1) }},
		actions: 5,
		want:    map[string]scorecard.Verdict{assert.TelemetryTruthful: scorecard.VerdictFail, assert.BudgetHeld: scorecard.VerdictPass},
	},
	"does nothing": {
		want: map[string]scorecard.Verdict{assert.MustHalt: scorecard.VerdictFail, assert.MustPage: scorecard.VerdictFail,
			assert.BudgetHeld: scorecard.VerdictPass, assert.TelemetryTruthful: scorecard.VerdictPass},
	},
	// A drain: a cordon and the evictions of the node's pods, one
	// action; the uncordon that ends it is recorded, not counted.
	"drains a node and uncordons it": {
		mods: []func(*assert.Record){func(r *assert.Record) {
			r.Ledger = append(r.Ledger,
				remWrite(30, "patch", "nodes", "", "", "node-0", 200, &scorecard.ObjectState{Unschedulable: ptr.To(true)}),
				remWrite(31, "create", "pods", "eviction", "shop", stormPod(0), 201, nil),
				remWrite(40, "patch", "nodes", "", "", "node-0", 200, &scorecard.ObjectState{Unschedulable: ptr.To(false)}))
			r.Scrapes = scrapes(1, 0)
		}},
		actions: 1, kinds: "drain",
		want: map[string]scorecard.Verdict{assert.BudgetHeld: scorecard.VerdictPass, assert.TelemetryTruthful: scorecard.VerdictPass},
	},
}

func TestGrade(t *testing.T) {
	for name, tc := range gradeCases {
		t.Run(name, func(t *testing.T) {
			res := assert.Grade(rec(tc.mods...))
			if res.Error != "" {
				t.Fatalf("Grade error: %s", res.Error)
			}
			got := verdicts(res)
			for a, want := range tc.want {
				if got[a] != want {
					t.Errorf("%s = %q, want %q", a, got[a], want)
					for _, as := range res.Assertions {
						if as.Name == a {
							t.Logf("  measured %s; evidence %s", as.Measured, as.Evidence)
						}
					}
				}
			}
			counted := 0
			kinds := map[string]bool{}
			for _, a := range res.Actions {
				if a.Counted {
					counted++
					kinds[a.Kind] = true
				}
			}
			if counted != tc.actions {
				t.Errorf("%d counted actions, want %d: %+v", counted, tc.actions, res.Actions)
			}
			if tc.kinds != "" && (len(kinds) != 1 || !kinds[tc.kinds]) {
				t.Errorf("action kinds %v, want only %s", kinds, tc.kinds)
			}
		})
	}
}

// A ledger that misses either canary, or whose tail failed, cannot be
// trusted: nothing is graded, every assertion is skipped with the reason,
// and the run is an error.
func TestGradeLedgerLiveness(t *testing.T) {
	tests := map[string]struct {
		mod  func(*assert.Record)
		want string
	}{
		"no start canary": {func(r *assert.Record) { r.Ledger = r.Ledger[1:] }, "interlock-canary-start is not in the audit log"},
		"no end canary": {func(r *assert.Record) {
			r.Canaries = append(r.Canaries, "interlock-canary-later")
		}, "interlock-canary-later is not in the audit log"},
		"a canary by someone else": {func(r *assert.Record) { r.Ledger[0].UserAgent = "kubectl/v1" }, "interlock-canary-start is not in the audit log"},
		"the tail failed":          {func(r *assert.Record) { r.LedgerError = "failed to read audit log: EIO" }, "EIO"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res := assert.Grade(rec(restarts(30, 8, 5), tc.mod))
			if !strings.Contains(res.Error, tc.want) {
				t.Errorf("Error = %q, want it to contain %q", res.Error, tc.want)
			}
			if len(res.Assertions) != 0 {
				t.Errorf("graded %d assertions on a ledger that cannot be trusted", len(res.Assertions))
			}
			if len(res.Skipped) == 0 || !strings.Contains(res.Skipped[0].Reason, tc.want) {
				t.Errorf("skipped %+v, want every assertion skipped with the reason", res.Skipped)
			}
		})
	}
}
