package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/interlock-dev/interlock/internal/cli"
)

// TestRunFlagsShared: scenario run and nightly take --provider and
// --safety-case with the same default and the same help, so one flag means
// the same on both.
func TestRunFlagsShared(t *testing.T) {
	root := cli.NewRootCommand(cli.Streams{Out: &strings.Builder{}, Err: &strings.Builder{}})
	flagOf := func(path []string, name string) *pflag.Flag {
		t.Helper()
		cmd, _, err := root.Find(path)
		if err != nil {
			t.Fatalf("no command %v: %v", path, err)
		}
		f := cmd.Flags().Lookup(name)
		if f == nil {
			t.Fatalf("%v has no --%s", path, name)
		}
		return f
	}
	for _, name := range []string{"provider", "safety-case"} {
		t.Run(name, func(t *testing.T) {
			run, nightly := flagOf([]string{"scenario", "run"}, name), flagOf([]string{"nightly"}, name)
			if run.Usage != nightly.Usage {
				t.Errorf("--%s help differs:\n  scenario run: %s\n  nightly:      %s", name, run.Usage, nightly.Usage)
			}
			if run.DefValue != nightly.DefValue {
				t.Errorf("--%s default differs: scenario run %q, nightly %q", name, run.DefValue, nightly.DefValue)
			}
		})
	}
}

// TestRunFlagsRefuseBadInput: a bad --provider or --safety-case stops
// scenario run and nightly with exit 2 and a message naming the flag, the
// file or the scenario, before any cluster is started.
func TestRunFlagsRefuseBadInput(t *testing.T) {
	dir := t.TempDir()
	incomplete := filepath.Join(dir, "incomplete.yaml")
	if err := os.WriteFile(incomplete, []byte("apiVersion: interlock.dev/v1alpha1\nkind: SafetyCase\nmetadata:\n  name: mine\nspec: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.yaml")
	tests := map[string]struct {
		args    []string
		noPath  bool
		wantErr []string
	}{
		"scenario run: unknown provider": {
			args: []string{"scenario", "run", "storm", "--provider", "minikube"}, wantErr: []string{`invalid --provider "minikube": must be embedded or kind`},
		},
		"scenario run: kind without docker": {
			args: []string{"scenario", "run", "storm", "--provider", "kind", "--history", ""}, noPath: true,
			wantErr: []string{"kind provider needs a running Docker engine"},
		},
		"scenario run: a scenario chaos mesh cannot inject": {
			args:    []string{"scenario", "run", "node-loss", "--provider", "kind"},
			wantErr: []string{"scenario node-loss cannot run on kind", "spec.faults[0].nodeChaos"},
		},
		"scenario run: safety case without remediator": {
			args: []string{"scenario", "run", "storm", "--safety-case", incomplete}, wantErr: []string{"--safety-case is for an external remediator: set --remediator-cmd too"},
		},
		"nightly: safety case without remediator": {
			args: []string{"nightly", "storm", "--safety-case", incomplete}, wantErr: []string{"--safety-case is for an external remediator: set --remediator-cmd too"},
		},
		"nightly: incomplete safety case": {
			args:    []string{"nightly", "storm", "--remediator-cmd", "true", "--safety-case", incomplete},
			wantErr: []string{"scenario storm:", incomplete, "spec."},
		},
		"nightly: missing safety case": {
			args:    []string{"nightly", "--tier", "pr", "--remediator-cmd", "true", "--safety-case", missing},
			wantErr: []string{"failed to load safety case", missing},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			args := append(tc.args, "--out", out)
			if tc.noPath {
				t.Setenv("PATH", t.TempDir())
			}
			code, _, stderr := runInterlock(t, args...)
			if code != cli.ExitError {
				t.Errorf("exit %d, want %d; stderr %q", code, cli.ExitError, stderr)
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q, want %q", stderr, want)
				}
			}
			if entries, _ := os.ReadDir(out); len(entries) > 0 {
				t.Errorf("something was written to --out: %v", entries)
			}
		})
	}
}
