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
	// testenv runs the features on the shared cluster.
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

// run is the tests' main: it builds the components and the CLI, brings up
// the shared cluster, runs the tests and takes every cluster down again,
// also after an interrupt. It returns the exit code.
func run(m *testing.M) int {
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
	if err := prepare(context.Background(), home); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if testenv, err = newEnvironment(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// The flags are parsed now, go test's among them.
	if err := setLanes(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	downOnInterrupt(home)
	return testenv.Run(m)
}

// prepare builds the cluster components and the CLI, and the provider of
// the clusters, under home.
func prepare(ctx context.Context, home string) error {
	tc, err := toolchain.New(toolchain.Options{Progress: os.Stderr})
	if err != nil {
		return err
	}
	if bins, err = tc.Ensure(ctx); err != nil {
		return err
	}
	if interlockBin, err = buildInterlock(home); err != nil {
		return err
	}
	provider, err = cluster.NewEmbedded(tc)
	return err
}

// buildInterlock builds the CLI, and the deliberately broken remediator
// into brokenBin, into home/bin, with one go build so that the two share
// its work and no test waits for a build of its own. Binaries live where
// any user may run them: a remediator under test runs as nobody when the
// tests run as root. The home itself may be entered, not listed; the
// clusters in it stay root's alone.
func buildInterlock(home string) (string, error) {
	binDir := filepath.Join(home, "bin")
	if err := os.Chmod(home, 0o711); err != nil {
		return "", err
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return "", err
	}
	build := exec.Command("go", "build", "-o", binDir+string(filepath.Separator),
		"github.com/interlock-dev/interlock/cmd/interlock", "github.com/interlock-dev/interlock/test/e2e/brokenremediator")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("failed to build interlock and the broken remediator: %w", err)
	}
	brokenBin = filepath.Join(binDir, "brokenremediator")
	return filepath.Join(binDir, "interlock"), nil
}

// newEnvironment is the e2e-framework environment, from its flags, whose
// setup brings up the shared cluster of 3 nodes and whose finish takes it
// down.
func newEnvironment() (env.Environment, error) {
	cfg, err := envconf.NewFromFlags()
	if err != nil {
		return nil, err
	}
	e := env.NewWithConfig(cfg)
	e.Setup(func(ctx context.Context, cfg *envconf.Config) (context.Context, error) {
		c, err := provider.Up(ctx, cluster.UpOptions{Name: sharedName, Nodes: 3, Wait: 2 * time.Minute, Progress: os.Stderr})
		if err != nil {
			return ctx, err
		}
		shared = c
		cfg.WithKubeconfigFile(c.Kubeconfig)
		return ctx, nil
	})
	e.Finish(func(ctx context.Context, cfg *envconf.Config) (context.Context, error) {
		return ctx, provider.Down(ctx, sharedName)
	})
	return e, nil
}

// downOnInterrupt makes an interrupted test run (Ctrl-C, or go test's own
// timeout) still remove every cluster it started, and home.
func downOnInterrupt(home string) {
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
}
