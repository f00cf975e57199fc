package promote_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/promote"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/safetycases"
	"github.com/interlock-dev/interlock/scenarios"
)

// now is the fake clock every decision is made at.
var now = time.Date(2026, 9, 20, 12, 0, 0, 0, time.UTC)

func shipped(t *testing.T, name string) *v1alpha1.SafetyCaseSpec {
	t.Helper()
	sc, err := safetycases.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return &sc.Spec
}

// scenario is a scenario exercising automations of the given types.
func scenario(name string, types ...v1alpha1.AutomationType) *scenarios.Scenario {
	s := &scenarios.Scenario{Metadata: scenarios.Metadata{Name: name}}
	for _, t := range types {
		s.Spec.Automations = append(s.Spec.Automations, scenarios.Automation{Name: string(t), Type: t, Rung: "unsupervised"})
	}
	return s
}

// rec builds a passing nightly run on embedded of the built-in remediator,
// hoursAgo hours before now, whose unhealthy-workload automation ran with
// digest; mods change it.
func rec(scenarioName string, hoursAgo int, digest string, mods ...func(*history.Record)) history.Record {
	r := history.Record{
		ID:     fmt.Sprintf("%s-%02dh", scenarioName, hoursAgo),
		Commit: "abc123", Suite: history.SuiteNightly,
		Automations: []history.Automation{{Name: "uw", Type: v1alpha1.UnhealthyWorkload, Rung: "unsupervised", SafetyCaseDigest: digest}},
		Scorecard: scorecard.Scorecard{
			Scenario: scenarioName, Verdict: scorecard.VerdictPass, Remediator: history.BuiltInRemediator,
			Provider: history.ProviderEmbedded, StartedAt: now.Add(-time.Duration(hoursAgo) * time.Hour),
			Assertions: graded("uw"),
		},
	}
	for _, m := range mods {
		m(&r)
	}
	return r
}

// graded is a pass of every assertion any rung needs, for the automation.
func graded(automation string) []scorecard.Assertion {
	var out []scorecard.Assertion
	for _, name := range promote.RequiredAssertions[v1alpha1.RungUnsupervised] {
		a := scorecard.Assertion{Name: name, Verdict: scorecard.VerdictPass, Automation: automation}
		if name == "no-unattributed-writes" || name == "within-rbac" {
			a.Automation = ""
		}
		out = append(out, a)
	}
	return out
}

// skipping moves the named assertion of the run to its skipped list.
func skipping(name, reason string) func(*history.Record) {
	return func(r *history.Record) {
		for i, a := range r.Assertions {
			if a.Name == name {
				r.Assertions = append(r.Assertions[:i:i], r.Assertions[i+1:]...)
				r.Skipped = append(r.Skipped, scorecard.Skip{Name: name, Automation: a.Automation, Reason: reason})
				return
			}
		}
	}
}

func failing(r *history.Record) {
	r.Verdict = scorecard.VerdictFail
	for i := range r.Assertions {
		if r.Assertions[i].Name == "budget-held" {
			r.Assertions[i].Verdict = scorecard.VerdictFail
		}
	}
}
func onKind(r *history.Record) { r.Provider = history.ProviderKind }
func withSuite(s string) func(*history.Record) {
	return func(r *history.Record) { r.Suite = s }
}

// runs returns n passing runs of the scenario, 1..n hours ago.
func runs(scenarioName string, n int, digest string, mods ...func(*history.Record)) []history.Record {
	var out []history.Record
	for i := 1; i <= n; i++ {
		out = append(out, rec(scenarioName, i, digest, mods...))
	}
	return out
}

// decideFixture is what the cases of TestDecide are made of.
type decideFixture struct {
	// uw is the shipped unhealthy-workload safety case, the one decided on
	// unless a case says otherwise; certs the certificate-expiry one.
	uw, certs *v1alpha1.SafetyCaseSpec
	// digest is uw's; oldDigest that of uw with another budget.
	digest, oldDigest string
	// both are storm and lying-health-check, which exercise
	// unhealthy-workload, and node-loss, which does not; storm is storm.
	both, storm []*scenarios.Scenario
}

// newDecideFixture reads the shipped safety cases the fixture is made of.
func newDecideFixture(t *testing.T) *decideFixture {
	f := &decideFixture{uw: shipped(t, "unhealthy-workload"), certs: shipped(t, "certificate-expiry")}
	f.digest = history.Digest(*f.uw)
	other := f.uw.DeepCopy()
	other.Budget.MaxActions = 50
	f.oldDigest = history.Digest(*other)
	f.both = []*scenarios.Scenario{scenario("storm", v1alpha1.UnhealthyWorkload), scenario("lying-health-check", v1alpha1.UnhealthyWorkload), scenario("node-loss", v1alpha1.NodeLoss)}
	f.storm = []*scenarios.Scenario{scenario("storm", v1alpha1.UnhealthyWorkload)}
	return f
}

// concat joins lists of records.
func concat(rss ...[]history.Record) []history.Record {
	var out []history.Record
	for _, rs := range rss {
		out = append(out, rs...)
	}
	return out
}

// decideCase is a promotion TestDecide decides, and what it must say.
type decideCase struct {
	in   promote.Input
	opts promote.Options
	want want
}

// want is what a decision must say.
type want struct {
	allowed  bool
	unmet    []string // "name: substring of reason", in order
	evidence []string // nil: not checked
}

// allowedCases are the promotions TestDecide allows outright, by test name.
func (f *decideFixture) allowedCases() map[string]decideCase {
	return map[string]decideCase{
		"supervised with three passing runs of every scenario": {
			in: promote.Input{Target: v1alpha1.RungSupervised, Scenarios: f.both,
				Records: concat(runs("storm", 4, f.digest), runs("lying-health-check", 3, f.digest))},
			want: want{allowed: true, evidence: []string{"lying-health-check-03h", "storm-03h", "lying-health-check-02h", "storm-02h", "lying-health-check-01h", "storm-01h"}},
		},
		"runbook needs one run": {
			in:   promote.Input{Target: v1alpha1.RungRunbook, Scenarios: f.storm, Records: runs("storm", 1, f.digest)},
			want: want{allowed: true, evidence: []string{"storm-01h"}},
		},
	}
}

// conditionCases are the ladder, safety-case and posture conditions
// TestDecide checks, by test name.
func (f *decideFixture) conditionCases() map[string]decideCase {
	return map[string]decideCase{
		"ladder: the target is the current rung": {
			in:   promote.Input{Current: v1alpha1.RungSupervised, Target: v1alpha1.RungSupervised, Scenarios: f.storm, Records: runs("storm", 3, f.digest)},
			want: want{unmet: []string{"ladder: supervised is not above the current rung supervised"}},
		},
		"ladder: the target is not a rung": {
			in:   promote.Input{Target: "autonomous", Scenarios: f.storm},
			want: want{unmet: []string{`ladder: target rung "autonomous" is not on the ladder`}},
		},
		"safety case: incomplete": {
			in: promote.Input{Target: v1alpha1.RungRunbook, Scenarios: f.storm, Records: runs("storm", 1, ""),
				SafetyCase: func() *v1alpha1.SafetyCaseSpec { s := f.uw.DeepCopy(); s.Owner = ""; return s }()},
			// The records ran with the complete case, so they do not count either.
			want: want{unmet: []string{"safety-case: safetyCase.owner: owner is missing", "runs: scenario storm: only 0 of 1", "real-cluster: scenario storm"}},
		},
		"safety case: missing": {
			in:   promote.Input{Target: v1alpha1.RungRunbook, Scenarios: f.storm, Records: runs("storm", 1, f.digest), SafetyCase: nil},
			want: want{unmet: []string{"safety-case: the automation has no safety case", "runs: scenario storm: only 0 of 1", "real-cluster"}},
		},
		"safety case: certificate-expiry must say how far ahead it looks": {
			in: promote.Input{Automation: v1alpha1.CertificateExpiry, Target: v1alpha1.RungRunbook,
				SafetyCase: func() *v1alpha1.SafetyCaseSpec {
					s := f.certs.DeepCopy()
					s.Trigger.Within = nil
					return s
				}(),
				Scenarios: []*scenarios.Scenario{scenario("certs", v1alpha1.CertificateExpiry)},
				Records: []history.Record{rec("certs", 1, "", func(r *history.Record) {
					r.Automations[0].Type = v1alpha1.CertificateExpiry
					s := f.certs.DeepCopy()
					s.Trigger.Within = nil
					r.Automations[0].SafetyCaseDigest = history.Digest(*s)
				})}},
			want: want{unmet: []string{"safety-case: safetyCase.trigger.within: the certificate-expiry trigger needs to know how far ahead"}},
		},
		"posture: a destructive action never goes unsupervised": {
			in: promote.Input{Automation: v1alpha1.CertificateExpiry, Current: v1alpha1.RungSupervised, Target: v1alpha1.RungUnsupervised,
				SafetyCase: f.certs, Scenarios: f.both},
			want: want{unmet: []string{
				`posture: rung "unsupervised" exceeds the posture of class "destructive" (highest allowed: "supervised")`,
				"scenarios: no scenario exercises automation type certificate-expiry",
			}},
		},
		"posture: an unknown class allows nothing above alert": {
			in: promote.Input{Target: v1alpha1.RungRunbook, Scenarios: f.storm, Records: runs("storm", 1, f.digest),
				SafetyCase: func() *v1alpha1.SafetyCaseSpec { s := f.uw.DeepCopy(); s.Action.Class = "teleport"; return s }()},
			want: want{unmet: []string{"safety-case: safetyCase.action.class", `posture: action class "teleport" is not in the action-class table`, "runs", "real-cluster"}},
		},
	}
}

// runsCases are the scenarios and runs conditions TestDecide checks, by
// test name.
func (f *decideFixture) runsCases() map[string]decideCase {
	return map[string]decideCase{
		"scenarios: none exercises the automation": {
			in:   promote.Input{Target: v1alpha1.RungRunbook, Scenarios: []*scenarios.Scenario{scenario("node-loss", v1alpha1.NodeLoss)}},
			want: want{unmet: []string{"scenarios: no scenario exercises automation type unhealthy-workload: write one before it leaves the alert rung"}},
		},
		"runs: too few for the rung": {
			in: promote.Input{Target: v1alpha1.RungSupervised, Scenarios: f.both,
				Records: concat(runs("storm", 3, f.digest), runs("lying-health-check", 2, f.digest))},
			want: want{unmet: []string{"runs: scenario lying-health-check: only 2 of 3 nightly run(s) with the current safety case (sha256:"}},
		},
		"runs: a scenario never ran": {
			in:   promote.Input{Target: v1alpha1.RungSupervised, Scenarios: f.both, Records: runs("storm", 3, f.digest)},
			want: want{unmet: []string{"runs: scenario lying-health-check: only 0 of 3", "real-cluster: scenario lying-health-check: none of its last 3 nightly run(s) ran on a real cluster (embedded or kind); none are on record"}},
		},
		"runs: runs with another safety case do not count": {
			in:   promote.Input{Target: v1alpha1.RungSupervised, Scenarios: f.storm, Records: concat(runs("storm", 1, f.digest), runs("storm", 5, f.oldDigest))},
			want: want{unmet: []string{"runs: scenario storm: only 1 of 3 nightly run(s) with the current safety case (" + f.digest[:19] + ") are on record; 5 other nightly run(s) ran with another safety case and do not count"}},
		},
		"runs: only nightly runs of the built-in remediator, not baselines, not from the future": {
			in: promote.Input{Target: v1alpha1.RungRunbook, Scenarios: f.storm, Records: []history.Record{
				rec("storm", 1, f.digest, withSuite(history.SuiteAdhoc)),
				rec("storm", 2, f.digest, withSuite(history.SuitePR)),
				rec("storm", 3, f.digest, func(r *history.Record) { r.Baseline = true }),
				rec("storm", 4, f.digest, func(r *history.Record) { r.Remediator = "./my-remediator" }),
				rec("storm", -1, f.digest),
				rec("storm", 5, f.digest, func(r *history.Record) { r.Automations[0].Type = v1alpha1.NodeLoss }),
			}},
			want: want{unmet: []string{"runs: scenario storm: only 0 of 1 nightly run(s)", "real-cluster"}},
		},
		"runs: an external remediator's runs count for it": {
			in: promote.Input{Target: v1alpha1.RungRunbook, Remediator: "./my-remediator", Scenarios: f.storm, Records: []history.Record{
				rec("storm", 1, f.digest), rec("storm", 2, f.digest, func(r *history.Record) { r.Remediator = "./my-remediator" }),
			}},
			want: want{allowed: true, evidence: []string{"storm-02h"}},
		},
		"runs: every automation of the type in a run must match": {
			in: promote.Input{Target: v1alpha1.RungRunbook, Scenarios: f.storm, Records: []history.Record{rec("storm", 1, f.digest, func(r *history.Record) {
				r.Automations = append(r.Automations, history.Automation{Name: "uw2", Type: v1alpha1.UnhealthyWorkload, SafetyCaseDigest: f.oldDigest})
			})}},
			want: want{unmet: []string{"runs: scenario storm: only 0 of 1 nightly run(s) with the current safety case", "real-cluster"}},
		},
		"runs: MaxAge leaves out old runs": {
			in:   promote.Input{Target: v1alpha1.RungSupervised, Scenarios: f.storm, Records: runs("storm", 3, f.digest)},
			opts: promote.Options{MaxAge: 150 * time.Minute},
			want: want{unmet: []string{"runs: scenario storm: only 2 of 3"}},
		},
		"runs: K overridden": {
			in:   promote.Input{Target: v1alpha1.RungSupervised, Scenarios: f.storm, Records: runs("storm", 3, f.digest)},
			opts: promote.Options{Runs: map[v1alpha1.Rung]int{v1alpha1.RungSupervised: 4}},
			want: want{unmet: []string{"runs: scenario storm: only 3 of 4"}},
		},
		"runs: K overridden for another rung keeps the default": {
			in:   promote.Input{Target: v1alpha1.RungSupervised, Scenarios: f.storm, Records: runs("storm", 3, f.digest)},
			opts: promote.Options{Runs: map[v1alpha1.Rung]int{v1alpha1.RungUnsupervised: 10}},
			want: want{allowed: true},
		},
	}
}

// passedCases are the passed and graded conditions TestDecide checks, by
// test name.
func (f *decideFixture) passedCases() map[string]decideCase {
	return map[string]decideCase{
		"passed: a failing run among the last K is named": {
			in: promote.Input{Target: v1alpha1.RungSupervised, Scenarios: f.storm,
				Records: []history.Record{rec("storm", 1, f.digest), rec("storm", 2, f.digest, failing), rec("storm", 3, f.digest)}},
			want: want{unmet: []string{"passed: scenario storm: nightly run storm-02h failed (budget-held fail)"}},
		},
		"passed: a run that errored is named": {
			in: promote.Input{Target: v1alpha1.RungRunbook, Scenarios: f.storm, Records: []history.Record{rec("storm", 1, f.digest, func(r *history.Record) {
				r.Verdict, r.Error, r.Assertions = scorecard.VerdictError, "cluster failure: etcd did not start", nil
			})}},
			want: want{unmet: []string{"passed: scenario storm: nightly run storm-01h did not pass (verdict error: cluster failure: etcd did not start)",
				"graded: scenario storm: nightly run storm-01h did not grade posture-held, which runbook needs",
				"graded: scenario storm: nightly run storm-01h did not grade telemetry-truthful",
				"graded: scenario storm: nightly run storm-01h did not grade no-unattributed-writes",
				"graded: scenario storm: nightly run storm-01h did not grade within-rbac"}},
		},
		// A skipped assertion is not a pass: a run that passed without
		// grading what the rung needs is no evidence for it.
		"graded: a skip the rung needs is not a pass": {
			in: promote.Input{Current: v1alpha1.RungSupervised, Target: v1alpha1.RungUnsupervised, Scenarios: f.storm,
				Records: append(runs("storm", 4, f.digest, onKind), rec("storm", 5, f.digest, onKind, skipping("did-no-harm", "no baseline run with the remediator off")))},
			want: want{unmet: []string{"graded: scenario storm: nightly run storm-05h skipped did-no-harm (no baseline run with the remediator off), which unsupervised needs"}},
		},
		"graded: a skip the rung does not need is no matter": {
			in: promote.Input{Target: v1alpha1.RungSupervised, Scenarios: f.storm,
				Records: runs("storm", 3, f.digest, skipping("did-no-harm", "no baseline run with the remediator off"))},
			want: want{allowed: true},
		},
		"graded: a run-wide assertion skipped": {
			in: promote.Input{Target: v1alpha1.RungRunbook, Scenarios: f.storm,
				Records: []history.Record{rec("storm", 1, f.digest, skipping("no-unattributed-writes", "the ledger cannot be trusted"))}},
			want: want{unmet: []string{"graded: scenario storm: nightly run storm-01h skipped no-unattributed-writes (the ledger cannot be trusted), which runbook needs"}},
		},
		"passed: a failure before the last K does not count": {
			in: promote.Input{Target: v1alpha1.RungSupervised, Scenarios: f.storm,
				Records: append(runs("storm", 3, f.digest), rec("storm", 4, f.digest, failing))},
			want: want{allowed: true, evidence: []string{"storm-03h", "storm-02h", "storm-01h"}},
		},
	}
}

// realClusterCases are the real-cluster condition TestDecide checks, and a
// refusal that lists every condition at once, by test name.
func (f *decideFixture) realClusterCases() map[string]decideCase {
	return map[string]decideCase{
		"real-cluster: unsupervised needs a kind run": {
			in:   promote.Input{Current: v1alpha1.RungSupervised, Target: v1alpha1.RungUnsupervised, Scenarios: f.storm, Records: runs("storm", 5, f.digest)},
			want: want{unmet: []string{"real-cluster: scenario storm: promotion to unsupervised needs at least one of its last 5 nightly run(s) on kind (the embedded cluster counts only up to supervised); they ran on embedded only"}},
		},
		"real-cluster: unsupervised with one kind run": {
			in: promote.Input{Current: v1alpha1.RungSupervised, Target: v1alpha1.RungUnsupervised, Scenarios: f.storm,
				Records: append(runs("storm", 4, f.digest), rec("storm", 5, f.digest, onKind))},
			want: want{allowed: true},
		},
		"real-cluster: a kind run before the last K does not count": {
			in: promote.Input{Current: v1alpha1.RungSupervised, Target: v1alpha1.RungUnsupervised, Scenarios: f.storm,
				Records: append(runs("storm", 5, f.digest), rec("storm", 6, f.digest, onKind))},
			want: want{unmet: []string{"real-cluster: scenario storm: promotion to unsupervised needs at least one of its last 5 nightly run(s) on kind"}},
		},
		"real-cluster: an unknown provider is not a real cluster": {
			in: promote.Input{Target: v1alpha1.RungRunbook, Scenarios: f.storm,
				Records: []history.Record{rec("storm", 1, f.digest, func(r *history.Record) { r.Provider = "fake" })}},
			want: want{unmet: []string{"real-cluster: scenario storm: none of its last 1 nightly run(s) ran on a real cluster (embedded or kind); they ran on fake only"}},
		},
		"every unmet condition is listed at once": {
			in: promote.Input{Current: v1alpha1.RungAlert, Target: v1alpha1.RungUnsupervised, Scenarios: f.both,
				Records: []history.Record{rec("storm", 1, f.digest, failing)}},
			want: want{unmet: []string{
				"runs: scenario lying-health-check: only 0 of 5",
				"real-cluster: scenario lying-health-check",
				"runs: scenario storm: only 1 of 5",
				"passed: scenario storm: nightly run storm-01h failed",
				"real-cluster: scenario storm: promotion to unsupervised needs at least one of its last 5 nightly run(s) on kind",
			}},
		},
	}
}

func TestDecide(t *testing.T) {
	f := newDecideFixture(t)
	for _, cases := range []map[string]decideCase{f.allowedCases(), f.conditionCases(), f.runsCases(), f.passedCases(), f.realClusterCases()} {
		for name, tc := range cases {
			t.Run(name, func(t *testing.T) { checkDecide(t, f, name, tc) })
		}
	}
}

// checkDecide decides the case tc, named name, and checks the decision.
func checkDecide(t *testing.T, f *decideFixture, name string, tc decideCase) {
	in := tc.in
	if in.Automation == "" {
		in.Automation = v1alpha1.UnhealthyWorkload
	}
	if in.Current == "" {
		in.Current = v1alpha1.RungAlert
	}
	if in.SafetyCase == nil && !strings.HasPrefix(name, "safety case: missing") {
		in.SafetyCase = f.uw
	}
	in.Now = now
	opts := tc.opts
	if opts.Runs == nil {
		// The table is written for three runs at supervised, to
		// tell one run from the last K.
		opts.Runs = map[v1alpha1.Rung]int{v1alpha1.RungSupervised: 3}
	}
	d := promote.Decide(in, opts)
	if d.Allowed != tc.want.allowed {
		t.Errorf("Allowed = %v, want %v; unmet: %v", d.Allowed, tc.want.allowed, d.Unmet)
	}
	if len(d.Unmet) != len(tc.want.unmet) {
		t.Fatalf("unmet = %d conditions, want %d:\n%s", len(d.Unmet), len(tc.want.unmet), conditions(d.Unmet))
	}
	for i, w := range tc.want.unmet {
		if got := d.Unmet[i].String(); !strings.Contains(got, w) {
			t.Errorf("unmet[%d] = %q\nwant it to contain %q", i, got, w)
		}
	}
	if tc.want.evidence != nil {
		if diff := cmp.Diff(tc.want.evidence, d.Evidence); diff != "" {
			t.Errorf("evidence (-want +got):\n%s", diff)
		}
	}
}

func conditions(cs []promote.Condition) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString("  " + c.String() + "\n")
	}
	return b.String()
}

func TestDecideReportsK(t *testing.T) {
	for rung, k := range map[v1alpha1.Rung]int{v1alpha1.RungRunbook: 1, v1alpha1.RungSupervised: 1, v1alpha1.RungUnsupervised: 5} {
		d := promote.Decide(promote.Input{Automation: v1alpha1.UnhealthyWorkload, Current: v1alpha1.RungAlert, Target: rung, Now: now}, promote.Options{})
		if d.Runs != k {
			t.Errorf("K for %s = %d, want %d", rung, d.Runs, k)
		}
	}
}
