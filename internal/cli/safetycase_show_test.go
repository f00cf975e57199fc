package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
	"github.com/interlock-dev/interlock/internal/cli"
	"github.com/interlock-dev/interlock/safetycases"
)

// safetycase show prints every part of the page in text, and the shipped
// SafetyCase itself in JSON and YAML; the YAML lints clean as it is.
func TestSafetyCaseShow(t *testing.T) {
	want, err := safetycases.Get("unhealthy-workload")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("text", func(t *testing.T) {
		code, out, errOut := runInterlock(t, "safetycase", "show", "unhealthy-workload")
		if code != cli.ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		checkInOrder(t, out, []string{
			"unhealthy-workload (owner: team-platform-sre)", "Trigger, held for 20s", "CrashLoopBackOff",
			"False positives", "    - A lying readiness probe", "False negatives",
			"Action, class restart (highest rung: unsupervised)", "Worst case:",
			"Reversal, within 10s", "Budget", "at most 5 action(s) in 10m, 3 per target; then halt, and page within 30s",
			"Blast radius", "at most 2 target(s) at once, and 34% of a workload",
			"Telemetry", "interlock_remediator_actions_total (alert InterlockRemediatorActionRateHigh)",
		})
	})
	t.Run("json", func(t *testing.T) {
		code, out, errOut := runInterlock(t, "safetycase", "show", "unhealthy-workload", "-o", "json")
		if code != cli.ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var got v1alpha1.SafetyCase
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.Spec, got.Spec); diff != "" {
			t.Errorf("spec differs from the shipped one (-want +got):\n%s", diff)
		}
	})
	t.Run("yaml lints clean", func(t *testing.T) {
		code, out, errOut := runInterlock(t, "safetycase", "show", "node-loss", "-o", "yaml")
		if code != cli.ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		path := filepath.Join(t.TempDir(), "node-loss.yaml")
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		if findings := validation.Lint(path); len(findings) > 0 {
			t.Errorf("show -o yaml does not lint clean: %v\n%s", findings, out)
		}
	})
	t.Run("needs a name", func(t *testing.T) {
		code, _, errOut := runInterlock(t, "safetycase", "show")
		if code != cli.ExitError || !strings.Contains(errOut, "accepts 1 arg(s)") {
			t.Errorf("exit %d, stderr %q", code, errOut)
		}
	})
}
