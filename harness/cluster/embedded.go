package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/e2e-framework/support/kwok"

	"github.com/interlock-dev/interlock/internal/toolchain"
)

// HomeEnv overrides where interlock keeps its clusters.
const HomeEnv = "INTERLOCK_HOME"

// Embedded runs a real control plane (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler) plus the kwok controller as
// local processes, through kwokctl's binary runtime. Only the kubelet is
// simulated: kwok plays the nodes and the pods on them.
type Embedded struct {
	// Home holds the clusters' files. Defaults to $INTERLOCK_HOME, else ~/.interlock.
	Home string
	// Tools builds and finds the component binaries. Required.
	Tools *toolchain.Toolchain
	// ExtraArgs are passed to `kwokctl create cluster`. Defaults to none.
	ExtraArgs []string
}

var _ Provider = (*Embedded)(nil)

// kwokctl reads its work directory from the process environment, and the
// e2e-framework provider runs it with that environment; one Home per process.
var workdirOnce sync.Mutex

// NewEmbedded returns the embedded provider with defaults applied.
func NewEmbedded(tools *toolchain.Toolchain) (*Embedded, error) {
	e := &Embedded{Tools: tools, Home: os.Getenv(HomeEnv)}
	if e.Home == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("failed to find the home directory (set %s): %w", HomeEnv, err)
		}
		e.Home = filepath.Join(home, ".interlock")
	}
	return e, nil
}

func (e *Embedded) workdir() string { return filepath.Join(e.Home, "kwok") }

// Dir is where a cluster's files live.
func (e *Embedded) Dir(name string) string {
	return filepath.Join(e.workdir(), "clusters", name)
}

func (e *Embedded) setEnv() error {
	workdirOnce.Lock()
	defer workdirOnce.Unlock()
	if err := os.Setenv("KWOK_WORKDIR", e.workdir()); err != nil {
		return err
	}
	// kwokctl runs kubectl to see that the API serves; without this it would
	// look for one on PATH or try to download one.
	if kubectl, err := e.Tools.Path("kubectl"); err == nil {
		return os.Setenv("KWOK_KUBECTL_BINARY", kubectl)
	}
	return nil
}

func (e *Embedded) provider(name, kwokctl string, wait time.Duration) *kwok.Cluster {
	c := kwok.NewCluster(name)
	c.WithPath(kwokctl)
	c.WithOpts(kwok.WithWaitDuration(wait))
	return c
}

// Up creates the cluster. If anything fails, or ctx is cancelled (Ctrl-C),
// everything started so far is stopped and removed.
func (e *Embedded) Up(ctx context.Context, opts UpOptions) (_ *Cluster, err error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	var optional []string
	if opts.Metrics {
		optional = append(optional, "metrics-server")
	}
	bins, err := e.Tools.Ensure(ctx, toolchain.Required(optional...)...)
	if err != nil {
		return nil, fmt.Errorf("failed to prepare cluster components: %w", err)
	}
	if err := e.setEnv(); err != nil {
		return nil, fmt.Errorf("failed to set KWOK_WORKDIR: %w", err)
	}
	dir := e.Dir(opts.Name)
	if _, err := os.Stat(dir); err == nil {
		return nil, fmt.Errorf("%w: %q (at %s); run 'interlock cluster down --name %s' first", ErrExists, opts.Name, dir, opts.Name)
	}
	policy, err := e.writeFile("audit-policy.yaml", AuditPolicy)
	if err != nil {
		return nil, err
	}
	kwokConfig, err := e.writeFile("kwokctl-config.yaml", kwokctlConfig)
	if err != nil {
		return nil, err
	}
	schedulerConfig, err := e.writeFile("kube-scheduler-config.yaml", kubeSchedulerConfig)
	if err != nil {
		return nil, err
	}

	defer func() {
		if err == nil {
			return
		}
		// Clean up with a fresh context: the caller's may be cancelled.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		fmt.Fprintf(opts.Progress, "Cleaning up cluster %q after failure\n", opts.Name)
		if derr := e.Down(cctx, opts.Name); derr != nil {
			err = errors.Join(err, fmt.Errorf("cleanup also failed: %w", derr))
		}
	}()

	args, err := e.createArgs(opts, bins, policy, kwokConfig, schedulerConfig)
	if err != nil {
		return nil, err
	}
	// At most one cluster per CPU starts at a time (see startSlots).
	free, err := startSlot(ctx)
	if err != nil {
		return nil, err
	}
	cfg, kubeconfig, err := e.startControlPlane(ctx, opts, bins["kwokctl"], args)
	if err == nil {
		err = e.setUpControlPlane(ctx, opts, cfg)
	}
	if err == nil {
		fmt.Fprintf(opts.Progress, "Control plane ready after %s\n", time.Since(start).Round(100*time.Millisecond))
		err = addNodes(ctx, opts, cfg)
	}
	free()
	if err != nil {
		return nil, err
	}
	if opts.Kubeconfig != "" {
		if err := copyFile(kubeconfig, opts.Kubeconfig); err != nil {
			return nil, err
		}
		kubeconfig = opts.Kubeconfig
	}
	return &Cluster{
		Name:       opts.Name,
		Kubeconfig: kubeconfig,
		AuditLog:   filepath.Join(dir, "logs", "audit.log"),
		Dir:        dir,
		Config:     cfg,
		Elapsed:    time.Since(start),
	}, nil
}

// createArgs says what it starts, and returns the arguments of `kwokctl
// create cluster` for the component binaries bins, the audit policy, the
// kwokctl config and the scheduler config at the paths given,
// metrics-server's if opts.Metrics, and ExtraArgs.
func (e *Embedded) createArgs(opts UpOptions, bins map[string]string, policy, kwokConfig, schedulerConfig string) ([]string, error) {
	components := "etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok"
	if opts.Metrics {
		components += ", metrics-server"
	}
	fmt.Fprintf(opts.Progress, "Starting control plane %q (%s)\n", opts.Name, components)
	args := []string{
		"--runtime", "binary",
		"--kubeconfig=",
		"--etcd-binary", bins["etcd"],
		"--kube-apiserver-binary", bins["kube-apiserver"],
		"--kube-controller-manager-binary", bins["kube-controller-manager"],
		"--kube-scheduler-binary", bins["kube-scheduler"],
		"--kwok-controller-binary", bins["kwok"],
		"--kube-audit-policy", policy,
		"--config", kwokConfig,
		"--kube-scheduler-config", schedulerConfig,
		"--enable-crds=Stage",
		"--heartbeat-factor=" + strconv.FormatFloat(HeartbeatFactor(opts.Nodes), 'f', -1, 64),
		// The components' clients are not throttled, nor the API server's
		// requests in flight, so that a fixture of thousands of pods is
		// scheduled and played in seconds; the harness's own bulk clients
		// are unthrottled too (Unthrottled). The scheduler's limits are in
		// its config.
		"--disable-qps-limits",
	}
	if opts.Metrics {
		margs, err := e.metricsArgs(bins["metrics-server"])
		if err != nil {
			return nil, err
		}
		args = append(args, margs...)
	}
	return append(args, e.ExtraArgs...), nil
}

// startControlPlane runs `kwokctl create cluster` with args, on ports it
// reserves for the cluster so that clusters may start at once (see
// reservePorts), and once more, on new ports, if the control plane does not
// come up; it writes the admin kubeconfig into the cluster's directory and
// returns its config, as the harness, and its path.
func (e *Embedded) startControlPlane(ctx context.Context, opts UpOptions, kwokctl string, args []string) (*rest.Config, string, error) {
	dir := e.Dir(opts.Name)
	p := e.provider(opts.Name, kwokctl, opts.Wait)
	tmpKubeconfig, err := e.create(ctx, p, opts, args)
	if err != nil && ctx.Err() == nil {
		// A component that never served, such as an API server whose port
		// another process took between the choice and its bind: say why,
		// and start afresh once, on new ports.
		fmt.Fprintf(opts.Progress, "The control plane did not come up (%v); the API server's log ends:\n%s\nStarting it again\n",
			firstLine(err.Error()), LogTail(filepath.Join(dir, "logs", "kube-apiserver.log"), 5))
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		derr := e.Down(cctx, opts.Name)
		cancel()
		if derr == nil {
			tmpKubeconfig, err = e.create(ctx, p, opts, args)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", fmt.Errorf("interrupted while starting the control plane: %w", ctx.Err())
		}
		return nil, "", fmt.Errorf("failed to start the control plane: %w", err)
	}
	kubeconfig := filepath.Join(dir, "interlock.kubeconfig")
	if err := copyFile(tmpKubeconfig, kubeconfig); err != nil {
		return nil, "", err
	}
	_ = os.Remove(tmpKubeconfig)
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, "", fmt.Errorf("failed to load kubeconfig %s: %w", kubeconfig, err)
	}
	// The provider is part of the harness: its writes say so.
	cfg.UserAgent = HarnessUserAgent
	return cfg, kubeconfig, nil
}

// create runs `kwokctl create cluster` once, with args and the ports it
// reserves for the cluster's components until Down, and returns the path
// of the kubeconfig kwokctl wrote.
func (e *Embedded) create(ctx context.Context, p *kwok.Cluster, opts UpOptions, args []string) (string, error) {
	ports, err := reservePorts(ctx, e.Dir(opts.Name), opts.Metrics)
	if err != nil {
		return "", err
	}
	config, err := e.writeFile(filepath.Join("ports", opts.Name+".yaml"), portsConfig(ports))
	if err != nil {
		return "", err
	}
	defer os.Remove(config)
	return p.Create(ctx, append(slices.Clip(args), "--config", config)...)
}

// setUpControlPlane applies kwok's Stages (and, with opts.Metrics, the
// metrics Stages), restarts the kwok controller to read them, and waits for
// the resource metrics API if asked.
func (e *Embedded) setUpControlPlane(ctx context.Context, opts UpOptions, cfg *rest.Config) error {
	if err := ApplyDefaultStages(ctx, cfg); err != nil {
		return err
	}
	if opts.Metrics {
		if err := ApplyMetrics(ctx, cfg); err != nil {
			return err
		}
	}
	if err := restartComponent(ctx, e.Dir(opts.Name), "kwok-controller"); err != nil {
		return err
	}
	if opts.Metrics {
		mctx, cancel := context.WithTimeout(ctx, opts.Wait)
		err := WaitMetricsAvailable(mctx, cfg)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// addNodes creates opts.Nodes simulated nodes, if any, and waits until they
// are Ready, at most opts.Wait.
func addNodes(ctx context.Context, opts UpOptions, cfg *rest.Config) error {
	if opts.Nodes <= 0 {
		return nil
	}
	fmt.Fprintf(opts.Progress, "Creating %d simulated node(s)\n", opts.Nodes)
	nctx, cancel := context.WithTimeout(ctx, opts.Wait)
	defer cancel()
	if err := CreateNodes(nctx, cfg, 0, opts.Nodes); err != nil {
		return err
	}
	return WaitNodesReady(nctx, cfg, opts.Nodes)
}

// writeFile writes data to name in the work directory, atomically, so that
// clusters coming up at once never read a half-written file.
func (e *Embedded) writeFile(name string, data []byte) (string, error) {
	path := filepath.Join(e.workdir(), name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("failed to create %s: %w", filepath.Dir(path), err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(name)+"-*")
	if err != nil {
		return "", fmt.Errorf("failed to write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("failed to write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("failed to write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("failed to write %s: %w", path, err)
	}
	return path, nil
}

// Down stops the cluster's processes and removes its files. Processes are
// found by the pid files kwokctl writes and, as a safety net, by any process
// whose command line points into the cluster's directory.
func (e *Embedded) Down(ctx context.Context, name string) error {
	if !dnsLabel.MatchString(name) {
		return fmt.Errorf("invalid cluster name %q", name)
	}
	dir := e.Dir(name)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		// A cluster may have died before its directory was written; still sweep.
		return killAll(ctx, processesUnder(dir))
	}
	if err := e.setEnv(); err != nil {
		return fmt.Errorf("failed to set KWOK_WORKDIR: %w", err)
	}
	var errs []error
	kwokctl, _ := e.Tools.Path("kwokctl")
	if isFile(kwokctl) {
		if err := e.provider(name, kwokctl, time.Minute).Destroy(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	pids := pidsFromFiles(dir)
	pids = append(pids, processesUnder(dir)...)
	if err := killAll(ctx, pids); err != nil {
		errs = append(errs, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		errs = append(errs, fmt.Errorf("failed to remove %s: %w", dir, err))
	}
	if err := releasePorts(ctx, dir); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("failed to delete cluster %q: %w", name, errors.Join(errs...))
	}
	return nil
}

// Status reports the cluster's components from their pid files.
func (e *Embedded) Status(_ context.Context, name string) (*Status, error) {
	dir := e.Dir(name)
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	st := &Status{
		Name:       name,
		Dir:        dir,
		Kubeconfig: filepath.Join(dir, "interlock.kubeconfig"),
		AuditLog:   filepath.Join(dir, "logs", "audit.log"),
	}
	files, _ := filepath.Glob(filepath.Join(dir, "pids", "*.pid"))
	sort.Strings(files)
	for _, f := range files {
		comp := strings.TrimSuffix(filepath.Base(f), ".pid")
		pid := readPID(f)
		st.Components = append(st.Components, ComponentStatus{
			Name:    comp,
			PID:     pid,
			Running: pid > 0 && alive(pid),
			Log:     filepath.Join(dir, "logs", comp+".log"),
		})
	}
	return st, nil
}

// List returns the clusters found under Home.
func (e *Embedded) List(_ context.Context) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(e.workdir(), "clusters"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("failed to list clusters: %w", err)
	}
	var names []string
	for _, ent := range entries {
		if ent.IsDir() {
			names = append(names, ent.Name())
		}
	}
	return names, nil
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("failed to read %s: %w", src, err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("failed to create %s: %w", filepath.Dir(dst), err)
	}
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		return fmt.Errorf("failed to write %s: %w", dst, err)
	}
	return nil
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// LogTail returns the last n lines of the log at path, each indented, or
// why it cannot be read.
func LogTail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "  (" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return "  " + strings.Join(lines[max(0, len(lines)-n):], "\n  ")
}
