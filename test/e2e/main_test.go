package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/e2e-framework/pkg/env"
	"sigs.k8s.io/e2e-framework/pkg/envconf"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/internal/toolchain"
)

var (
	testenv env.Environment
	// provider runs the shared cluster and any a test brings up itself.
	provider *cluster.Embedded
	// shared is the cluster every feature-style test runs on.
	shared *cluster.Cluster
	// interlockBin is the CLI built from this checkout.
	interlockBin string
	// bins are the cached component binaries.
	bins toolchain.Binaries
)

const sharedName = "e2e-shared"

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx := context.Background()
	home, err := os.MkdirTemp("", "interlock-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(home)
	// Clusters made here live in their own home, apart from a person's.
	os.Setenv(cluster.HomeEnv, home)
	// So is the history the runs are recorded in.
	os.Setenv(history.DirEnv, filepath.Join(home, "history"))

	tc, err := toolchain.New(toolchain.Options{Progress: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if bins, err = tc.Ensure(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Binaries live where any user may run them: a remediator under test
	// runs as nobody when the tests run as root. The home itself may be
	// entered, not listed; the clusters in it stay root's alone.
	binDir := filepath.Join(home, "bin")
	if err := os.Chmod(home, 0o711); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	interlockBin = filepath.Join(binDir, "interlock")
	build := exec.Command("go", "build", "-o", interlockBin, "github.com/interlock-dev/interlock/cmd/interlock")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "failed to build interlock:", err)
		return 1
	}
	if provider, err = cluster.NewEmbedded(tc); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}

	cfg, err := envconf.NewFromFlags()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	testenv = env.NewWithConfig(cfg)
	testenv.Setup(func(ctx context.Context, cfg *envconf.Config) (context.Context, error) {
		c, err := provider.Up(ctx, cluster.UpOptions{Name: sharedName, Nodes: 3, Wait: 2 * time.Minute, Progress: os.Stderr})
		if err != nil {
			return ctx, err
		}
		shared = c
		cfg.WithKubeconfigFile(c.Kubeconfig)
		return ctx, nil
	})
	testenv.Finish(func(ctx context.Context, cfg *envconf.Config) (context.Context, error) {
		return ctx, provider.Down(ctx, sharedName)
	})
	// An interrupted test run (Ctrl-C, or go test's own timeout) still
	// removes every cluster it started.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		names, _ := provider.List(context.Background())
		for _, n := range names {
			_ = provider.Down(context.Background(), n)
		}
		os.RemoveAll(home)
		os.Exit(2)
	}()
	return testenv.Run(m)
}
