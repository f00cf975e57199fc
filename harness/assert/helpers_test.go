package assert_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/testutil"
)

const (
	remediator = "system:serviceaccount:interlock-system:remediator"
	automation = "restart-crashlooping"
)

func duration(d time.Duration) metav1.Duration { return metav1.Duration{Duration: d} }

// safetyCase is a complete safety case for a restart automation: at most 5
// actions in 10m, a page within 30s, one in flight and 34% of a workload,
// reversed within 30s; changed by mods.
func safetyCase(mods ...func(*v1alpha1.SafetyCaseSpec)) *v1alpha1.SafetyCaseSpec {
	sc := &v1alpha1.SafetyCaseSpec{
		Owner: "team-platform-sre",
		Trigger: v1alpha1.Trigger{
			Condition:          "A pod crash-loops for 2 minutes.",
			For:                duration(2 * time.Minute),
			FalsePositiveModes: []string{"A slow start that would have settled."},
			FalseNegativeModes: []string{"A pod that serves errors but never restarts."},
		},
		Action: v1alpha1.Action{
			Description:          "Delete the pod so its ReplicaSet replaces it.",
			Class:                "restart",
			WorstCaseBlastRadius: "One pod per action.",
		},
		Reversal: v1alpha1.Reversal{
			Procedure:     "The ReplicaSet replaces the pod.",
			TimeToReverse: duration(30 * time.Second),
		},
		Budget: v1alpha1.Budget{
			MaxActions: 5,
			Window:     duration(10 * time.Minute),
			PageWithin: duration(30 * time.Second),
		},
		BlastRadius: v1alpha1.BlastRadius{MaxInFlight: 1, MaxUnavailablePercent: 34},
		Telemetry: []v1alpha1.TelemetrySignal{
			{Metric: contract.MetricActionsTotal, Alert: "InterlockRemediatorActionRateHigh", Meaning: "Restarts outpace crashes."},
		},
	}
	for _, m := range mods {
		m(sc)
	}
	return sc
}

// entry is an action by the remediator at sec.
func entry(sec float64, verb, resource, sub, name string, code int) scorecard.LedgerEntry {
	ns := "shop"
	if resource == "nodes" {
		ns = ""
	}
	return scorecard.LedgerEntry{Time: testutil.At(sec), User: remediator, Verb: verb, Resource: resource, Subresource: sub,
		Namespace: ns, Name: name, Code: code, AuditID: fmt.Sprintf("audit-%s-%s-%07.1f", verb, name, sec)}
}

func del(sec float64, pod string) scorecard.LedgerEntry {
	return entry(sec, "delete", "pods", "", pod, 200)
}
func evict(sec float64, pod string) scorecard.LedgerEntry {
	return entry(sec, "create", "pods", "eviction", pod, 201)
}
func forbidden(sec float64, pod string) scorecard.LedgerEntry {
	return entry(sec, "delete", "pods", "", pod, 403)
}

// every is a deletion of a new api pod every step seconds, n times from start.
func every(start, step float64, n int) []scorecard.LedgerEntry {
	var out []scorecard.LedgerEntry
	for i := range n {
		out = append(out, del(start+step*float64(i), fmt.Sprintf("api-7d9f4-%03d", i)))
	}
	return out
}

func page(sec float64, about string) scorecard.Page {
	return scorecard.Page{Time: testutil.At(sec), Alert: "InterlockBudgetExhausted",
		Labels: map[string]string{"alertname": "InterlockBudgetExhausted", "automation": about, "severity": "page"}}
}

// observation is a 10-minute run with nothing in it, changed by mods.
func observation(mods ...func(*assert.Observation)) assert.Observation {
	o := assert.Observation{Start: testutil.T0, End: testutil.At(600), Identity: remediator}
	for _, m := range mods {
		m(&o)
	}
	return o
}

func withActions(es ...[]scorecard.LedgerEntry) func(*assert.Observation) {
	return func(o *assert.Observation) {
		for _, e := range es {
			o.Actions = append(o.Actions, e...)
		}
	}
}
func acts(es ...scorecard.LedgerEntry) []scorecard.LedgerEntry { return es }
func withPages(ps ...scorecard.Page) func(*assert.Observation) {
	return func(o *assert.Observation) { o.Pages = append(o.Pages, ps...) }
}
func haltedAt(sec float64) func(*assert.Observation) {
	return func(o *assert.Observation) { o.HaltedAt = testutil.At(sec) }
}

// apiWorkload maps every pod target in the observation's actions to the
// workload named by its prefix (api-..., web-...) and gives it replicas.
func workloads(replicas map[string]int) func(*assert.Observation) {
	return func(o *assert.Observation) {
		o.Workloads, o.Replicas = map[string]string{}, map[string]int{}
		for _, e := range o.Actions {
			w := "shop/" + strings.SplitN(e.Name, "-", 2)[0]
			o.Workloads[assert.TargetOf(e)] = w
		}
		for w, n := range replicas {
			o.Replicas[w] = n
		}
	}
}

// evalCase is one evaluation of one named assertion.
type evalCase struct {
	sc   []func(*v1alpha1.SafetyCaseSpec)
	rung string // defaults to unsupervised
	opts assert.Options
	obs  []func(*assert.Observation)
	// want is the verdict; empty means the check must be skipped, with a
	// reason containing skip.
	want     scorecard.Verdict
	skip     string
	measured string   // substring of Measured
	limit    string   // substring of Limit
	evidence []string // substrings of Evidence
	source   string   // Source, if checked
}

// runEval compiles and evaluates every case and checks the assertion name.
func runEval(t *testing.T, name string, tests map[string]evalCase) {
	t.Helper()
	for caseName, tc := range tests {
		t.Run(caseName, func(t *testing.T) {
			rung := tc.rung
			if rung == "" {
				rung = "unsupervised"
			}
			checks := assert.Compile(automation, safetyCase(tc.sc...), rung, tc.opts)
			as, skips := assert.EvaluateAll(checks, observation(tc.obs...))
			var got *scorecard.Assertion
			for i := range as {
				if as[i].Name == name {
					got = &as[i]
				}
			}
			if tc.want == "" {
				if got != nil {
					t.Fatalf("%s graded %s (%s; %s), want it skipped", name, got.Verdict, got.Measured, got.Evidence)
				}
				for _, s := range skips {
					if s.Name == name {
						if !strings.Contains(s.Reason, tc.skip) {
							t.Errorf("skip reason %q does not contain %q", s.Reason, tc.skip)
						}
						return
					}
				}
				t.Fatalf("%s neither graded nor skipped", name)
			}
			if got == nil {
				t.Fatalf("%s not graded; skips: %+v", name, skips)
			}
			if got.Verdict != tc.want {
				t.Errorf("verdict = %s, want %s\nmeasured: %s\nlimit: %s\nevidence: %s", got.Verdict, tc.want, got.Measured, got.Limit, got.Evidence)
			}
			if !strings.Contains(got.Measured, tc.measured) {
				t.Errorf("measured %q does not contain %q", got.Measured, tc.measured)
			}
			if !strings.Contains(got.Limit, tc.limit) {
				t.Errorf("limit %q does not contain %q", got.Limit, tc.limit)
			}
			for _, e := range tc.evidence {
				if !strings.Contains(got.Evidence, e) {
					t.Errorf("evidence %q does not contain %q", got.Evidence, e)
				}
			}
			if tc.source != "" && got.Source != tc.source {
				t.Errorf("source = %q, want %q", got.Source, tc.source)
			}
			if got.Automation != automation {
				t.Errorf("automation = %q, want %q", got.Automation, automation)
			}
			if got.Evidence == "" || got.Measured == "" || got.Limit == "" {
				t.Errorf("empty field in %+v", *got)
			}
		})
	}
}
