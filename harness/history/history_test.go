package history_test

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/testutil"
	"github.com/interlock-dev/interlock/safetycases"
	"github.com/interlock-dev/interlock/scenarios"
)

// run returns a finalized scorecard of a storm run at testutil.T0+min minutes.
func run(min int, verdict scorecard.Verdict) *scorecard.Scorecard {
	sc := &scorecard.Scorecard{
		Scenario: "storm", Remediator: history.BuiltInRemediator, Provider: history.ProviderEmbedded,
		Identity: "system:serviceaccount:interlock-system:remediator", StartedAt: testutil.T0.Add(time.Duration(min) * time.Minute), DurationSeconds: 100,
		Assertions: []scorecard.Assertion{{Name: "budget-held", Verdict: verdict, Measured: "5 actions in 10m", Limit: "at most 5 actions in 10m", Automation: "unhealthy-workload"}},
	}
	sc.Finalize()
	return sc
}

func storm(t *testing.T) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load("storm")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func record(t *testing.T, min int, suite string, verdict scorecard.Verdict) history.Record {
	t.Helper()
	r, err := history.FromScorecard(run(min, verdict), history.Meta{Scenario: storm(t), Commit: "abc123", Suite: suite})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDigest(t *testing.T) {
	sc, err := safetycases.Get("unhealthy-workload")
	if err != nil {
		t.Fatal(err)
	}
	spec := sc.Spec
	d := history.Digest(spec)
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(d) {
		t.Fatalf("Digest = %q, want sha256:<64 hex>", d)
	}
	same := *spec.DeepCopy()
	same.Trigger.For = metav1.Duration{Duration: spec.Trigger.For.Duration} // same duration, built anew
	if got := history.Digest(same); got != d {
		t.Errorf("Digest of an equal spec = %s, want %s", got, d)
	}
	withEmpty := *spec.DeepCopy()
	withEmpty.Telemetry = append([]v1alpha1.TelemetrySignal{}, spec.Telemetry...)
	if got := history.Digest(withEmpty); got != d {
		t.Errorf("Digest changed with a copied list: %s, want %s", got, d)
	}
	changed := *spec.DeepCopy()
	changed.Budget.MaxActions++
	if got := history.Digest(changed); got == d {
		t.Errorf("Digest did not change when the budget did")
	}
	if history.Digest(v1alpha1.SafetyCaseSpec{}) == d {
		t.Errorf("Digest of an empty spec equals the shipped one's")
	}
}

func TestFromScorecard(t *testing.T) {
	sc, err := safetycases.Get("unhealthy-workload")
	if err != nil {
		t.Fatal(err)
	}
	r, err := history.FromScorecard(run(0, scorecard.VerdictPass), history.Meta{Scenario: storm(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^20260914T030000\.000Z-storm-[0-9a-f]{8}$`).MatchString(r.ID) {
		t.Errorf("ID = %q", r.ID)
	}
	if r.Suite != history.SuiteAdhoc || r.Commit != history.UnknownCommit {
		t.Errorf("suite, commit = %q, %q; want adhoc, unknown", r.Suite, r.Commit)
	}
	want := []history.Automation{{Name: "unhealthy-workload", Type: v1alpha1.UnhealthyWorkload, Rung: "unsupervised", SafetyCaseDigest: history.Digest(sc.Spec)}}
	if diff := cmp.Diff(want, r.Automations); diff != "" {
		t.Errorf("automations (-want +got):\n%s", diff)
	}
	if r.Scenario != "storm" || r.Provider != "embedded" || r.Remediator != "built-in" || !r.Passed() {
		t.Errorf("scorecard fields not kept: %+v", r.Scorecard)
	}

	// The digest is of the safety case the run used, not the shipped one.
	s := storm(t)
	custom := sc.Spec.DeepCopy()
	custom.Budget.MaxActions = 2
	s.Spec.Automations[0].SafetyCase, s.Spec.Automations[0].SafetyCaseSpec = "", custom
	r2, err := history.FromScorecard(run(0, scorecard.VerdictPass), history.Meta{Scenario: s, Suite: history.SuiteNightly})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Automations[0].SafetyCaseDigest != history.Digest(*custom) || r2.Automations[0].SafetyCaseDigest == r.Automations[0].SafetyCaseDigest {
		t.Errorf("digest of an inline safety case = %s", r2.Automations[0].SafetyCaseDigest)
	}

	errCases := map[string]struct {
		sc   *scorecard.Scorecard
		meta history.Meta
		want string
	}{
		"no scorecard":   {nil, history.Meta{Scenario: storm(t)}, "no scorecard"},
		"no scenario":    {run(0, scorecard.VerdictPass), history.Meta{}, "no scenario"},
		"other scenario": {&scorecard.Scorecard{Scenario: "node-loss"}, history.Meta{Scenario: storm(t)}, `scenario "node-loss", not "storm"`},
		"unknown suite":  {run(0, scorecard.VerdictPass), history.Meta{Scenario: storm(t), Suite: "weekly"}, `unknown suite "weekly"`},
	}
	for name, tc := range errCases {
		t.Run(name, func(t *testing.T) {
			_, err := history.FromScorecard(tc.sc, tc.meta)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestGitCommit(t *testing.T) {
	if got := history.GitCommit(t.Context(), t.TempDir()); got != history.UnknownCommit {
		t.Errorf("GitCommit outside a repository = %q, want unknown", got)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	if got := history.GitCommit(t.Context(), "."); !regexp.MustCompile(`^[0-9a-f]{40,64}$`).MatchString(got) {
		t.Errorf("GitCommit in this repository = %q", got)
	}
}

func TestDirFromEnv(t *testing.T) {
	t.Setenv(history.DirEnv, "")
	if got := history.DirFromEnv(); got != "_output/history" {
		t.Errorf("default = %q", got)
	}
	t.Setenv(history.DirEnv, "/var/lib/interlock")
	if got := history.DirFromEnv(); got != "/var/lib/interlock" {
		t.Errorf("from env = %q", got)
	}
}

func ExampleDigest() {
	spec := v1alpha1.SafetyCaseSpec{Owner: "team-sre", Budget: v1alpha1.Budget{MaxActions: 5, Window: metav1.Duration{Duration: 10 * time.Minute}}}
	again := v1alpha1.SafetyCaseSpec{Budget: v1alpha1.Budget{Window: metav1.Duration{Duration: 600 * time.Second}, MaxActions: 5}, Owner: "team-sre"}
	fmt.Println(history.Digest(spec) == history.Digest(again))
	spec.Budget.MaxActions = 6
	fmt.Println(history.Digest(spec) == history.Digest(again))
	// Output:
	// true
	// false
}
