package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/harness/suite"
	"github.com/interlock-dev/interlock/internal/cli"
)

// TestNightlyRefusesBadInput: bad flags, an unknown scenario and a kind
// run without Docker exit 2 with a clear message, before anything runs.
func TestNightlyRefusesBadInput(t *testing.T) {
	tests := map[string]struct {
		args    []string
		emptyPT bool
		wantErr string
	}{
		"unknown tier":     {args: []string{"nightly", "--tier", "weekly"}, wantErr: `invalid --tier "weekly"`},
		"bad shard":        {args: []string{"nightly", "--shard", "5/4"}, wantErr: `invalid --shard "5/4"`},
		"zero parallel":    {args: []string{"nightly", "--parallel", "0"}, wantErr: "invalid --parallel 0"},
		"unknown scenario": {args: []string{"nightly", "no-such-scenario"}, wantErr: "no-such-scenario"},
		"unknown provider": {args: []string{"nightly", "--provider", "minikube"}, wantErr: `invalid --provider "minikube"`},
		"kind without docker": {
			args: []string{"nightly", "--provider", "kind", "--out", "OUT"}, emptyPT: true,
			wantErr: "kind provider needs a running Docker engine: docker not found on PATH (the embedded provider needs none: use --provider embedded)",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.ReplaceAll(a, "OUT", out)
			}
			if tc.emptyPT {
				t.Setenv("PATH", t.TempDir())
			}
			code, _, stderr := runCatalog(t, args...)
			if code != cli.ExitError {
				t.Errorf("exit %d, want %d; stderr %q", code, cli.ExitError, stderr)
			}
			if !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("stderr %q, want %q", stderr, tc.wantErr)
			}
			if entries, _ := os.ReadDir(out); len(entries) > 0 {
				t.Errorf("something was written to --out: %v", entries)
			}
		})
	}
}

// TestNightlyMerge: shard summaries join into one, linking each report
// where its shard wrote it, and the exit code follows the merged verdict.
func TestNightlyMerge(t *testing.T) {
	root := t.TempDir()
	write := func(dir string, s *suite.Summary) {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := suite.WriteFiles(filepath.Join(root, dir), s); err != nil {
			t.Fatal(err)
		}
	}
	write("shard-1", &suite.Summary{Provider: "kind", Verdict: "pass", WallSeconds: 60,
		Entries: []suite.Entry{{Scenario: "storm", Tier: "pr", Verdict: "pass", Dir: "storm"}}})
	write("shard-2", &suite.Summary{Provider: "kind", Verdict: "fail", WallSeconds: 90,
		Entries: []suite.Entry{{Scenario: "node-loss", Tier: "pr", Verdict: "fail", Failed: []string{"reversal-measured fail"}, Dir: "node-loss"}}})
	out := filepath.Join(root, "merged")
	code, stdout, stderr := runCatalog(t, "nightly", "merge", filepath.Join(root, "shard-1"), filepath.Join(root, "shard-2"), "--out", out)
	if code != cli.ExitFailed {
		t.Errorf("exit %d, want %d (a shard failed); stderr %q", code, cli.ExitFailed, stderr)
	}
	for _, want := range []string{"| [node-loss](../shard-2/node-loss/scorecard.md) |", "| [storm](../shard-1/storm/scorecard.md) |", "reversal-measured fail", "1 passed, 1 failed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("merged summary lacks %q:\n%s", want, stdout)
		}
	}
	html, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil || !strings.Contains(string(html), `href="../shard-1/storm/scorecard.html"`) {
		t.Errorf("index.html does not link the shard's report: %v", err)
	}
}
