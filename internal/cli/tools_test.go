package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
