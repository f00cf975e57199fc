package assert_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/scenarios"
)

func names(cs []assert.Check) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func TestCompile(t *testing.T) {
	all := assert.Options{Expect: scenarios.Expectations{
		MinAvailability: ptr.To(0.5), MaxFalsePositives: ptr.To(0), MaxFalseNegatives: ptr.To(0),
		MustHalt: ptr.To(true), MustPage: ptr.To(true), MinActions: ptr.To(1),
	}}
	tests := map[string]struct {
		opts      assert.Options
		perTarget bool
		want      []string
		wantNA    []string
	}{
		"the safety case's checks, in order": {
			want: []string{"budget-held", "budget-held-per-target", "halted-and-paged", "blast-radius-held",
				"reversal-measured", "posture-held", "telemetry-truthful", "did-no-harm"},
			wantNA: []string{"budget-held-per-target"},
		},
		"with a per-target budget": {
			perTarget: true,
			want: []string{"budget-held", "budget-held-per-target", "halted-and-paged", "blast-radius-held",
				"reversal-measured", "posture-held", "telemetry-truthful", "did-no-harm"},
		},
		"and every scenario expectation": {
			opts: all,
			want: []string{"budget-held", "budget-held-per-target", "halted-and-paged", "blast-radius-held",
				"reversal-measured", "posture-held", "telemetry-truthful", "did-no-harm",
				"min-availability", "max-false-positives", "max-false-negatives", "must-halt", "must-page", "min-actions"},
			wantNA: []string{"budget-held-per-target"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			sc := safetyCase()
			if tc.perTarget {
				perTarget(1)(sc)
			}
			cs := assert.Compile(automation, sc, "unsupervised", tc.opts)
			if diff := cmp.Diff(tc.want, names(cs)); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			var na []string
			for _, c := range cs {
				if c.Automation != automation || c.Source == "" {
					t.Errorf("check %s: automation %q, source %q", c.Name, c.Automation, c.Source)
				}
				if c.NotApplicable != "" {
					na = append(na, c.Name)
				}
			}
			if diff := cmp.Diff(tc.wantNA, na); diff != "" {
				t.Errorf("not applicable (-want +got):\n%s", diff)
			}
		})
	}
}

// Without a safety case nothing is invented: only the checks that need no
// stated figure are graded, and an action is out of posture.
func TestCompileWithoutSafetyCase(t *testing.T) {
	cs := assert.Compile(automation, nil, "unsupervised", assert.Options{})
	o := observation(withActions(every(50, 15, 3)), counter(3))
	as, skips := assert.EvaluateAll(cs, o)
	got := map[string]scorecard.Verdict{}
	for _, a := range as {
		got[a.Name] = a.Verdict
	}
	want := map[string]scorecard.Verdict{
		assert.PostureHeld:       scorecard.VerdictFail,
		assert.TelemetryTruthful: scorecard.VerdictPass,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("graded (-want +got):\n%s", diff)
	}
	var skipped []string
	for _, s := range skips {
		skipped = append(skipped, s.Name+": "+s.Reason)
	}
	for _, w := range []string{
		"budget-held: safetyCase.budget.maxActions is not stated; no limit is made up in its place",
		"halted-and-paged: safetyCase.budget.maxActions is not stated",
		"blast-radius-held: safetyCase.reversal.timeToReverse is not stated",
		"reversal-measured: safetyCase.reversal.timeToReverse is not stated",
		"did-no-harm: no baseline run",
	} {
		found := false
		for _, s := range skipped {
			found = found || strings.HasPrefix(s, w)
		}
		if !found {
			t.Errorf("no skip %q in %q", w, skipped)
		}
	}
	if n := len(assert.Evaluate(cs, o)); n != len(as) {
		t.Errorf("Evaluate gave %d assertions, EvaluateAll %d", n, len(as))
	}
}

func TestEvaluateDoesNotChangeItsInput(t *testing.T) {
	o := observation(withActions(acts(del(90, "api-1"), del(50, "api-0"))), counter(2))
	before := o.Actions[0].AuditID
	assert.Evaluate(assert.Compile(automation, safetyCase(), "unsupervised", assert.Options{}), o)
	if o.Actions[0].AuditID != before {
		t.Errorf("Evaluate reordered the caller's actions")
	}
}

func TestTargetOf(t *testing.T) {
	tests := map[string]struct {
		entry scorecard.LedgerEntry
		want  string
	}{
		"pod deletion": {del(1, "api-0"), "pods shop/api-0"},
		"pod eviction": {evict(1, "api-0"), "pods shop/api-0"},
		"node":         {entry(1, "patch", "nodes", "", "kwok-node-1", 200), "nodes kwok-node-1"},
		"scale":        {entry(1, "patch", "deployments", "scale", "web", 200), "deployments shop/web"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := assert.TargetOf(tc.entry); got != tc.want {
				t.Errorf("TargetOf = %q, want %q", got, tc.want)
			}
		})
	}
}
