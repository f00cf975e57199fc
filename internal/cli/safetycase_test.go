package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/internal/cli"
	"github.com/interlock-dev/interlock/safetycases"
)

// runSafetyCase runs the interlock command line and returns its exit code and output.
func runSafetyCase(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cli.Run(t.Context(), args, cli.Streams{Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

// incompleteCase has no owner and no telemetry.
const incompleteCase = `apiVersion: interlock.dev/v1alpha1
kind: SafetyCase
metadata:
  name: half-written
spec:
  trigger:
    condition: a pod is in CrashLoopBackOff
    for: 2m
    falsePositiveModes: [a pod that crash-loops by design]
    falseNegativeModes: [a pod that hangs without exiting]
  action:
    description: delete the pod
    class: restart
    worstCaseBlastRadius: one workload restarts
  reversal:
    procedure: none needed
    timeToReverse: 30s
  budget:
    maxActions: 5
    window: 10m
    pageWithin: 1m
  blastRadius:
    maxInFlight: 1
    maxUnavailablePercent: 25
`

// safetyCaseFiles writes the test's input files into a temporary directory.
func safetyCaseFiles(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"clean.yaml":      string(safetycases.Files()["node-loss.yaml"]),
		"cert.yaml":       string(safetycases.Files()["certificate-expiry.yaml"]),
		"incomplete.yaml": incompleteCase,
		"bad-yaml.yaml":   "kind: SafetyCase\n metadata: [\n",
		"unknown.yaml":    strings.Replace(incompleteCase, "  name: half-written", "  name: typo\n  nmespace: x", 1),
		"automation.yaml": `apiVersion: interlock.dev/v1alpha1
kind: Automation
metadata:
  name: certs
spec:
  type: certificate-expiry
  rung: unsupervised
  safetyCaseRef:
    name: certificate-expiry
`,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// safetyCaseCommandTest is a safetycase command line and what it must
// print. In args and wantOut, $DIR is the directory of safetyCaseFiles,
// $CLEAN a directory of the shipped safety cases and $EMPTY an empty one.
type safetyCaseCommandTest struct {
	args     []string
	wantCode int
	wantOut  []string // substrings of stdout, in order
	wantErr  string   // substring of stderr
}

var safetyCaseCommandTests = map[string]safetyCaseCommandTest{
	"lint a clean file": {
		args:     []string{"safetycase", "lint", "$DIR/clean.yaml"},
		wantCode: cli.ExitOK,
		wantOut:  []string{"1 file(s) checked: no problems"},
	},
	"lint a directory": {
		args:     []string{"safetycase", "lint", "$CLEAN"},
		wantCode: cli.ExitOK,
		wantOut:  []string{"5 file(s) checked: no problems"},
	},
	"lint the shipped safety cases": {
		args:     []string{"safetycase", "lint", "--shipped"},
		wantCode: cli.ExitOK,
		wantOut:  []string{"5 file(s) checked: no problems"},
	},
	"lint finds missing parts": {
		args:     []string{"safetycase", "lint", "$DIR/clean.yaml", "$DIR/incomplete.yaml"},
		wantCode: cli.ExitFailed,
		wantOut: []string{
			"$DIR/incomplete.yaml: spec.owner: owner is missing: name the accountable person or team\n",
			"$DIR/incomplete.yaml: spec.telemetry: no telemetry: name the signals that would show the remediator itself going wrong\n",
			"2 problem(s) in 1 of 2 file(s)\n",
		},
		wantErr: "error: safety-case lint found 2 problem(s)",
	},
	"lint finds unknown fields": {
		args:     []string{"safetycase", "lint", "$DIR/unknown.yaml"},
		wantCode: cli.ExitFailed,
		wantOut:  []string{"$DIR/unknown.yaml: metadata.nmespace: unknown field\n"},
	},
	"lint resolves references and checks the posture": {
		args:     []string{"safetycase", "lint", "$DIR/cert.yaml", "$DIR/automation.yaml"},
		wantCode: cli.ExitFailed,
		wantOut:  []string{`$DIR/automation.yaml: spec.rung: rung "unsupervised" exceeds the posture of class "destructive" (highest allowed: "supervised")`},
	},
	"lint reports a reference it cannot resolve": {
		args:     []string{"safetycase", "lint", "$DIR/automation.yaml"},
		wantCode: cli.ExitFailed,
		wantOut:  []string{`$DIR/automation.yaml: spec.safetyCaseRef.name: failed to find safety case "certificate-expiry"`},
	},
	"lint an invalid YAML file": {
		args:     []string{"safetycase", "lint", "$DIR/incomplete.yaml", "$DIR/bad-yaml.yaml"},
		wantCode: cli.ExitError,
		wantOut: []string{
			"$DIR/incomplete.yaml: spec.owner:",
			"$DIR/bad-yaml.yaml: invalid YAML:",
		},
		wantErr: "error: failed to lint 1 of 2 file(s): unreadable or not valid YAML",
	},
	"lint a missing file": {
		args:     []string{"safetycase", "lint", "$DIR/no-such.yaml"},
		wantCode: cli.ExitError,
		wantOut:  []string{"$DIR/no-such.yaml: failed to read file: no such file or directory"},
	},
	"lint with nothing to lint": {
		args:     []string{"safetycase", "lint"},
		wantCode: cli.ExitError,
		wantErr:  "error: nothing to lint",
	},
	"lint shipped and files": {
		args:     []string{"safetycase", "lint", "--shipped", "$DIR/clean.yaml"},
		wantCode: cli.ExitError,
		wantErr:  "error: --shipped lints the embedded safety cases and takes no files",
	},
	"lint an empty directory": {
		args:     []string{"safetycase", "lint", "$EMPTY"},
		wantCode: cli.ExitError,
		wantErr:  "no .yaml or .yml files in directory",
	},
	"lint with an unknown output format": {
		args:     []string{"safetycase", "lint", "-o", "xml", "$DIR/clean.yaml"},
		wantCode: cli.ExitError,
		wantErr:  `invalid --output "xml"`,
	},
	"lint help has examples": {
		args:     []string{"safetycase", "lint", "--help"},
		wantCode: cli.ExitOK,
		wantOut:  []string{"FILE: FIELD: MESSAGE", "Examples:", "interlock safetycase lint --shipped", "-o json"},
	},
	"list": {
		args:     []string{"safetycase", "list"},
		wantCode: cli.ExitOK,
		wantOut: []string{
			"NAME", "CLASS", "HIGHEST-RUNG", "OWNER", "BUDGET", "BLAST-RADIUS",
			"bad-deploy", "rollback", "unsupervised",
			"certificate-expiry", "destructive", "supervised",
			"unhealthy-workload", "restart", "unsupervised", "team-platform-sre", "5 in 10m, 3 per target", "2 at once, 34%",
		},
	},
	"alias": {
		args:     []string{"safetycases", "list"},
		wantCode: cli.ExitOK,
		wantOut:  []string{"node-loss"},
	},
}

func TestSafetyCaseCommands(t *testing.T) {
	dir := safetyCaseFiles(t)
	cleanDir := filepath.Join(dir, "clean")
	if err := os.Mkdir(cleanDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range safetycases.Files() {
		if err := os.WriteFile(filepath.Join(cleanDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dirs := strings.NewReplacer("$DIR", dir, "$CLEAN", cleanDir, "$EMPTY", t.TempDir())
	for name, tc := range safetyCaseCommandTests {
		t.Run(name, func(t *testing.T) { checkSafetyCaseCommand(t, tc, dirs) })
	}
}

// checkSafetyCaseCommand runs tc's command line, with the directories
// filled in, and checks its exit code and output.
func checkSafetyCaseCommand(t *testing.T, tc safetyCaseCommandTest, dirs *strings.Replacer) {
	t.Helper()
	expand := func(in []string) []string {
		out := make([]string, len(in))
		for i, s := range in {
			out[i] = dirs.Replace(s)
		}
		return out
	}
	code, stdout, stderr := runSafetyCase(t, expand(tc.args)...)
	if code != tc.wantCode {
		t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, stdout, stderr)
	}
	rest := stdout
	for _, want := range expand(tc.wantOut) {
		i := strings.Index(rest, want)
		if i < 0 {
			t.Errorf("stdout lacks %q (in order)\nstdout:\n%s", want, stdout)
			break
		}
		rest = rest[i+len(want):]
	}
	if !strings.Contains(stderr, tc.wantErr) {
		t.Errorf("stderr = %q, want it to contain %q", stderr, tc.wantErr)
	}
}

func TestSafetyCaseLintJSON(t *testing.T) {
	dir := safetyCaseFiles(t)
	tests := map[string]struct {
		files        []string
		wantCode     int
		wantFields   []string
		wantClean    bool
		wantFatalFor string
	}{
		"clean": {
			files:     []string{"clean.yaml"},
			wantCode:  cli.ExitOK,
			wantClean: true,
		},
		"problems": {
			files:      []string{"clean.yaml", "incomplete.yaml"},
			wantCode:   cli.ExitFailed,
			wantFields: []string{"spec.owner", "spec.telemetry"},
		},
		"invalid YAML": {
			files:        []string{"bad-yaml.yaml"},
			wantCode:     cli.ExitError,
			wantFields:   []string{""},
			wantFatalFor: "bad-yaml.yaml",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			args := []string{"safetycase", "lint", "-o", "json"}
			for _, f := range tc.files {
				args = append(args, filepath.Join(dir, f))
			}
			code, stdout, stderr := runSafetyCase(t, args...)
			if code != tc.wantCode {
				t.Errorf("exit code = %d, want %d; stderr: %s", code, tc.wantCode, stderr)
			}
			var report struct {
				Files    []string `json:"files"`
				Findings []struct {
					File    string `json:"file"`
					Field   string `json:"field"`
					Message string `json:"message"`
					Fatal   bool   `json:"fatal"`
				} `json:"findings"`
				Clean bool `json:"clean"`
			}
			if err := json.Unmarshal([]byte(stdout), &report); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
			}
			if len(report.Files) != len(tc.files) || report.Clean != tc.wantClean || report.Findings == nil {
				t.Errorf("report = %+v", report)
			}
			var fields []string
			for _, f := range report.Findings {
				fields = append(fields, f.Field)
				if f.Message == "" {
					t.Errorf("finding %+v has no message", f)
				}
				if f.Fatal != (tc.wantFatalFor != "" && filepath.Base(f.File) == tc.wantFatalFor) {
					t.Errorf("finding %+v: fatal = %t", f, f.Fatal)
				}
			}
			if strings.Join(fields, ",") != strings.Join(tc.wantFields, ",") {
				t.Errorf("fields = %q, want %q", fields, tc.wantFields)
			}
		})
	}
}

// TestSafetyCaseListRoundTrip checks that `list -o yaml` prints safety cases
// that lint clean, and `list -o json` all of them.
func TestSafetyCaseListRoundTrip(t *testing.T) {
	code, stdout, stderr := runSafetyCase(t, "safetycase", "list", "-o", "yaml")
	if code != cli.ExitOK {
		t.Fatalf("list -o yaml: exit code %d: %s", code, stderr)
	}
	file := filepath.Join(t.TempDir(), "all.yaml")
	if err := os.WriteFile(file, []byte(stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runSafetyCase(t, "safetycase", "lint", file); code != cli.ExitOK {
		t.Errorf("lint of list -o yaml: exit code %d\n%s%s", code, stdout, stderr)
	}

	code, stdout, stderr = runSafetyCase(t, "safetycase", "list", "-o", "json")
	if code != cli.ExitOK {
		t.Fatalf("list -o json: exit code %d: %s", code, stderr)
	}
	var cases []map[string]any
	if err := json.Unmarshal([]byte(stdout), &cases); err != nil {
		t.Fatalf("stdout is not JSON: %v", err)
	}
	if len(cases) != len(safetycases.Names()) {
		t.Errorf("list -o json printed %d safety cases, want %d", len(cases), len(safetycases.Names()))
	}
}
