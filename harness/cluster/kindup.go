package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	kindv1alpha4 "sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/yaml"
)

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
	cfg, data, err := k.clusterConfig(ctx, opts.Name, opts.Nodes)
	if err != nil {
		return nil, err
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
	rc, err := k.create(ctx, opts.Name, bin)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(opts.Progress, "Waiting for %d node(s) to be Ready\n", len(cfg.Nodes))
	if err := waitAllNodesReady(ctx, rc, len(cfg.Nodes), opts.Wait); err != nil {
		return nil, err
	}
	kubeconfig := k.KubeconfigPath(opts.Name)
	if err := k.provision(ctx, opts.Name, kubeconfig, opts.Progress); err != nil {
		return nil, err
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
		Dir:        k.Dir(opts.Name),
		Config:     rc,
		Elapsed:    time.Since(start),
	}, nil
}

// clusterConfig checks that no cluster is called name, in kind or under
// Home, and derives its kind config, with workers if above 0, from
// kind-config.yaml; it returns the config and its YAML.
func (k *Kind) clusterConfig(ctx context.Context, name string, workers int) (*kindv1alpha4.Cluster, []byte, error) {
	dir := k.Dir(name)
	exists, err := k.exists(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	if exists {
		return nil, nil, fmt.Errorf("%w: kind cluster %q; run 'kind delete cluster --name %s' first", ErrExists, name, name)
	}
	if _, err := os.Stat(dir); err == nil {
		return nil, nil, fmt.Errorf("%w: %q (at %s); run 'interlock cluster down --name %s' first", ErrExists, name, dir, name)
	}
	base, err := os.ReadFile(filepath.Join(k.opts.Root, KindConfigFile))
	if err != nil {
		return nil, nil, fmt.Errorf("failed to read the kind config: %w", err)
	}
	cfg, err := KindClusterConfig(base, name, dir, workers)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid %s: %w", KindConfigFile, err)
	}
	data, err := yaml.Marshal(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to encode the kind config: %w", err)
	}
	return cfg, data, nil
}

// create creates cluster name with kind binary bin from the config in its
// directory, writes its admin kubeconfig to KubeconfigPath, and returns its
// config, as the harness.
func (k *Kind) create(ctx context.Context, name, bin string) (*rest.Config, error) {
	p := k.provider(name, bin)
	// --kubeconfig keeps kind from merging the cluster into ~/.kube/config.
	tmpKubeconfig, err := p.Create(ctx, "--config", k.ConfigPath(name), "--kubeconfig", k.KubeconfigPath(name))
	if tmpKubeconfig != "" {
		defer os.Remove(tmpKubeconfig)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("interrupted while creating kind cluster %q: %w", name, ctx.Err())
		}
		return nil, fmt.Errorf("failed to create kind cluster %q: %w", name, err)
	}
	kubeconfig := k.KubeconfigPath(name)
	if err := copyFile(tmpKubeconfig, kubeconfig); err != nil {
		return nil, err
	}
	rc, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("failed to load kubeconfig %s: %w", kubeconfig, err)
	}
	// The provider is part of the harness: its writes say so.
	rc.UserAgent = HarnessUserAgent
	return rc, nil
}

// provision loads Images into cluster name and, if ChaosMesh is set,
// installs Chaos Mesh through kubeconfig, saying so to progress.
func (k *Kind) provision(ctx context.Context, name, kubeconfig string, progress io.Writer) error {
	for _, img := range k.opts.Images {
		fmt.Fprintf(progress, "Loading image %s\n", img)
		if err := k.LoadImage(ctx, name, img); err != nil {
			return err
		}
	}
	if k.opts.ChaosMesh {
		fmt.Fprintf(progress, "Installing Chaos Mesh %s\n", ChaosMeshVersion)
		if err := k.InstallChaosMesh(ctx, kubeconfig); err != nil {
			return err
		}
	}
	return nil
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
