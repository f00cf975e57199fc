package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"testing"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

// runCLI runs the interlock binary and returns its stdout, stderr and exit code.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(interlockBin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	code, err := exitCode(cmd.Run())
	if err != nil {
		t.Fatalf("failed to run interlock %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// exitCode is the exit code of a command that ran and returned err, or
// err if the command could not run.
func exitCode(err error) (int, error) {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee):
		return ee.ExitCode(), nil
	}
	return 0, err
}

// runScenario runs `interlock scenario run` with -o json and returns the
// scorecard, the exit code and the progress.
func runScenario(t *testing.T, args ...string) (*scorecard.Scorecard, int, string) {
	t.Helper()
	cmd := exec.Command(interlockBin, append([]string{"scenario", "run", "-o", "json"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	code, err := exitCode(cmd.Run())
	if err != nil {
		t.Fatal(err)
	}
	var sc scorecard.Scorecard
	if jerr := json.Unmarshal(out.Bytes(), &sc); jerr != nil {
		t.Fatalf("scorecard JSON: %v\nstdout: %s\nstderr: %s", jerr, out.String(), errb.String())
	}
	return &sc, code, errb.String()
}

func verdictOf(sc *scorecard.Scorecard, name string) scorecard.Verdict {
	for _, a := range sc.Assertions {
		if a.Name == name {
			return a.Verdict
		}
	}
	return ""
}

// runClusterName is the name of the cluster a run's progress says it
// brought up, or "".
func runClusterName(stderr string) string {
	m := regexp.MustCompile(`embedded cluster (run-[a-z0-9-]+)`).FindStringSubmatch(stderr)
	if m == nil {
		return ""
	}
	return m[1]
}

// assertRunCleaned checks that the run whose progress is in stderr left
// neither its cluster nor any of its processes.
func assertRunCleaned(t *testing.T, stderr string) {
	t.Helper()
	name := runClusterName(stderr)
	if name == "" {
		t.Fatalf("no cluster name in the progress:\n%s", stderr)
	}
	if _, err := os.Stat(provider.Dir(name)); !os.IsNotExist(err) {
		t.Errorf("cluster %s left behind", name)
	}
	if left := cluster.ProcessesUnder(provider.Dir(name)); len(left) > 0 {
		t.Errorf("processes of %s left: %v", name, left)
	}
}

// downLeftover takes down the cluster of the run whose progress is in
// stderr if the run left it behind, so that a failed run's cluster does not
// outlive its test.
func downLeftover(stderr string) {
	name := runClusterName(stderr)
	if name == "" {
		return
	}
	if _, err := os.Stat(provider.Dir(name)); err == nil {
		_ = provider.Down(context.Background(), name)
	}
}

// brokenBin is the deliberately broken remediator, built with the CLI
// (see buildInterlock).
var brokenBin string

// brokenRemediator returns the deliberately broken remediator.
func brokenRemediator(t *testing.T) string {
	t.Helper()
	if brokenBin == "" {
		t.Fatal("the broken remediator was not built: run the tests with TestMain")
	}
	return brokenBin
}
