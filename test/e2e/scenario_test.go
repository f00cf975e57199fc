package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestScenarioStorm: the built-in remediator passes the storm scenario, and
// the JSON scorecard carries the documented fields.
func TestScenarioStorm(t *testing.T) {
	ownClusters(t)
	testenv.Test(t, stormScenario())
}

// invalidScenarios are edits of storm.yaml that make it invalid, each with
// the field path the error must name.
var invalidScenarios = map[string]struct {
	edit func(string) string
	want string
}{
	"unknown field": {
		edit: func(s string) string {
			return strings.Replace(s, "  duration: 100s", "  duration: 100s\n  durashun: 5s", 1)
		},
		want: "spec.durashun",
	},
	"unknown fault kind": {
		edit: func(s string) string { return strings.Replace(s, "    podChaos:", "    kernelChaos:", 1) },
		want: "spec.faults[0]",
	},
	"unsupported chaos mesh field": {
		edit: func(s string) string {
			return strings.Replace(s, "      mode: all", "      mode: all\n      gracePeriod: 5", 1)
		},
		want: "spec.faults[0].podChaos.gracePeriod",
	},
}

// TestInvalidScenario: a bad file is rejected with its file and field path
// and exit code 2, before any cluster starts.
func TestInvalidScenario(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "storm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range invalidScenarios {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.yaml")
			if err := os.WriteFile(path, []byte(tc.edit(string(data))), 0o644); err != nil {
				t.Fatal(err)
			}
			before, _ := provider.List(context.Background())
			start := time.Now()
			out, errOut, code := runCLI(t, "scenario", "run", path)
			if code != 2 {
				t.Errorf("exit %d, want 2 (stdout %q)", code, out)
			}
			if !strings.Contains(errOut, "bad.yaml") || !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q, want the file and %q", errOut, tc.want)
			}
			after, _ := provider.List(context.Background())
			if len(after) != len(before) || time.Since(start) > 10*time.Second {
				t.Errorf("a cluster was started for an invalid file (clusters %v -> %v)", before, after)
			}
		})
	}
}

// TestInterruptedScenario: Ctrl-C in the middle of a run removes its fault,
// its remediator and its cluster, and exits 2.
func TestInterruptedScenario(t *testing.T) {
	testenv.Test(t, interruptedScenario())
}
