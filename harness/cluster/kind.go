package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/e2e-framework/support/kind"
)

// RemediatorImage is the built-in remediator's container image: the
// Dockerfile builds it, the kind path loads it into its clusters, and
// config/manager deploys it.
const RemediatorImage = "interlock-remediator:dev"

// KindVersion is the kind release built when no kind binary is on PATH; it
// is the version go.mod pins.
const KindVersion = "v0.33.0"

// KindConfigFile is the kind cluster config, relative to the repository root.
const KindConfigFile = "kind-config.yaml"

// engineTimeout bounds `docker info` when checking prerequisites.
const engineTimeout = 30 * time.Second

// KindOptions configure the kind provider.
type KindOptions struct {
	// Home holds the clusters' files. Defaults to $INTERLOCK_HOME, else ~/.interlock.
	Home string
	// Root is the repository checkout holding kind-config.yaml and
	// hack/kind. Defaults to the working directory.
	Root string
	// Engine is the container engine's command, "docker" or "podman".
	// Defaults to docker if it is on PATH, else podman.
	Engine string
	// Binary is the kind binary. Defaults to kind on PATH, else one built
	// with `go install sigs.k8s.io/kind@KindVersion` into Home/bin.
	Binary string
	// NodeImage is the kind node image. Defaults to kind's own for its version.
	NodeImage string
	// Images are loaded into every cluster once it is up, such as
	// RemediatorImage; the engine must have them. Defaults to none.
	Images []string
	// ChaosMesh installs Chaos Mesh into every cluster once it is up, which
	// needs helm. Defaults to false.
	ChaosMesh bool
	// Helm is the helm binary. Defaults to helm on PATH.
	Helm string
}

// Kind runs clusters of real nodes as containers with kind, through
// e2e-framework's kind support, configured by kind-config.yaml: API audit
// logging on, the log written to a directory on this machine.
type Kind struct {
	opts KindOptions
	// kindMu guards building kind when none is on PATH.
	kindMu sync.Mutex
}

var _ Provider = (*Kind)(nil)

// PrerequisiteError says what the kind provider needs and lacks.
type PrerequisiteError struct {
	// Need is what is missing, such as "a running Docker engine".
	Need string
	// Detail says what was found instead.
	Detail string
	// Err is the underlying error, if any.
	Err error
}

func (e *PrerequisiteError) Error() string {
	msg := "kind provider needs " + e.Need + ": " + e.Detail
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg + " (the embedded provider needs none: use --provider embedded)"
}

func (e *PrerequisiteError) Unwrap() error { return e.Err }

// NewKind checks the kind provider's prerequisites (a container engine that
// answers `docker info`, kind or go to build it, kind-config.yaml, and helm
// if ChaosMesh is set) and returns the provider with defaults applied.
func NewKind(opts KindOptions) (*Kind, error) {
	engine, err := findEngine(opts.Engine)
	if err != nil {
		return nil, err
	}
	opts.Engine = engine
	ctx, cancel := context.WithTimeout(context.Background(), engineTimeout)
	defer cancel()
	var stderr bytes.Buffer
	info := exec.CommandContext(ctx, engine, "info")
	info.Stderr = &stderr
	if err := info.Run(); err != nil {
		return nil, &PrerequisiteError{
			Need:   "a running Docker engine",
			Detail: fmt.Sprintf("%q failed: %s", filepath.Base(engine)+" info", firstLine(stderr.String())),
			Err:    err,
		}
	}
	if opts.Binary != "" {
		if opts.Binary, err = exec.LookPath(opts.Binary); err != nil {
			return nil, &PrerequisiteError{Need: "kind", Detail: "the kind binary given is not runnable", Err: err}
		}
	} else if p, err := exec.LookPath("kind"); err == nil {
		opts.Binary = p
	} else if _, err := exec.LookPath("go"); err != nil {
		return nil, &PrerequisiteError{Need: "kind", Detail: "kind not found on PATH, nor go to build kind " + KindVersion}
	}
	if opts.ChaosMesh {
		if opts.Helm == "" {
			opts.Helm = "helm"
		}
		if opts.Helm, err = exec.LookPath(opts.Helm); err != nil {
			return nil, &PrerequisiteError{Need: "helm to install Chaos Mesh", Detail: "helm not found on PATH", Err: err}
		}
	}
	if opts.Root == "" {
		opts.Root = "."
	}
	if opts.Root, err = filepath.Abs(opts.Root); err != nil {
		return nil, fmt.Errorf("failed to resolve the repository root: %w", err)
	}
	if _, err := os.Stat(filepath.Join(opts.Root, KindConfigFile)); err != nil {
		return nil, &PrerequisiteError{Need: KindConfigFile, Detail: "run from the repository root or set KindOptions.Root", Err: err}
	}
	if opts.Home == "" {
		opts.Home = os.Getenv(HomeEnv)
	}
	if opts.Home == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("failed to find the home directory (set %s): %w", HomeEnv, err)
		}
		opts.Home = filepath.Join(home, ".interlock")
	}
	return &Kind{opts: opts}, nil
}

// findEngine returns the container engine's path: name if given, else
// docker, else podman.
func findEngine(name string) (string, error) {
	candidates := []string{"docker", "podman"}
	if name != "" {
		candidates = []string{name}
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", &PrerequisiteError{Need: "a running Docker engine", Detail: candidates[0] + " not found on PATH"}
}

// Options returns the provider's options with defaults applied.
func (k *Kind) Options() KindOptions { return k.opts }

// Dir is where a cluster's files live: its kind config, kubeconfig, audit
// policy and audit log.
func (k *Kind) Dir(name string) string {
	return filepath.Join(k.opts.Home, "kind", "clusters", name)
}

// ConfigPath is the kind config a cluster is created with.
func (k *Kind) ConfigPath(name string) string { return filepath.Join(k.Dir(name), "kind-config.yaml") }

// KubeconfigPath is a cluster's admin kubeconfig.
func (k *Kind) KubeconfigPath(name string) string {
	return filepath.Join(k.Dir(name), "interlock.kubeconfig")
}

// AuditLogPath is a cluster's API audit log on this machine.
func (k *Kind) AuditLogPath(name string) string {
	return filepath.Join(k.Dir(name), "audit", "audit.log")
}

// kindBinary returns kind's path, building the pinned kind into Home/bin
// the first time if none is on PATH.
func (k *Kind) kindBinary(ctx context.Context) (string, error) {
	k.kindMu.Lock()
	defer k.kindMu.Unlock()
	if k.opts.Binary != "" {
		return k.opts.Binary, nil
	}
	bin := filepath.Join(k.opts.Home, "bin", "kind-"+KindVersion)
	if isFile(bin) {
		k.opts.Binary = bin
		return bin, nil
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", fmt.Errorf("failed to create %s: %w", filepath.Dir(bin), err)
	}
	gobin, err := os.MkdirTemp(filepath.Dir(bin), ".kind-build-*")
	if err != nil {
		return "", fmt.Errorf("failed to create a build directory in %s: %w", filepath.Dir(bin), err)
	}
	defer os.RemoveAll(gobin)
	cmd := exec.CommandContext(ctx, "go", "install", "sigs.k8s.io/kind@"+KindVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+gobin)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("failed to build kind %s: %s: %w", KindVersion, strings.TrimSpace(string(out)), err)
	}
	if err := os.Rename(filepath.Join(gobin, "kind"), bin); err != nil {
		return "", fmt.Errorf("failed to install kind into %s: %w", bin, err)
	}
	k.opts.Binary = bin
	return bin, nil
}

// output runs a command and returns its standard output; its standard error
// goes into the error.
func output(ctx context.Context, name string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %s: %w", filepath.Base(name), strings.Join(args, " "), firstLine(stderr.String()), err)
	}
	return stdout.String(), nil
}

// kindClusters returns the names of every kind cluster on this engine.
func (k *Kind) kindClusters(ctx context.Context) ([]string, error) {
	bin, err := k.kindBinary(ctx)
	if err != nil {
		return nil, err
	}
	out, err := output(ctx, bin, "get", "clusters")
	if err != nil {
		return nil, fmt.Errorf("failed to list kind clusters: %w", err)
	}
	return strings.Fields(out), nil
}

func (k *Kind) exists(ctx context.Context, name string) (bool, error) {
	names, err := k.kindClusters(ctx)
	if err != nil {
		return false, err
	}
	return slices.Contains(names, name), nil
}

func (k *Kind) provider(name, bin string) *kind.Cluster {
	c := kind.NewCluster(name)
	c.WithPath(bin)
	if k.opts.NodeImage != "" {
		c.WithOpts(kind.WithImage(k.opts.NodeImage))
	}
	return c
}

// Down deletes the kind cluster and its files. A cluster that does not
// exist is not an error.
func (k *Kind) Down(ctx context.Context, name string) error {
	if !dnsLabel.MatchString(name) {
		return fmt.Errorf("invalid cluster name %q", name)
	}
	var errs []error
	exists, err := k.exists(ctx, name)
	if err != nil {
		errs = append(errs, err)
	}
	if exists {
		bin, _ := k.kindBinary(ctx)
		if err := k.provider(name, bin).Destroy(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := os.RemoveAll(k.Dir(name)); err != nil {
		errs = append(errs, fmt.Errorf("failed to remove %s: %w", k.Dir(name), err))
	}
	if len(errs) > 0 {
		return fmt.Errorf("failed to delete kind cluster %q: %w", name, errors.Join(errs...))
	}
	return nil
}

// Status reports the cluster's nodes, each a container of the engine.
func (k *Kind) Status(ctx context.Context, name string) (*Status, error) {
	exists, err := k.exists(ctx, name)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, fmt.Errorf("%w: kind cluster %q", ErrNotFound, name)
	}
	st := &Status{
		Name:       name,
		Dir:        k.Dir(name),
		Kubeconfig: k.KubeconfigPath(name),
		AuditLog:   k.AuditLogPath(name),
	}
	bin, err := k.kindBinary(ctx)
	if err != nil {
		return nil, err
	}
	out, err := output(ctx, bin, "get", "nodes", "--name", name)
	if err != nil {
		return nil, fmt.Errorf("failed to list the nodes of kind cluster %q: %w", name, err)
	}
	nodes := strings.Fields(out)
	slices.Sort(nodes)
	for _, n := range nodes {
		cs := ComponentStatus{Name: n}
		if state, err := output(ctx, k.opts.Engine, "inspect", "--format", "{{.State.Pid}} {{.State.Running}}", n); err == nil {
			if f := strings.Fields(state); len(f) == 2 {
				cs.PID, _ = strconv.Atoi(f[0])
				cs.Running = f[1] == "true"
			}
		}
		st.Components = append(st.Components, cs)
	}
	return st, nil
}

// List returns the kind clusters that this provider created: those that
// have files under Home. Other kind clusters on the engine are left out.
func (k *Kind) List(ctx context.Context) ([]string, error) {
	names, err := k.kindClusters(ctx)
	if err != nil {
		return nil, err
	}
	var ours []string
	for _, n := range names {
		if fi, err := os.Stat(k.Dir(n)); err == nil && fi.IsDir() {
			ours = append(ours, n)
		}
	}
	slices.Sort(ours)
	return ours, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return "no output"
	}
	return s
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
