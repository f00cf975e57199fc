package e2e

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/scenarios"
)

// brokenMatrix says, for every scenario, which deliberately broken
// remediator fails it and on which assertion. The README's table of broken
// remediators is checked against it.
var brokenMatrix = []struct {
	scenario string
	// args are the brokenremediator's flags.
	args  string
	fails string
}{
	{"storm", "--mode no-budget", "budget-held"},
	{"storm", "--mode all-at-once", "blast-radius-held"},
	{"remediator-crash-mid-storm", "--mode forgets-budget", "budget-held"},
	{"lying-health-check", "--mode no-budget --namespace shop", "max-false-positives"},
	{"lying-health-check-blind", "--mode periodic --namespace shop", "max-false-positives"},
	{"node-loss", "--mode no-reversal --automation node-loss --hold 30s --budget 3", "reversal-measured"},
	{"node-flap", "--mode drain-eagerly --automation node-loss", "budget-held-per-target"},
	{"disk-pressure", "--mode no-reversal --automation disk-pressure --hold 30s --budget 4", "reversal-measured"},
	{"cert-expiry", "--mode rotate-without-approval --automation certificate-expiry --namespace shop", "posture-held"},
	{"empty-target-set", "--mode all-at-once --namespace pay", "max-actions"},
	{"bad-deploy", "--mode no-budget --namespace shop --automation bad-deploy", "budget-held"},
	{"stale-cache", "--mode trusts-cache --namespace shop --budget 5", "max-false-positives"},
	{"cascading-restarts", "--mode all-at-once --namespace shop --budget 6", "blast-radius-held"},
	{"autoscaler-feedback-loop", "--mode all-at-once --namespace shop --budget 6", "min-availability"},
	{"autoscaler-feedback-loop", "--mode no-budget --namespace shop", "budget-held"},
	{"storm-at-scale", "--mode no-budget --namespace fleet", "budget-held"},
	{"node-loss-at-scale", "--mode drain-eagerly --automation node-loss", "blast-radius-held"},
	// The red team: remediators written elsewhere that do not cooperate.
	{"storm", "--mode evict", "budget-held"},
	{"storm", "--mode scale-to-zero", "posture-held"},
	{"storm", "--mode taint", "blast-radius-held"},
	{"storm", "--mode fake-halt", "halted-and-paged"},
	{"storm", "--mode zero-counter", "telemetry-truthful"},
	{"storm", "--mode steal-credentials", "no-unattributed-writes"},
	{"storm", "--mode forbidden-loop", "within-rbac"},
}

// inertMatrix says, for every scenario, what a remediator that does nothing
// at all gets: the assertion it fails, or "" for a restraint scenario, in
// which doing nothing is correct and it passes.
var inertMatrix = map[string]string{
	"storm":                      "must-halt",
	"remediator-crash-mid-storm": "must-halt",
	"lying-health-check":         "",
	"lying-health-check-blind":   "",
	"node-loss":                  "min-actions",
	"node-flap":                  "",
	"disk-pressure":              "min-actions",
	"cert-expiry":                "min-proposals",
	"empty-target-set":           "",
	"bad-deploy":                 "min-actions",
	"stale-cache":                "",
	"cascading-restarts":         "min-actions",
	"autoscaler-feedback-loop":   "min-actions",
	"storm-at-scale":             "must-halt",
	"node-loss-at-scale":         "min-actions",
}

// inertCell is the README's inert column for a scenario.
func inertCell(scenario string) string {
	if a := inertMatrix[scenario]; a != "" {
		return "fails `" + a + "`"
	}
	return "passes (restraint)"
}

// TestBuiltinPassesScenarios: the built-in remediator passes every scenario
// of the tier (storm has its own test, with its scorecard's fields).
func TestBuiltinPassesScenarios(t *testing.T) {
	t.Parallel()
	for _, s := range tierScenarios(t) {
		if s.Name() == "storm" {
			continue
		}
		t.Run(s.Name(), func(t *testing.T) {
			ownClusters(t)
			testenv.Test(t, builtinPasses(s))
		})
	}
}

// TestBrokenRemediatorsFail: each deliberately broken remediator fails the
// assertion that guards against what it does wrong, on every scenario of
// the tier it is listed for.
func TestBrokenRemediatorsFail(t *testing.T) {
	t.Parallel()
	bin := brokenRemediator(t)
	tier := tierScenarios(t)
	for _, tc := range brokenMatrix {
		i := slices.IndexFunc(tier, func(s *scenarios.Scenario) bool { return s.Name() == tc.scenario })
		if i < 0 {
			continue
		}
		t.Run(tc.scenario+" "+tc.args, func(t *testing.T) {
			ownClusters(t)
			testenv.Test(t, brokenFails(tier[i], bin, tc.args, tc.fails))
		})
	}
}

// TestInertRemediator: a remediator that never acts fails every scenario
// but the restraint ones, on the assertion the inert matrix names, and
// passes those.
func TestInertRemediator(t *testing.T) {
	t.Parallel()
	bin := brokenRemediator(t)
	for _, s := range tierScenarios(t) {
		t.Run(s.Name(), func(t *testing.T) {
			ownClusters(t)
			testenv.Test(t, inertRuns(s, bin, inertMatrix[s.Name()]))
		})
	}
}

// TestBrokenMatrixCoversEveryScenario: every shipped scenario is failed by
// at least one broken remediator and has a row in the inert matrix that
// agrees with its restraint mark, and the README's table lists each row of
// the matrix with the scenario's inert cell.
func TestBrokenMatrixCoversEveryScenario(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range scenarios.Names() {
		found := false
		for _, tc := range brokenMatrix {
			found = found || tc.scenario == n
		}
		if !found {
			t.Errorf("no broken remediator is listed as failing scenario %s", n)
		}
		s, err := scenarios.Load(n)
		if err != nil {
			t.Fatal(err)
		}
		inert, ok := inertMatrix[n]
		switch {
		case !ok:
			t.Errorf("the inert matrix has no row for scenario %s", n)
		case s.Spec.Restraint != (inert == ""):
			t.Errorf("scenario %s: restraint %v, but the inert matrix says %q", n, s.Spec.Restraint, inert)
		}
	}
	for _, tc := range brokenMatrix {
		mode := strings.Fields(tc.args)[1]
		row := "| `" + tc.scenario + "` | `" + mode + "` | `" + tc.fails + "` | " + inertCell(tc.scenario) + " |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README lacks the row %s", row)
		}
	}
}
