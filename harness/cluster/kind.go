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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/e2e-framework/support/kind"
	kindv1alpha4 "sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/yaml"
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

// The pinned Chaos Mesh Helm chart that the kind path installs.
const (
	// ChaosMeshRepo is the chart repository.
	ChaosMeshRepo = "https://charts.chaos-mesh.org"
	// ChaosMeshChart is the chart's name, and the Helm release's.
	ChaosMeshChart = "chaos-mesh"
	// ChaosMeshVersion is the chart's version, which is also Chaos Mesh's.
	ChaosMeshVersion = "2.8.2"
	// ChaosMeshNamespace is where Chaos Mesh runs.
	ChaosMeshNamespace = "chaos-mesh"
	// ChaosMeshValuesFile holds the chart values for kind's containerd,
	// relative to the repository root.
	ChaosMeshValuesFile = "hack/kind/chaos-mesh-values.yaml"
)

// Where kind-config.yaml mounts the audit policy and the audit log
// directory inside the control-plane node.
const (
	kindPolicyPath = "/etc/kubernetes/interlock/audit-policy.yaml"
	kindAuditDir   = "/var/log/kubernetes/interlock"
)

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

// KindClusterConfig derives one cluster's kind config from base (the
// repository's kind-config.yaml): it names the cluster, mounts the audit
// policy from dir/audit-policy.yaml and the audit log directory from
// dir/audit, so that clusters never share a log, and, if workers > 0, runs
// that many workers spread over Zones.
func KindClusterConfig(base []byte, name, dir string, workers int) (*kindv1alpha4.Cluster, error) {
	var c kindv1alpha4.Cluster
	if err := yaml.UnmarshalStrict(base, &c); err != nil {
		return nil, fmt.Errorf("failed to decode the kind config: %w", err)
	}
	c.Name = name
	var cp *kindv1alpha4.Node
	var worker *kindv1alpha4.Node
	for i := range c.Nodes {
		switch c.Nodes[i].Role {
		case kindv1alpha4.ControlPlaneRole, "":
			if cp == nil {
				cp = &c.Nodes[i]
			}
		case kindv1alpha4.WorkerRole:
			if worker == nil {
				worker = &c.Nodes[i]
			}
		}
	}
	if cp == nil {
		return nil, errors.New("the kind config has no control-plane node")
	}
	var policy, logDir bool
	for i := range cp.ExtraMounts {
		m := &cp.ExtraMounts[i]
		switch m.ContainerPath {
		case kindPolicyPath:
			m.HostPath, policy = filepath.Join(dir, "audit-policy.yaml"), true
		case kindAuditDir:
			m.HostPath, logDir = filepath.Join(dir, "audit"), true
		}
	}
	if !policy || !logDir {
		return nil, fmt.Errorf("the kind config's control plane must mount the audit policy at %s and the audit log directory at %s", kindPolicyPath, kindAuditDir)
	}
	if workers > 0 {
		tmpl := kindv1alpha4.Node{Role: kindv1alpha4.WorkerRole}
		if worker != nil {
			tmpl = *worker
		}
		nodes := []kindv1alpha4.Node{*cp}
		for i := range workers {
			n := tmpl
			n.Labels = map[string]string{}
			for k, v := range tmpl.Labels {
				n.Labels[k] = v
			}
			n.Labels[ZoneLabel] = Zones[i%len(Zones)]
			nodes = append(nodes, n)
		}
		c.Nodes = nodes
	}
	return &c, nil
}

// ChaosMeshHelmArgs returns the helm arguments that install the pinned Chaos
// Mesh chart, with the values in valuesFile, into the cluster of kubeconfig,
// and wait until it runs.
func ChaosMeshHelmArgs(kubeconfig, valuesFile string) []string {
	return []string{
		"upgrade", "--install", ChaosMeshChart, ChaosMeshChart,
		"--repo", ChaosMeshRepo,
		"--version", ChaosMeshVersion,
		"--namespace", ChaosMeshNamespace, "--create-namespace",
		"--values", valuesFile,
		"--kubeconfig", kubeconfig,
		"--wait", "--timeout", "10m",
	}
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

// ErrNoMetrics is Kind.Up's answer to UpOptions.Metrics: the kind provider
// does not install metrics-server, so scenarios that autoscale run on the
// embedded cluster.
var ErrNoMetrics = errors.New("the kind provider does not install metrics-server: run scenarios that autoscale on the embedded cluster")

// Up creates the cluster from kind-config.yaml with its own audit directory,
// waits until every node is Ready, then loads Images and installs Chaos
// Mesh if asked. UpOptions.Nodes, if above 0, is the number of workers;
// otherwise the config's. If anything fails, or ctx is cancelled, the
// cluster is deleted.
func (k *Kind) Up(ctx context.Context, opts UpOptions) (_ *Cluster, err error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if opts.Metrics {
		return nil, ErrNoMetrics
	}
	start := time.Now()
	bin, err := k.kindBinary(ctx)
	if err != nil {
		return nil, err
	}
	dir := k.Dir(opts.Name)
	exists, err := k.exists(ctx, opts.Name)
	if err != nil {
		return nil, err
	}
	if exists {
		return nil, fmt.Errorf("%w: kind cluster %q; run 'kind delete cluster --name %s' first", ErrExists, opts.Name, opts.Name)
	}
	if _, err := os.Stat(dir); err == nil {
		return nil, fmt.Errorf("%w: %q (at %s); run 'interlock cluster down --name %s' first", ErrExists, opts.Name, dir, opts.Name)
	}
	base, err := os.ReadFile(filepath.Join(k.opts.Root, KindConfigFile))
	if err != nil {
		return nil, fmt.Errorf("failed to read the kind config: %w", err)
	}
	cfg, err := KindClusterConfig(base, opts.Name, dir, opts.Nodes)
	if err != nil {
		return nil, fmt.Errorf("invalid %s: %w", KindConfigFile, err)
	}
	data, err := yaml.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("failed to encode the kind config: %w", err)
	}

	defer func() {
		if err == nil {
			return
		}
		// Clean up with a fresh context: the caller's may be cancelled.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		fmt.Fprintf(opts.Progress, "Deleting kind cluster %q after failure\n", opts.Name)
		if derr := k.Down(cctx, opts.Name); derr != nil {
			err = errors.Join(err, fmt.Errorf("cleanup also failed: %w", derr))
		}
	}()
	if err := k.prepareDir(opts.Name, data); err != nil {
		return nil, err
	}

	fmt.Fprintf(opts.Progress, "Creating kind cluster %q with %d node(s)\n", opts.Name, len(cfg.Nodes))
	p := k.provider(opts.Name, bin)
	// --kubeconfig keeps kind from merging the cluster into ~/.kube/config.
	tmpKubeconfig, err := p.Create(ctx, "--config", k.ConfigPath(opts.Name), "--kubeconfig", k.KubeconfigPath(opts.Name))
	if tmpKubeconfig != "" {
		defer os.Remove(tmpKubeconfig)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("interrupted while creating kind cluster %q: %w", opts.Name, ctx.Err())
		}
		return nil, fmt.Errorf("failed to create kind cluster %q: %w", opts.Name, err)
	}
	kubeconfig := k.KubeconfigPath(opts.Name)
	if err := copyFile(tmpKubeconfig, kubeconfig); err != nil {
		return nil, err
	}
	rc, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("failed to load kubeconfig %s: %w", kubeconfig, err)
	}
	// The provider is part of the harness: its writes say so.
	rc.UserAgent = HarnessUserAgent
	fmt.Fprintf(opts.Progress, "Waiting for %d node(s) to be Ready\n", len(cfg.Nodes))
	if err := waitAllNodesReady(ctx, rc, len(cfg.Nodes), opts.Wait); err != nil {
		return nil, err
	}
	for _, img := range k.opts.Images {
		fmt.Fprintf(opts.Progress, "Loading image %s\n", img)
		if err := k.LoadImage(ctx, opts.Name, img); err != nil {
			return nil, err
		}
	}
	if k.opts.ChaosMesh {
		fmt.Fprintf(opts.Progress, "Installing Chaos Mesh %s\n", ChaosMeshVersion)
		if err := k.InstallChaosMesh(ctx, kubeconfig); err != nil {
			return nil, err
		}
	}
	if opts.Kubeconfig != "" {
		if err := copyFile(kubeconfig, opts.Kubeconfig); err != nil {
			return nil, err
		}
		kubeconfig = opts.Kubeconfig
	}
	fmt.Fprintf(opts.Progress, "Kind cluster %q ready after %s\n", opts.Name, time.Since(start).Round(100*time.Millisecond))
	return &Cluster{
		Name:       opts.Name,
		Kubeconfig: kubeconfig,
		AuditLog:   k.AuditLogPath(opts.Name),
		Dir:        dir,
		Config:     rc,
		Elapsed:    time.Since(start),
	}, nil
}

// prepareDir writes the cluster's kind config and audit policy, and creates
// its audit log readable by this user: the API server appends to an existing
// log and keeps its mode when it rotates it, where a log it created itself
// would be root's alone.
func (k *Kind) prepareDir(name string, config []byte) error {
	dir := k.Dir(name)
	logDir := filepath.Dir(k.AuditLogPath(name))
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return fmt.Errorf("failed to create %s: %w", logDir, err)
	}
	if err := os.WriteFile(k.ConfigPath(name), config, 0o644); err != nil {
		return fmt.Errorf("failed to write the kind config: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "audit-policy.yaml"), AuditPolicy, 0o644); err != nil {
		return fmt.Errorf("failed to write the audit policy: %w", err)
	}
	log := k.AuditLogPath(name)
	if err := os.WriteFile(log, nil, 0o644); err != nil {
		return fmt.Errorf("failed to create the audit log: %w", err)
	}
	if err := os.Chmod(log, 0o644); err != nil {
		return fmt.Errorf("failed to make the audit log readable: %w", err)
	}
	return nil
}

// waitAllNodesReady waits until want nodes are Ready, at most timeout.
func waitAllNodesReady(ctx context.Context, cfg *rest.Config, want int, timeout time.Duration) error {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("failed to create client: %w", err)
	}
	ready := 0
	var lastErr error
	err = wait.PollUntilContextTimeout(ctx, 2*time.Second, timeout, true, func(ctx context.Context) (bool, error) {
		nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			lastErr = err
			return false, nil
		}
		ready = 0
		for i := range nodes.Items {
			if NodeReady(&nodes.Items[i]) {
				ready++
			}
		}
		return ready >= want, nil
	})
	if err != nil {
		if lastErr != nil {
			err = errors.Join(err, lastErr)
		}
		return fmt.Errorf("failed waiting for %d Ready node(s), %d ready: %w", want, ready, err)
	}
	return nil
}

// LoadImage copies image from the container engine into every node of
// cluster name (`kind load docker-image`).
func (k *Kind) LoadImage(ctx context.Context, name, image string) error {
	bin, err := k.kindBinary(ctx)
	if err != nil {
		return err
	}
	if err := k.provider(name, bin).LoadImage(ctx, image); err != nil {
		return fmt.Errorf("failed to load image %s into kind cluster %q (build it first, e.g. docker build -t %s .): %w", image, name, image, err)
	}
	return nil
}

// InstallChaosMesh installs the pinned Chaos Mesh chart with
// hack/kind/chaos-mesh-values.yaml into the cluster of kubeconfig and waits
// until it runs.
func (k *Kind) InstallChaosMesh(ctx context.Context, kubeconfig string) error {
	helm := k.opts.Helm
	if helm == "" {
		p, err := exec.LookPath("helm")
		if err != nil {
			return &PrerequisiteError{Need: "helm to install Chaos Mesh", Detail: "helm not found on PATH", Err: err}
		}
		helm = p
	}
	args := ChaosMeshHelmArgs(kubeconfig, filepath.Join(k.opts.Root, ChaosMeshValuesFile))
	out, err := exec.CommandContext(ctx, helm, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("failed to install Chaos Mesh %s: %s: %w", ChaosMeshVersion, lastLines(string(out), 5), err)
	}
	return nil
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
