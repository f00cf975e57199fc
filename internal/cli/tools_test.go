package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/interlock-dev/interlock/internal/cli"
	"github.com/interlock-dev/interlock/internal/toolchain"
)

// TestToolsPathAndBuild runs `tools path` and `tools build COMPONENT` against
// a cache in a temporary directory, where only the descheduler is "built"
// (a stand-in script), so nothing is ever compiled.
func TestToolsPathAndBuild(t *testing.T) {
	built, notBuilt := fakeToolsCache(t)
	for name, tc := range map[string]struct {
		args     []string
		wantCode int
		wantOut  string
		wantErr  []string
	}{
		"path of a built component": {
			args:    []string{"tools", "path", "descheduler"},
			wantOut: built + "\n",
		},
		"path of a component not built": {
			args:     []string{"tools", "path", "metrics-server"},
			wantCode: cli.ExitError,
			wantErr:  []string{"metrics-server is not built", notBuilt, "interlock tools build metrics-server"},
		},
		"path of an unknown component": {
			args:     []string{"tools", "path", "deschedular"},
			wantCode: cli.ExitError,
			wantErr:  []string{`unknown component "deschedular"`, "descheduler", "kube-apiserver"},
		},
		"path needs one component": {
			args:     []string{"tools", "path"},
			wantCode: cli.ExitError,
			wantErr:  []string{"accepts 1 arg(s)"},
		},
		"build of a cached component builds nothing": {
			args:    []string{"tools", "build", "descheduler"},
			wantOut: "descheduler is " + built + "\n",
		},
		"build of an unknown component": {
			args:     []string{"tools", "build", "descheduler", "nope"},
			wantCode: cli.ExitError,
			wantErr:  []string{`unknown component "nope"`},
		},
		"build of a missing component without hack/tools": {
			args:     []string{"tools", "build", "metrics-server"},
			wantCode: cli.ExitError,
			wantErr:  []string{"cannot find the tools modules"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := cli.Run(t.Context(), tc.args, cli.Streams{Out: &out, Err: &errOut})
			if code != tc.wantCode {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, tc.wantCode, errOut.String())
			}
			if tc.wantOut != "" && out.String() != tc.wantOut {
				t.Errorf("stdout %q, want %q", out.String(), tc.wantOut)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr %q does not mention %q", errOut.String(), w)
				}
			}
		})
	}
}

// fakeToolsCache points the tools cache at a temporary directory where only
// the descheduler is "built" (a stand-in script), with no hack/tools to
// build from, and returns the descheduler's path and metrics-server's.
func fakeToolsCache(t *testing.T) (built, notBuilt string) {
	t.Helper()
	cache := t.TempDir()
	t.Setenv(toolchain.CacheDirEnv, cache)
	// No hack/tools here: a build that is not satisfied by the cache fails fast.
	t.Setenv(toolchain.SourceDirEnv, t.TempDir())
	tc, err := toolchain.New(toolchain.Options{})
	if err != nil {
		t.Fatal(err)
	}
	built, err = tc.Path("descheduler")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(built), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(built, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	notBuilt, err = tc.Path("metrics-server")
	if err != nil {
		t.Fatal(err)
	}
	return built, notBuilt
}

// `tools list` shows the descheduler with its pinned module.
func TestToolsListShowsDescheduler(t *testing.T) {
	t.Setenv(toolchain.CacheDirEnv, t.TempDir())
	var out, errOut bytes.Buffer
	if code := cli.Run(t.Context(), []string{"tools", "list"}, cli.Streams{Out: &out, Err: &errOut}); code != cli.ExitOK {
		t.Fatalf("exit code %d: %s", code, errOut.String())
	}
	var row string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "descheduler ") {
			row = line
		}
	}
	for _, w := range []string{toolchain.Descheduler.Upstream, toolchain.Descheduler.Version, "missing"} {
		if !strings.Contains(row, w) {
			t.Errorf("tools list row %q does not show %q; output:\n%s", row, w, out.String())
		}
	}
}

// TestToolsListOutput: tools list prints every component as text, JSON or
// YAML with the same fields, the one the nightly workflow reads with jq
// included, and refuses an unknown format.
func TestToolsListOutput(t *testing.T) {
	cache := t.TempDir()
	t.Setenv(toolchain.CacheDirEnv, cache)
	tests := map[string]struct {
		args   []string
		decode func([]byte, any) error
	}{
		"json": {args: []string{"-o", "json"}, decode: json.Unmarshal},
		"yaml": {args: []string{"-o", "yaml"}, decode: func(b []byte, v any) error { return yaml.UnmarshalStrict(b, v) }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := cli.Run(t.Context(), append([]string{"tools", "list"}, tc.args...), cli.Streams{Out: &out, Err: &errOut}); code != cli.ExitOK {
				t.Fatalf("exit code %d: %s", code, errOut.String())
			}
			var rows []struct {
				Name     string `json:"name"`
				Module   string `json:"module"`
				Version  string `json:"version"`
				State    string `json:"state"`
				Path     string `json:"path"`
				Optional bool   `json:"optional"`
				OnDemand bool   `json:"onDemand"`
			}
			if err := tc.decode(out.Bytes(), &rows); err != nil {
				t.Fatalf("not %s: %v\n%s", name, err, out.String())
			}
			if len(rows) != len(toolchain.Components) {
				t.Fatalf("%d rows, want one per component (%d)", len(rows), len(toolchain.Components))
			}
			for i, c := range toolchain.Components {
				r := rows[i]
				if r.Name != c.Name || r.Module != c.Module.Upstream || r.Version != c.Module.Version || r.OnDemand != c.OnDemand || r.Optional != c.Optional {
					t.Errorf("row %d = %+v, want component %s", i, r, c.Name)
				}
				if r.State != "missing" || !strings.HasPrefix(r.Path, cache) || filepath.Base(r.Path) != c.Name {
					t.Errorf("row %s: state %q path %q, want missing under %s", r.Name, r.State, r.Path, cache)
				}
			}
		})
	}
	t.Run("bad format", func(t *testing.T) {
		var out, errOut bytes.Buffer
		code := cli.Run(t.Context(), []string{"tools", "list", "-o", "csv"}, cli.Streams{Out: &out, Err: &errOut})
		if code != cli.ExitError || !strings.Contains(errOut.String(), `invalid --output "csv": must be one of text, json, yaml`) {
			t.Errorf("exit %d, stderr %q", code, errOut.String())
		}
	})
}
