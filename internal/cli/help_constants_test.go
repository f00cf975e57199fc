package cli_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/promote"
)

// TestPromoteHelpMatchesPolicy: promote --help states the figures promote
// decides with (K per rung, the assertions each rung needs, every
// condition), so it cannot go stale when the policy changes.
func TestPromoteHelpMatchesPolicy(t *testing.T) {
	code, help, stderr := runInterlock(t, "promote", "--help")
	if code != 0 {
		t.Fatalf("promote --help: exit %d: %s", code, stderr)
	}
	flat := strings.Join(strings.Fields(help), " ")

	var ks []string
	for _, r := range v1alpha1.Rungs[1:] {
		ks = append(ks, fmt.Sprintf("%d for %s", promote.DefaultRuns[r], r))
	}
	wantK := "K is " + strings.Join(ks[:len(ks)-1], ", ") + " and " + ks[len(ks)-1]
	if !strings.Contains(flat, wantK) {
		t.Errorf("promote --help does not say %q (promote.DefaultRuns):\n%s", wantK, help)
	}
	// Every "K is ..." figure in the help is one of DefaultRuns'.
	for _, m := range regexp.MustCompile(`(\d+) for (\w+)`).FindAllStringSubmatch(flat, -1) {
		if want := fmt.Sprint(promote.DefaultRuns[v1alpha1.Rung(m[2])]); m[1] != want {
			t.Errorf("promote --help says %q; promote.DefaultRuns[%s] is %s", m[0], m[2], want)
		}
	}

	conditions := []string{promote.ConditionLadder, promote.ConditionSafetyCase, promote.ConditionPosture, promote.ConditionScenarios,
		promote.ConditionRuns, promote.ConditionPassed, promote.ConditionGraded, promote.ConditionRealCluster}
	for _, c := range conditions {
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(c) + `  `).MatchString(help) {
			t.Errorf("promote --help does not list condition %q", c)
		}
	}
	for rung, needs := range promote.RequiredAssertions {
		for _, a := range needs {
			if !strings.Contains(flat, a) {
				t.Errorf("promote --help does not name %s, which %s needs", a, rung)
			}
		}
	}
	for _, want := range []string{`suite "` + history.SuiteNightly + `"`, "needs a run on " + history.ProviderKind,
		strings.Join([]string{"alert", "runbook", "supervised", "unsupervised"}, " → ")} {
		if !strings.Contains(flat, want) {
			t.Errorf("promote --help does not say %q", want)
		}
	}
	long, _, _ := strings.Cut(help, "\nUsage:")
	for _, line := range strings.Split(long, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("promote --help line over 80 columns: %q", line)
		}
	}
}

// TestHelpDefaultsFromCode: the figures other commands' help states come
// from their flags' defaults, which cobra prints from the code: no help
// text repeats a default by hand.
func TestHelpDefaultsFromCode(t *testing.T) {
	tests := map[string]struct {
		args []string
		want []string
	}{
		"nightly parallel": {args: []string{"nightly", "--help"}, want: []string{"scenarios run at once (default 2)"}},
		"cluster up wait":  {args: []string{"cluster", "up", "--help"}, want: []string{"(default 2m0s)", "(default 1)"}},
		"history dir":      {args: []string{"history", "list", "--help"}, want: []string{"$" + history.DirEnv}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			code, help, stderr := runInterlock(t, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(help, w) {
					t.Errorf("%v does not say %q:\n%s", tc.args, w, help)
				}
			}
		})
	}
}
