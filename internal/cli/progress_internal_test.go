package cli

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/run"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/toolchain"
	"github.com/interlock-dev/interlock/scenarios"
)

// scriptedRuns puts a runner in runScenario's place for the test: it
// writes a progress line as a run does and passes.
func scriptedRuns(t *testing.T) {
	t.Helper()
	t.Setenv(toolchain.CacheDirEnv, t.TempDir())
	t.Setenv(cluster.HomeEnv, t.TempDir())
	t.Setenv("TMPDIR", t.TempDir()) // where -v keeps the run's files
	prev := runScenario
	runScenario = func(_ context.Context, o run.Options) (*scorecard.Scorecard, error) {
		fmt.Fprintf(o.Progress, "[00:45] 0:45 / %s of the scenario; 0 action(s) so far\n", o.Scenario.Spec.Duration.Duration)
		sc := &scorecard.Scorecard{Scenario: o.Scenario.Name(), Provider: o.ProviderName, Baseline: o.NoRemediator,
			StartedAt: time.Now(), DurationSeconds: 1,
			Assertions: []scorecard.Assertion{{Name: "budget-held", Verdict: scorecard.VerdictPass}}}
		sc.Finalize()
		return sc, nil
	}
	t.Cleanup(func() { runScenario = prev })
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(t.Context(), args, Streams{Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

// TestQuietAndVerbose: --quiet drops the progress lines of scenario run and
// nightly, -v adds detail, and neither changes what goes to standard output.
func TestQuietAndVerbose(t *testing.T) {
	tests := map[string]struct {
		args       []string
		wantErr    []string
		wantNotErr []string
		emptyErr   bool
		wantOut    string
	}{
		"scenario run": {
			args:       []string{"scenario", "run", "storm"},
			wantErr:    []string{"[00:45] 0:45 / "},
			wantNotErr: []string{"Scenario storm (pattern", "kept in"},
			wantOut:    "storm",
		},
		"scenario run --quiet": {
			args: []string{"scenario", "run", "storm", "--quiet"}, emptyErr: true, wantOut: "storm",
		},
		"scenario run -v": {
			args: []string{"scenario", "run", "storm", "-v"},
			wantErr: []string{"Scenario storm (pattern remediation-storm, tier pr) runs for", "  fault ", "  automation ",
				"  remediator: the built-in remediator", "The run's files (kubeconfigs, the remediator's log) are kept in ", "[00:45] 0:45 / "},
			wantOut: "storm",
		},
		"nightly": {
			args:       []string{"nightly", "storm", "node-loss", "--parallel", "1"},
			wantErr:    []string{"Running 2 scenario(s)", "[1/2, about ", " left]", "[2/2]", "Wall time"},
			wantNotErr: []string{"storm: [00:45]"},
			wantOut:    "| [storm](storm/scorecard.md) |",
		},
		"nightly --quiet": {
			args: []string{"nightly", "storm", "node-loss", "-q"}, emptyErr: true, wantOut: "| [storm](storm/scorecard.md) |",
		},
		"nightly -v": {
			args:    []string{"nightly", "storm", "node-loss", "--verbose"},
			wantErr: []string{"storm: [00:45] 0:45 / ", "node-loss: [00:45] 0:45 / ", "[2/2]", "storm: Baseline run, with remediation off:"},
			wantOut: "| [storm](storm/scorecard.md) |",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			scriptedRuns(t)
			dir := t.TempDir()
			args := append(tc.args, "--history", filepath.Join(dir, "history"), "--out", filepath.Join(dir, "out"))
			code, stdout, stderr := runCLI(t, args...)
			if code != ExitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			if tc.emptyErr && stderr != "" {
				t.Errorf("stderr with --quiet is not empty:\n%s", stderr)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			for _, w := range tc.wantNotErr {
				if strings.Contains(stderr, w) {
					t.Errorf("stderr has %q:\n%s", w, stderr)
				}
			}
			if !strings.Contains(stdout, tc.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tc.wantOut, stdout)
			}
		})
	}
	t.Run("quiet and verbose together", func(t *testing.T) {
		scriptedRuns(t)
		for _, args := range [][]string{{"scenario", "run", "storm", "-q", "-v"}, {"nightly", "-q", "-v"}} {
			code, _, stderr := runCLI(t, args...)
			if code != ExitError || !strings.Contains(stderr, "[quiet verbose]") {
				t.Errorf("%v: exit %d, stderr %q; want 2 naming both flags", args, code, stderr)
			}
		}
	})
}

// TestHistoryEstimate: a scenario's estimate is the median of its last runs
// of each kind in the history, baseline included when asked, and its own
// duration when it has none.
func TestHistoryEstimate(t *testing.T) {
	dir := t.TempDir()
	store := history.NewDir(dir)
	storm, err := scenarios.Load("storm")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	// Oldest first: 500 s falls out of the last five runs.
	for i, secs := range []float64{500, 100, 120, 110, 90, 130} {
		sc := &scorecard.Scorecard{Scenario: "storm", StartedAt: t0.Add(time.Duration(i) * time.Hour), DurationSeconds: secs,
			Assertions: []scorecard.Assertion{{Name: "budget-held", Verdict: scorecard.VerdictPass}}}
		sc.Finalize()
		rec, err := history.FromScorecard(sc, history.Meta{Scenario: storm, Suite: history.SuiteNightly})
		if err != nil {
			t.Fatal(err)
		}
		if err := store.Append(rec); err != nil {
			t.Fatal(err)
		}
	}
	base := &scorecard.Scorecard{Scenario: "storm", Baseline: true, StartedAt: t0.Add(-time.Hour), DurationSeconds: 60,
		Assertions: []scorecard.Assertion{{Name: "min-availability", Verdict: scorecard.VerdictPass}}}
	base.Finalize()
	rec, err := history.FromScorecard(base, history.Meta{Scenario: storm, Suite: history.SuiteNightly})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Append(rec); err != nil {
		t.Fatal(err)
	}
	nodeLoss, err := scenarios.Load("node-loss")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		dir      string
		baseline bool
		s        *scenarios.Scenario
		want     time.Duration
	}{
		"median of the last five":  {dir: dir, s: storm, want: 110 * time.Second},
		"with its baseline":        {dir: dir, s: storm, baseline: true, want: 170 * time.Second},
		"never recorded":           {dir: dir, s: nodeLoss, want: nodeLoss.Spec.Duration.Duration},
		"never recorded, baseline": {dir: dir, s: nodeLoss, baseline: true, want: 2 * nodeLoss.Spec.Duration.Duration},
		"no history":               {dir: filepath.Join(dir, "none"), s: storm, want: storm.Spec.Duration.Duration},
		"history directory unset":  {s: storm, want: storm.Spec.Duration.Duration},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			est, err := historyEstimate(tc.dir, tc.baseline)
			if err != nil {
				t.Fatal(err)
			}
			if got := est(tc.s); math.Abs(float64(got-tc.want)) > float64(time.Millisecond) {
				t.Errorf("estimate = %s, want %s", got, tc.want)
			}
		})
	}
}
