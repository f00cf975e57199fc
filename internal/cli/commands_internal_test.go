package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/internal/toolchain"
)

// The tests in this file walk the whole command tree, so that a command
// added without help, without a test of its exit codes or of its -o
// formats fails them.

// commandCase is one command line, run in process without a cluster, with
// the exit code it must give and a substring of its standard error.
type commandCase struct {
	args    []string
	code    int
	wantErr string
}

// exitCases are, for every command, command lines that give each of its
// exit codes that can be reached without a cluster. HIST is replaced by a
// history directory holding one promotion of node-loss to runbook, and
// FILE by a safety case that does not lint clean.
var exitCases = map[string][]commandCase{
	"interlock": {
		{args: []string{}, code: ExitOK},
		{args: []string{"scenarion"}, code: ExitError, wantErr: `unknown command "scenarion"`},
		{args: []string{"--bogus"}, code: ExitError, wantErr: "unknown flag: --bogus"},
	},
	"interlock approve": {
		{args: []string{"approve"}, code: ExitError, wantErr: "accepts 1 arg(s)"},
		{args: []string{"approve", "p", "--kubeconfig", "/nonexistent"}, code: ExitError, wantErr: "failed to load kubeconfig"},
	},
	"interlock catalog": {
		{args: []string{"catalog"}, code: ExitOK},
		{args: []string{"catalog", "lst"}, code: ExitError, wantErr: `unknown command "lst"`},
	},
	"interlock catalog coverage": {{args: []string{"catalog", "coverage"}, code: ExitOK}},
	"interlock catalog list":     {{args: []string{"catalog", "list"}, code: ExitOK}},
	"interlock catalog show": {
		{args: []string{"catalog", "show", "remediation-storm"}, code: ExitOK},
		{args: []string{"catalog", "show", "remediation-strom"}, code: ExitError, wantErr: `did you mean "remediation-storm"?`},
	},
	"interlock cluster": {{args: []string{"cluster", "upp"}, code: ExitError, wantErr: `unknown command "upp"`}},
	"interlock cluster down": {
		{args: []string{"cluster", "down", "--name", "absent"}, code: ExitOK},
		{args: []string{"cluster", "down", "extra"}, code: ExitError},
	},
	"interlock cluster kubeconfig": {{args: []string{"cluster", "kubeconfig", "--name", "absent"}, code: ExitError, wantErr: `cluster not found: "absent"`}},
	"interlock cluster list":       {{args: []string{"cluster", "list"}, code: ExitOK}},
	"interlock cluster status":     {{args: []string{"cluster", "status", "--name", "absent"}, code: ExitError, wantErr: `cluster not found: "absent"`}},
	"interlock cluster up":         {{args: []string{"cluster", "up", "--wait", "soon"}, code: ExitError, wantErr: `invalid argument "soon"`}},
	"interlock demote": {
		{args: []string{"demote", "node-loss", "--to", "alert", "--owner", "bob", "--reason", "noisy", "--history", "HIST"}, code: ExitOK},
		{args: []string{"demote", "node-loss", "--to", "alert", "--owner", "bob", "--history", "HIST"}, code: ExitError, wantErr: "--reason is required"},
	},
	"interlock history":            {{args: []string{"history", "lst"}, code: ExitError, wantErr: `unknown command "lst"`}},
	"interlock history list":       {{args: []string{"history", "list", "--history", "HIST"}, code: ExitOK}},
	"interlock history promotions": {{args: []string{"history", "promotions", "--history", "HIST"}, code: ExitOK}},
	"interlock killswitch": {
		{args: []string{"killswitch", "maybe"}, code: ExitError, wantErr: `invalid argument "maybe": must be on or off`},
		{args: []string{"killswitch", "on", "--kubeconfig", "/nonexistent"}, code: ExitError, wantErr: "failed to load kubeconfig"},
	},
	"interlock nightly": {
		{args: []string{"nightly", "storm", "--history", "HIST", "--out", "OUT", "-q"}, code: ExitOK},
		{args: []string{"nightly", "--tier", "weekly"}, code: ExitError, wantErr: `invalid --tier "weekly"`},
	},
	"interlock nightly merge": {{args: []string{"nightly", "merge", "/nonexistent"}, code: ExitError, wantErr: "/nonexistent/summary.json"}},
	"interlock promote": {
		{args: []string{"promote", "node-loss", "--to", "supervised", "--owner", "alice", "--history", "HIST", "--dry-run"}, code: ExitFailed, wantErr: "refused"},
		{args: []string{"promote", "node-loss", "--to", "rung-9", "--owner", "alice"}, code: ExitError, wantErr: "rung-9"},
	},
	"interlock remediator": {{args: []string{"remediator", "--kubeconfig", "/nonexistent"}, code: ExitError, wantErr: "failed to load kubeconfig"}},
	"interlock resume":     {{args: []string{"resume", "node-loss", "--kubeconfig", "/nonexistent"}, code: ExitError, wantErr: "failed to load kubeconfig"}},
	"interlock safetycase": {{args: []string{"safetycase", "lnt"}, code: ExitError, wantErr: `unknown command "lnt"`}},
	"interlock safetycase lint": {
		{args: []string{"safetycase", "lint", "--shipped"}, code: ExitOK},
		{args: []string{"safetycase", "lint", "FILE"}, code: ExitFailed, wantErr: "problem(s)"},
		{args: []string{"safetycase", "lint", "/nonexistent.yaml"}, code: ExitError, wantErr: "unreadable"},
		{args: []string{"safetycase", "lint"}, code: ExitError, wantErr: "nothing to lint"},
	},
	"interlock safetycase list": {{args: []string{"safetycase", "list"}, code: ExitOK}},
	"interlock safetycase show": {
		{args: []string{"safetycase", "show", "node-loss"}, code: ExitOK},
		{args: []string{"safetycase", "show", "nodeloss"}, code: ExitError, wantErr: `did you mean "node-loss"?`},
	},
	"interlock scenario":      {{args: []string{"scenario", "lst"}, code: ExitError, wantErr: `unknown command "lst"`}},
	"interlock scenario list": {{args: []string{"scenario", "list"}, code: ExitOK}},
	"interlock scenario run": {
		{args: []string{"scenario", "run", "storm", "--history", "HIST", "-q"}, code: ExitOK},
		{args: []string{"scenario", "run", "strom"}, code: ExitError, wantErr: `did you mean "storm"?`},
	},
	"interlock scenario validate": {
		{args: []string{"scenario", "validate", "../../scenarios/storm.yaml"}, code: ExitOK},
		{args: []string{"scenario", "validate", "/nonexistent.yaml"}, code: ExitError, wantErr: "/nonexistent.yaml"},
	},
	"interlock tools":       {{args: []string{"tools", "lst"}, code: ExitError, wantErr: `unknown command "lst"`}},
	"interlock tools build": {{args: []string{"tools", "build", "nope"}, code: ExitError, wantErr: `unknown component "nope"`}},
	"interlock tools list":  {{args: []string{"tools", "list"}, code: ExitOK}},
	"interlock tools path":  {{args: []string{"tools", "path", "kubectl"}, code: ExitError, wantErr: "kubectl is not built"}},
	"interlock version": {
		{args: []string{"version"}, code: ExitOK},
		{args: []string{"version", "extra"}, code: ExitError},
	},
}

// outputCases are, for every command with -o, a command line that prints
// data without a cluster and its exit code; or, for one that needs a
// cluster, why (its bad -o value is tested all the same).
var outputCases = map[string]struct {
	args    []string
	code    int
	cluster string
}{
	"interlock catalog coverage":   {args: []string{"catalog", "coverage"}, code: ExitOK},
	"interlock catalog list":       {args: []string{"catalog", "list"}},
	"interlock catalog show":       {args: []string{"catalog", "show", "remediation-storm"}},
	"interlock cluster list":       {args: []string{"cluster", "list"}},
	"interlock cluster status":     {cluster: "prints a running cluster"},
	"interlock cluster up":         {cluster: "starts a cluster"},
	"interlock demote":             {args: []string{"demote", "node-loss", "--to", "alert", "--owner", "bob", "--reason", "noisy", "--history", "HIST"}},
	"interlock history list":       {args: []string{"history", "list", "--history", "HIST"}},
	"interlock history promotions": {args: []string{"history", "promotions", "--history", "HIST"}},
	"interlock promote":            {args: []string{"promote", "node-loss", "--to", "supervised", "--owner", "alice", "--history", "HIST", "--dry-run"}, code: ExitFailed},
	"interlock safetycase lint":    {args: []string{"safetycase", "lint", "--shipped"}},
	"interlock safetycase list":    {args: []string{"safetycase", "list"}},
	"interlock safetycase show":    {args: []string{"safetycase", "show", "node-loss"}},
	"interlock scenario list":      {args: []string{"scenario", "list"}},
	"interlock scenario run":       {args: []string{"scenario", "run", "storm", "--history", "HIST", "-q"}},
	"interlock tools list":         {args: []string{"tools", "list"}},
	"interlock version":            {args: []string{"version"}},
}

// commands returns every command of the tree but cobra's own, by path.
func commands(t *testing.T) map[string]*cobra.Command {
	t.Helper()
	out := map[string]*cobra.Command{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		out[c.CommandPath()] = c
		for _, sub := range c.Commands() {
			if sub.Name() != "help" && sub.Name() != "completion" {
				walk(sub)
			}
		}
	}
	walk(NewRootCommand(Streams{Out: &strings.Builder{}, Err: &strings.Builder{}}))
	return out
}

// isolate points every directory a command reads or writes into the test's
// own, puts the scripted runner in place of real runs, and returns the
// replacements for HIST, OUT and FILE.
func isolate(t *testing.T) *strings.Replacer {
	t.Helper()
	scriptedRuns(t)
	dir := t.TempDir()
	hist := filepath.Join(dir, "history")
	t.Setenv(history.DirEnv, filepath.Join(dir, "default-history"))
	p := history.Promotion{ID: history.NewID(time.Now().Add(-time.Hour), "node-loss"), Action: history.Promote, Automation: "node-loss",
		From: v1alpha1.RungAlert, To: v1alpha1.RungRunbook, Owner: "alice", Time: time.Now().Add(-time.Hour).UTC()}
	if err := history.NewDir(hist).AppendPromotion(p); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "incomplete.yaml")
	if err := os.WriteFile(file, []byte("apiVersion: interlock.dev/v1alpha1\nkind: SafetyCase\nmetadata:\n  name: mine\nspec: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer("HIST", hist, "OUT", filepath.Join(dir, "out"), "FILE", file)
}

func replaced(r *strings.Replacer, args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = r.Replace(a)
	}
	return out
}

// TestEveryCommandHasHelp: every command's --help exits 0 and prints its
// usage and description; every command that does something shows examples.
func TestEveryCommandHasHelp(t *testing.T) {
	t.Setenv(toolchain.CacheDirEnv, t.TempDir())
	t.Setenv(cluster.HomeEnv, t.TempDir())
	for path, c := range commands(t) {
		t.Run(path, func(t *testing.T) {
			args := append(strings.Fields(path)[1:], "--help")
			code, out, errOut := runCLI(t, args...)
			if code != ExitOK || errOut != "" {
				t.Fatalf("%s --help: exit %d, stderr %q", path, code, errOut)
			}
			if c.Short == "" {
				t.Errorf("%s has no Short description", path)
			}
			want := []string{"Usage:\n  " + path}
			c.Flags().VisitAll(func(f *pflag.Flag) {
				if !f.Hidden {
					want = append(want, "--"+f.Name+" ")
				}
			})
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("%s --help lacks %q:\n%s", path, w, out)
				}
			}
			if c.HasAvailableSubCommands() {
				return // a group: its subcommands show the examples
			}
			if c.Example == "" || !strings.Contains(out, "Examples:\n") {
				t.Errorf("%s --help has no examples", path)
			}
		})
	}
}

// TestEveryCommandExitCodes runs each command line of exitCases: each gives
// its exit code, an error is one line starting "error: ", and every command
// has its cases.
func TestEveryCommandExitCodes(t *testing.T) {
	all := commands(t)
	for path := range all {
		if _, ok := exitCases[path]; !ok {
			t.Errorf("%s has no exit-code cases in exitCases", path)
		}
	}
	for path, cases := range exitCases {
		if _, ok := all[path]; !ok {
			t.Errorf("exitCases has %s, which is no command", path)
		}
		for _, tc := range cases {
			t.Run(path+"/"+strings.Join(tc.args, " "), func(t *testing.T) {
				r := isolate(t)
				code, _, errOut := runCLI(t, replaced(r, tc.args)...)
				if code != tc.code {
					t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, errOut)
				}
				if !strings.Contains(errOut, tc.wantErr) {
					t.Errorf("stderr %q, want %q", errOut, tc.wantErr)
				}
				if code != ExitOK {
					last := strings.TrimRight(errOut, "\n")
					if i := strings.LastIndex(last, "\nerror: "); i >= 0 {
						last = last[i+1:]
					}
					if !strings.HasPrefix(last, "error: ") {
						t.Errorf("exit %d without an error line: %q", code, errOut)
					}
				}
			})
		}
	}
}

// TestEveryOutputFormat runs each command with -o in each of its formats
// and decodes what it prints; a format it does not have exits 2 naming the
// formats it has.
func TestEveryOutputFormat(t *testing.T) {
	all := commands(t)
	for path, c := range all {
		f := c.Flags().Lookup("output")
		if f == nil {
			if _, ok := outputCases[path]; ok {
				t.Errorf("outputCases has %s, which has no -o", path)
			}
			continue
		}
		tc, ok := outputCases[path]
		if !ok {
			t.Errorf("%s has -o but no case in outputCases", path)
			continue
		}
		formats := strings.Split(strings.TrimPrefix(f.Usage, "output format: "), "|")
		if f.Shorthand != "o" || f.DefValue != formats[0] {
			t.Errorf("%s: -o is -%s with default %q, want -o defaulting to its first format %q", path, f.Shorthand, f.DefValue, formats[0])
		}
		t.Run(path+"/bad format", func(t *testing.T) {
			r := isolate(t)
			args := append(strings.Fields(path)[1:], "-o", "xml")
			if tc.args != nil {
				args = append(replaced(r, tc.args), "-o", "xml")
			}
			code, _, errOut := runCLI(t, args...)
			want := `invalid --output "xml": must be one of ` + strings.Join(formats, ", ")
			if code != ExitError || !strings.Contains(errOut, want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, want)
			}
		})
		if tc.cluster != "" {
			continue
		}
		for _, format := range formats {
			t.Run(path+"/"+format, func(t *testing.T) {
				r := isolate(t)
				code, out, errOut := runCLI(t, append(replaced(r, tc.args), "-o", format)...)
				if code != tc.code {
					t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, errOut)
				}
				checkFormat(t, format, out)
			})
		}
	}
}

// checkFormat fails unless out is a document in format.
func checkFormat(t *testing.T, format, out string) {
	t.Helper()
	var v any
	switch format {
	case outputJSON:
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Errorf("not JSON: %v\n%s", err, out)
		}
	case outputYAML:
		if err := yaml.Unmarshal([]byte(out), &v); err != nil || v == nil {
			t.Errorf("not YAML: %v\n%s", err, out)
		}
		if json.Valid([]byte(strings.TrimSpace(out))) && strings.TrimSpace(out) != "[]" {
			t.Errorf("-o yaml printed JSON:\n%s", out)
		}
	case outputJUnit:
		if !strings.HasPrefix(out, "<?xml") || !strings.Contains(out, "<testsuite") {
			t.Errorf("not JUnit XML:\n%s", out)
		}
	case outputHTML:
		if !strings.Contains(out, "<html") || !strings.Contains(out, "</html>") {
			t.Errorf("not an HTML page:\n%.300s", out)
		}
	case outputMarkdown:
		if !regexp.MustCompile(`(?m)^#+ `).MatchString(out) {
			t.Errorf("no Markdown heading:\n%.300s", out)
		}
	case outputText:
		if strings.TrimSpace(out) == "" {
			t.Error("-o text printed nothing")
		}
	default:
		t.Errorf("format %q has no check", format)
	}
}

// TestExitCodesDocumented: the root help and the README give each exit
// code its meaning, the same as the constants'.
func TestExitCodesDocumented(t *testing.T) {
	_, help, _ := runCLI(t, "--help")
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	codes := []int{ExitOK, ExitFailed, ExitError}
	if !slices.Equal(codes, []int{0, 1, 2}) {
		t.Fatalf("exit codes %v changed: update exitCodesHelp and the README", codes)
	}
	for _, code := range codes {
		c := strconv.Itoa(code)
		if !regexp.MustCompile(`(?m)^  ` + c + `  \S`).MatchString(help) {
			t.Errorf("interlock --help does not explain exit code %s:\n%s", c, help)
		}
		if !regexp.MustCompile(`(?m)^\| ` + c + ` \| \S`).Match(readme) {
			t.Errorf("README's exit code table has no row for %s", c)
		}
	}
}
