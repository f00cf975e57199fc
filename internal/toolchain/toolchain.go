package toolchain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/internal/flock"
)

// Module is one tools module under hack/tools: a pinned upstream module and
// the commands built from it.
type Module struct {
	// Dir is the module's directory name under hack/tools.
	Dir string
	// Upstream is the module path whose version names the cache entry.
	Upstream string
	// Version is the pinned upstream version; it must match the tools module's go.mod.
	Version string
}

// Component is one binary the embedded cluster runs.
type Component struct {
	// Name is the binary's file name.
	Name string
	// Module is the tools module it is built from.
	Module Module
	// Package is the Go package to build, relative to the tools module ("." for its root).
	Package string
	// VersionArgs prove that the binary runs; they must exit 0.
	VersionArgs []string
	// Optional components run only on clusters that ask for them; a
	// cluster that does not need not wait for them to build (see Required).
	Optional bool
	// OnDemand components are built only when named (Ensure with names,
	// `interlock tools build NAME`), never with the rest: tools for
	// examples, which no test and no cluster needs.
	OnDemand bool
}

// The pinned tools modules. TestModulesMatchGoMod keeps these in step with hack/tools.
var (
	Kubernetes = Module{Dir: "kubernetes", Upstream: "k8s.io/kubernetes", Version: "v1.37.2"}
	Etcd       = Module{Dir: "etcd", Upstream: "go.etcd.io/etcd/server/v3", Version: "v3.7.3"}
	Kwok       = Module{Dir: "kwok", Upstream: "sigs.k8s.io/kwok", Version: "v0.8.0"}
	// MetricsServer serves the resource metrics API (kubectl top, the
	// HorizontalPodAutoscaler) on clusters started with metrics.
	MetricsServer = Module{Dir: "metrics-server", Upstream: "sigs.k8s.io/metrics-server", Version: "v0.8.0"}
	// Descheduler is a third-party remediator, not a cluster component:
	// examples/descheduler grades it with --remediator-cmd.
	Descheduler = Module{Dir: "descheduler", Upstream: "sigs.k8s.io/descheduler", Version: "v0.36.0"}
)

// Components lists every binary, in build order: the smallest first, so a
// broken setup fails fast.
var Components = []Component{
	{Name: "etcd", Module: Etcd, Package: ".", VersionArgs: []string{"--version"}},
	{Name: "kwokctl", Module: Kwok, Package: "sigs.k8s.io/kwok/cmd/kwokctl", VersionArgs: []string{"--version"}},
	{Name: "kwok", Module: Kwok, Package: "sigs.k8s.io/kwok/cmd/kwok", VersionArgs: []string{"--version"}},
	{Name: "kube-apiserver", Module: Kubernetes, Package: "k8s.io/kubernetes/cmd/kube-apiserver", VersionArgs: []string{"--version"}},
	{Name: "kube-controller-manager", Module: Kubernetes, Package: "k8s.io/kubernetes/cmd/kube-controller-manager", VersionArgs: []string{"--version"}},
	{Name: "kube-scheduler", Module: Kubernetes, Package: "k8s.io/kubernetes/cmd/kube-scheduler", VersionArgs: []string{"--version"}},
	{Name: "kubectl", Module: Kubernetes, Package: "k8s.io/kubernetes/cmd/kubectl", VersionArgs: []string{"version", "--client"}},
	{Name: "metrics-server", Module: MetricsServer, Package: "sigs.k8s.io/metrics-server/cmd/metrics-server", VersionArgs: []string{"--version"}, Optional: true},
	{Name: "descheduler", Module: Descheduler, Package: "sigs.k8s.io/descheduler/cmd/descheduler", VersionArgs: []string{"version"}, Optional: true, OnDemand: true},
}

// Required returns the names of the components every cluster runs, followed
// by the optional ones named in extra.
func Required(extra ...string) []string {
	var names []string
	for _, c := range Components {
		if !c.Optional {
			names = append(names, c.Name)
		}
	}
	return append(names, extra...)
}

// DefaultHeartbeat is how often a long compile shows life by default.
const DefaultHeartbeat = 20 * time.Second

// CacheDirEnv overrides where built binaries are cached.
const CacheDirEnv = "INTERLOCK_TOOLS_CACHE"

// SourceDirEnv overrides where the tools modules' source (hack/tools) is found.
const SourceDirEnv = "INTERLOCK_TOOLS_SRC"

// ErrSourceNotFound means the hack/tools modules could not be located.
var ErrSourceNotFound = errors.New("cannot find the tools modules (hack/tools)")

// ErrProxyUnreachable means a tools module's dependencies could not be downloaded.
var ErrProxyUnreachable = errors.New("cannot download Go modules: is the Go module proxy reachable?")

// Options configure a Toolchain.
type Options struct {
	// CacheDir holds one directory per module version. Defaults to $INTERLOCK_TOOLS_CACHE,
	// else <user cache dir>/interlock/tools.
	CacheDir string
	// SourceDir is the hack/tools directory. Defaults to $INTERLOCK_TOOLS_SRC, else the
	// first hack/tools found walking up from the working directory or the executable.
	SourceDir string
	// Progress receives one line per step. Defaults to io.Discard.
	Progress io.Writer
	// Heartbeat is how often a component still compiling says so on
	// Progress, with the time so far. Defaults to DefaultHeartbeat; a
	// negative value writes none.
	Heartbeat time.Duration
	// Env is added to the environment of every go command (for example GOPROXY). Defaults to none.
	Env []string
}

// Toolchain finds and builds the embedded cluster's binaries.
type Toolchain struct {
	opts Options
}

// New returns a Toolchain with defaults applied.
func New(opts Options) (*Toolchain, error) {
	if opts.CacheDir == "" {
		opts.CacheDir = os.Getenv(CacheDirEnv)
	}
	if opts.CacheDir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("failed to find the user cache dir (set %s): %w", CacheDirEnv, err)
		}
		opts.CacheDir = filepath.Join(base, "interlock", "tools")
	}
	if opts.SourceDir == "" {
		opts.SourceDir = os.Getenv(SourceDirEnv)
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if opts.Heartbeat == 0 {
		opts.Heartbeat = DefaultHeartbeat
	}
	return &Toolchain{opts: opts}, nil
}

// CacheDir returns the root of the binary cache.
func (t *Toolchain) CacheDir() string { return t.opts.CacheDir }

// Path returns where component name is cached, whether or not it is built yet.
func (t *Toolchain) Path(name string) (string, error) {
	c, ok := lookup(name)
	if !ok {
		return "", fmt.Errorf("unknown component %q", name)
	}
	return t.path(c), nil
}

func (t *Toolchain) path(c Component) string {
	dir := fmt.Sprintf("%s-%s-%s-%s", c.Module.Dir, c.Module.Version, runtime.GOOS, runtime.GOARCH)
	return filepath.Join(t.opts.CacheDir, dir, c.Name)
}

func lookup(name string) (Component, bool) {
	for _, c := range Components {
		if c.Name == name {
			return c, true
		}
	}
	return Component{}, false
}

// Binaries maps each component name to its cached path.
type Binaries map[string]string

// Missing lists the components not yet in the cache.
func (t *Toolchain) Missing() []Component { return t.missing(Components) }

func (t *Toolchain) missing(cs []Component) []Component {
	var out []Component
	for _, c := range cs {
		if !isExecutable(t.path(c)) {
			out = append(out, c)
		}
	}
	return out
}

// Ensure builds the named components that are missing, or every component
// but the OnDemand ones if none is named, and returns the paths of those
// components. Concurrent
// callers (two clusters coming up at once) wait on a file lock rather than
// building twice.
func (t *Toolchain) Ensure(ctx context.Context, names ...string) (Binaries, error) {
	var want []Component
	for _, c := range Components {
		if !c.OnDemand {
			want = append(want, c)
		}
	}
	if len(names) > 0 {
		want = nil
		for _, name := range names {
			c, ok := lookup(name)
			if !ok {
				return nil, fmt.Errorf("unknown component %q", name)
			}
			want = append(want, c)
		}
	}
	if len(t.missing(want)) > 0 {
		if err := os.MkdirAll(t.opts.CacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("failed to create tools cache %s: %w", t.opts.CacheDir, err)
		}
		unlock, err := flock.Lock(ctx, filepath.Join(t.opts.CacheDir, ".lock"))
		if err != nil {
			return nil, err
		}
		defer unlock()
		// Another process may have built them while this one waited.
		if missing := t.missing(want); len(missing) > 0 {
			if err := t.build(ctx, missing); err != nil {
				return nil, err
			}
		}
	}
	bins := Binaries{}
	for _, c := range want {
		bins[c.Name] = t.path(c)
	}
	return bins, nil
}

func (t *Toolchain) build(ctx context.Context, missing []Component) error {
	src, err := t.sourceDir()
	if err != nil {
		return err
	}
	fmt.Fprintf(t.opts.Progress, "Building %d cluster component(s) into %s (a cold build takes about 15 minutes on 2 cores; later runs reuse the cache)\n", len(missing), t.opts.CacheDir)
	downloaded := map[string]bool{}
	for i, c := range missing {
		modDir := filepath.Join(src, c.Module.Dir)
		if !downloaded[c.Module.Dir] {
			if err := t.download(ctx, modDir, c.Module); err != nil {
				return err
			}
			downloaded[c.Module.Dir] = true
		}
		start := time.Now()
		fmt.Fprintf(t.opts.Progress, "  [%d/%d] %s (%s %s) compiling\n", i+1, len(missing), c.Name, c.Module.Upstream, c.Module.Version)
		stop := heartbeat(t.opts.Progress, t.opts.Heartbeat, fmt.Sprintf("  [%d/%d] %s still compiling", i+1, len(missing), c.Name), start)
		err := t.buildOne(ctx, modDir, c)
		stop()
		if err != nil {
			fmt.Fprintf(t.opts.Progress, "  [%d/%d] %s failed after %s\n", i+1, len(missing), c.Name, time.Since(start).Round(time.Second))
			return err
		}
		fmt.Fprintf(t.opts.Progress, "  [%d/%d] %s built and checked in %s\n", i+1, len(missing), c.Name, time.Since(start).Round(time.Second))
	}
	return nil
}

// heartbeat writes "what, 1m30s so far" to w every interval until stop is
// called, so that a long compile shows life; an interval of 0 writes none.
func heartbeat(w io.Writer, every time.Duration, what string, start time.Time) (stop func()) {
	if every <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				fmt.Fprintf(w, "%s, %s so far\n", what, time.Since(start).Round(time.Second))
			}
		}
	}()
	return func() { close(done); <-finished }
}

func (t *Toolchain) download(ctx context.Context, modDir string, m Module) error {
	cmd := exec.CommandContext(ctx, "go", "mod", "download")
	cmd.Dir = modDir
	cmd.Env = append(os.Environ(), t.opts.Env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%w (module %s %s, GOPROXY=%s): %s", ErrProxyUnreachable, m.Upstream, m.Version, goEnv(t.opts.Env, "GOPROXY"), firstLine(stderr.String()))
	}
	return nil
}

func (t *Toolchain) buildOne(ctx context.Context, modDir string, c Component) error {
	dest := t.path(c)
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("failed to create %s: %w", filepath.Dir(dest), err)
	}
	tmp := dest + ".tmp"
	cmd := exec.CommandContext(ctx, "go", "build", "-o", tmp, c.Package)
	cmd.Dir = modDir
	cmd.Env = append(os.Environ(), t.opts.Env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		_ = os.Remove(tmp)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("failed to build %s: %w: %s", c.Name, err, strings.TrimSpace(out.String()))
	}
	check := exec.CommandContext(ctx, tmp, c.VersionArgs...)
	if got, err := check.CombinedOutput(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("built %s does not run (%s %s): %w: %s", c.Name, c.Name, strings.Join(c.VersionArgs, " "), err, firstLine(string(got)))
	}
	if err := os.Rename(tmp, dest); err != nil {
		return fmt.Errorf("failed to install %s: %w", dest, err)
	}
	return nil
}

// sourceDir finds hack/tools.
func (t *Toolchain) sourceDir() (string, error) {
	if t.opts.SourceDir != "" {
		if _, err := os.Stat(filepath.Join(t.opts.SourceDir, Kubernetes.Dir, "go.mod")); err != nil {
			return "", fmt.Errorf("%w: %s has no %s/go.mod", ErrSourceNotFound, t.opts.SourceDir, Kubernetes.Dir)
		}
		return t.opts.SourceDir, nil
	}
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, start := range starts {
		for dir := start; ; dir = filepath.Dir(dir) {
			cand := filepath.Join(dir, "hack", "tools")
			if _, err := os.Stat(filepath.Join(cand, Kubernetes.Dir, "go.mod")); err == nil {
				return cand, nil
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	return "", fmt.Errorf("%w: run from an interlock checkout or set %s", ErrSourceNotFound, SourceDirEnv)
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

func goEnv(extra []string, key string) string {
	for i := len(extra) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(extra[i], key+"="); ok {
			return v
		}
	}
	if v := os.Getenv(key); v != "" {
		return v
	}
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
