package e2e

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestEmbeddedCluster: the shared cluster has three Ready kwok nodes, runs
// a Deployment on them, and its audit log names who created its pods.
func TestEmbeddedCluster(t *testing.T) {
	onSharedCluster(t)
	testenv.Test(t, embeddedCluster())
}

// TestCLIUpDown brings up a second cluster while the shared one runs, reads
// it with kubectl, and checks that down stops every one of its processes.
func TestCLIUpDown(t *testing.T) {
	onSharedCluster(t)
	testenv.Test(t, cliUpDown())
}

// TestInterruptedUp sends Ctrl-C to `cluster up` once its first component
// runs, and checks that every process it started is gone with its files.
func TestInterruptedUp(t *testing.T) {
	onSharedCluster(t)
	testenv.Test(t, interruptedUp())
}

// cliErrors are command lines that must fail with exit 2 and a one-line
// error containing want.
var cliErrors = map[string]struct {
	args []string
	want string
}{
	"bad flag value":   {args: []string{"cluster", "up", "--nodes", "x"}, want: `invalid argument "x" for "--nodes"`},
	"unknown flag":     {args: []string{"cluster", "up", "--bogus"}, want: "unknown flag: --bogus"},
	"bad name":         {args: []string{"cluster", "up", "--name", "Bad_Name"}, want: `invalid cluster name "Bad_Name"`},
	"negative nodes":   {args: []string{"cluster", "up", "--nodes", "-1"}, want: "invalid node count -1"},
	"unknown command":  {args: []string{"clusterr"}, want: `unknown command "clusterr"`},
	"bad output":       {args: []string{"cluster", "list", "-o", "xml"}, want: `invalid --output "xml"`},
	"missing cluster":  {args: []string{"cluster", "status", "--name", "nope"}, want: `cluster not found: "nope"`},
	"extra positional": {args: []string{"cluster", "down", "extra"}, want: `unknown command "extra"`},
}

// TestCLIErrors checks that bad input is a one-line error and exit 2.
func TestCLIErrors(t *testing.T) {
	for name, tc := range cliErrors {
		t.Run(name, func(t *testing.T) {
			out, errOut, code := runCLI(t, tc.args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2 (stdout %q)", code, out)
			}
			if !strings.HasPrefix(errOut, "error: ") || !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q, want an error containing %q", errOut, tc.want)
			}
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
				t.Errorf("stderr has a stack trace: %q", errOut)
			}
		})
	}
}

// TestMissingTool checks that a component the cache lacks, with no source to
// build it from, is a one-line error and exit 2.
func TestMissingTool(t *testing.T) {
	cmd := exec.Command(interlockBin, "cluster", "up", "--name", "no-tools")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "INTERLOCK_TOOLS_CACHE="+t.TempDir(), "INTERLOCK_TOOLS_SRC="+t.TempDir())
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("exit %v, want 2; stderr %q", err, errb.String())
	}
	if got := strings.TrimSpace(errb.String()); strings.Count(got, "\n") > 1 || !strings.Contains(got, "cannot find the tools modules") {
		t.Errorf("stderr = %q, want a short error naming the missing tools modules", got)
	}
}
