package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

var (
	brokenOnce sync.Once
	brokenBin  string
	brokenErr  error
)

// brokenRemediator builds the deliberately broken remediator once.
func brokenRemediator(t *testing.T) string {
	brokenOnce.Do(func() {
		brokenBin = filepath.Join(filepath.Dir(interlockBin), "brokenremediator")
		out, err := exec.Command("go", "build", "-o", brokenBin, "github.com/interlock-dev/interlock/test/e2e/brokenremediator").CombinedOutput()
		if err != nil {
			brokenErr = err
			t.Logf("%s", out)
		}
	})
	if brokenErr != nil {
		t.Fatal(brokenErr)
	}
	return brokenBin
}

// runScenario runs `interlock scenario run` with -o json and returns the
// scorecard and the exit code.
func runScenario(t *testing.T, args ...string) (*scorecard.Scorecard, int, string) {
	t.Helper()
	cmd := exec.Command(interlockBin, append([]string{"scenario", "run", "-o", "json"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
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

// assertRunCleaned checks that the run whose progress is in stderr left
// neither its cluster nor any of its processes.
func assertRunCleaned(t *testing.T, stderr string) {
	t.Helper()
	m := regexp.MustCompile(`embedded cluster (run-[a-z0-9-]+)`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no cluster name in the progress:\n%s", stderr)
	}
	if _, err := os.Stat(provider.Dir(m[1])); !os.IsNotExist(err) {
		t.Errorf("cluster %s left behind", m[1])
	}
	if left := cluster.ProcessesUnder(provider.Dir(m[1])); len(left) > 0 {
		t.Errorf("processes of %s left: %v", m[1], left)
	}
}

// TestScenarioStorm: the built-in remediator passes the storm scenario, and
// the JSON scorecard carries the documented fields.
func TestScenarioStorm(t *testing.T) {
	t.Parallel()
	sc, code, stderr := runScenario(t, "storm")
	if code != 0 || sc.Verdict != scorecard.VerdictPass {
		t.Fatalf("storm: exit %d, verdict %s\n%s", code, sc.Verdict, stderr)
	}
	if sc.Scenario != "storm" || len(sc.Assertions) == 0 || len(sc.Ledger) == 0 || sc.StartedAt.IsZero() || sc.DurationSeconds <= 0 {
		t.Errorf("scorecard lacks fields: %+v", sc)
	}
	for _, a := range sc.Assertions {
		if a.Name == "" || a.Measured == "" || a.Limit == "" || a.Evidence == "" {
			t.Errorf("assertion lacks fields: %+v", a)
		}
	}
	for _, want := range []string{"budget-held", "halted-and-paged", "blast-radius-held", "telemetry-truthful"} {
		if verdictOf(sc, want) != scorecard.VerdictPass {
			t.Errorf("%s = %q, want pass", want, verdictOf(sc, want))
		}
	}
	for _, want := range []string{"cluster", "Fixture ready", "Fault storm-pods-fail injected", "actions seen", "Teardown"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("progress lacks %q:\n%s", want, stderr)
		}
	}
	assertRunCleaned(t, stderr)
}

// TestInvalidScenario: a bad file is rejected with its file and field path
// and exit code 2, before any cluster starts.
func TestInvalidScenario(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "storm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
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
	for name, tc := range cases {
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
	cmd := exec.Command(interlockBin, "scenario", "run", "storm")
	var out, errb syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(errb.String(), "injected") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(errb.String(), "injected") {
		_ = cmd.Process.Kill()
		t.Fatalf("the fault was never injected:\n%s", errb.String())
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Errorf("interrupted run: %v, want exit 2\n%s", err, errb.String())
	}
	if !strings.Contains(errb.String(), "Teardown") {
		t.Errorf("no teardown after interrupt:\n%s", errb.String())
	}
	assertRunCleaned(t, errb.String())
	if out, _ := exec.Command("pgrep", "-f", "remediator --kubeconfig /tmp/interlock-remediator-").Output(); len(out) > 0 {
		t.Errorf("a remediator process is still running: %s", out)
	}
}

// syncBuffer is a bytes.Buffer safe to read while a process writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
