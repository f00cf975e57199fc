package toolchain_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/internal/testutil"
	"github.com/interlock-dev/interlock/internal/toolchain"
)

func repoToolsDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "hack", "tools"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// The versions compiled into interlock must be the ones hack/tools pins.
func TestModulesMatchGoMod(t *testing.T) {
	for _, m := range []toolchain.Module{toolchain.Kubernetes, toolchain.Etcd, toolchain.Kwok, toolchain.MetricsServer, toolchain.Descheduler} {
		t.Run(m.Dir, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(repoToolsDir(t), m.Dir, "go.mod"))
			if err != nil {
				t.Fatal(err)
			}
			re := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(m.Upstream) + `\s+(v\S+)`)
			got := re.FindSubmatch(data)
			if got == nil {
				t.Fatalf("hack/tools/%s/go.mod does not require %s", m.Dir, m.Upstream)
			}
			if string(got[1]) != m.Version {
				t.Errorf("hack/tools/%s/go.mod pins %s %s, toolchain says %s", m.Dir, m.Upstream, got[1], m.Version)
			}
		})
	}
	// Every staging module is pinned to the matching v0 version.
	data, err := os.ReadFile(filepath.Join(repoToolsDir(t), "kubernetes", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	want := "v0" + strings.TrimPrefix(toolchain.Kubernetes.Version, "v1")
	for _, m := range regexp.MustCompile(`(?m)^\s*(k8s\.io/\S+) => k8s\.io/\S+ (\S+)$`).FindAllSubmatch(data, -1) {
		if string(m[2]) != want {
			t.Errorf("%s is replaced by %s, want %s", m[1], m[2], want)
		}
	}
}

func TestEnsureUsesCache(t *testing.T) {
	cache := t.TempDir()
	tc, err := toolchain.New(toolchain.Options{CacheDir: cache, SourceDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(tc.Missing()); got != len(toolchain.Components) {
		t.Fatalf("empty cache: %d missing, want %d", got, len(toolchain.Components))
	}
	for _, c := range toolchain.Components {
		p, err := tc.Path(c.Name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p, c.Module.Version) {
			t.Errorf("path %s does not name version %s", p, c.Module.Version)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Nothing is missing, so the (empty) source dir is never read.
	bins, err := tc.Ensure(t.Context())
	if err != nil {
		t.Fatalf("Ensure with a full cache: %v", err)
	}
	if len(bins) != len(toolchain.Components)-1 || bins["kube-apiserver"] == "" || bins["descheduler"] != "" {
		t.Errorf("Ensure returned %v; want every component but the on-demand descheduler", bins)
	}
	if bins, err := tc.Ensure(t.Context(), "descheduler"); err != nil || bins["descheduler"] == "" {
		t.Errorf("Ensure of the on-demand descheduler by name: %v, %v", bins, err)
	}
	if _, err := tc.Path("nope"); err == nil {
		t.Error("Path of an unknown component did not fail")
	}
}

func TestEnsureWithoutSource(t *testing.T) {
	tc, err := toolchain.New(toolchain.Options{CacheDir: t.TempDir(), SourceDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tc.Ensure(t.Context())
	if !errors.Is(err, toolchain.ErrSourceNotFound) {
		t.Fatalf("Ensure without hack/tools: %v, want ErrSourceNotFound", err)
	}
}

// An unreachable module proxy fails fast with an error that says so.
func TestEnsureProxyUnreachable(t *testing.T) {
	modcache := t.TempDir()
	tc, err := toolchain.New(toolchain.Options{
		CacheDir:  t.TempDir(),
		SourceDir: repoToolsDir(t),
		Env:       []string{"GOPROXY=http://127.0.0.1:1", "GOMODCACHE=" + modcache, "GOFLAGS=-mod=mod", "GOSUMDB=off"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	_, err = tc.Ensure(ctx)
	if !errors.Is(err, toolchain.ErrProxyUnreachable) {
		t.Fatalf("Ensure with no proxy: %v, want ErrProxyUnreachable", err)
	}
	if !strings.Contains(err.Error(), "GOPROXY=http://127.0.0.1:1") {
		t.Errorf("error does not name the proxy: %v", err)
	}
}

// A compile that takes a while says so, with its time so far, until it
// ends; then it says nothing more.
func TestHeartbeat(t *testing.T) {
	var out testutil.SyncBuffer
	stop := toolchain.Heartbeat(&out, 10*time.Millisecond, "  [4/8] kube-apiserver still compiling", time.Now())
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(out.String(), "still compiling") < 2 && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	stop()
	got := out.String()
	if n := strings.Count(got, "still compiling"); n < 2 || !strings.Contains(got, "so far") {
		t.Fatalf("heartbeat wrote %q, want at least two lines with the time so far", got)
	}
	after := len(out.String())
	if toolchain.Heartbeat(&out, 0, "never", time.Now())(); len(out.String()) != after {
		t.Error("a heartbeat of 0 wrote something")
	}
}
