package testcluster

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/toolchain"
)

// downTimeout bounds how long Main waits for the cluster to stop.
const downTimeout = 2 * time.Minute

// Shared is an embedded cluster the tests of one package share. Declare
// one in a package variable, run the tests with Main from TestMain, and
// call Config from each test that needs the cluster.
type Shared struct {
	// Options are the cluster's: its Name (required), Nodes and Wait.
	// Progress defaults to os.Stderr.
	Options cluster.UpOptions
	// ExtraArgs are passed to `kwokctl create cluster`.
	ExtraArgs []string
	// Timeout, if not zero, bounds the start and Prepare together.
	Timeout time.Duration
	// Prepare, if set, runs once the cluster is up, such as to install
	// CRDs; an error fails every test that needs the cluster.
	Prepare func(ctx context.Context, cfg *rest.Config) error

	provider *cluster.Embedded
	once     sync.Once
	up       *cluster.Cluster
	err      error
}

// Main runs the tests with clusters kept in a home of their own, apart
// from a person's, stops the cluster if a test started it, and returns the
// exit code for os.Exit.
func (s *Shared) Main(m *testing.M) int {
	home, err := os.MkdirTemp("", "interlock-"+s.Options.Name+"-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(home)
	os.Setenv(cluster.HomeEnv, home)
	tc, err := toolchain.New(toolchain.Options{Progress: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if s.provider, err = cluster.NewEmbedded(tc); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s.provider.ExtraArgs = s.ExtraArgs
	code := m.Run()
	if s.up != nil || s.err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), downTimeout)
		defer cancel()
		if err := s.provider.Down(ctx, s.Options.Name); err != nil {
			fmt.Fprintln(os.Stderr, "failed to stop the test cluster:", err)
			code = 1
		}
	}
	return code
}

// Config returns a copy of the shared cluster's admin config, starting
// the cluster (and running Prepare) on first use. The test fails at once
// if the cluster could not start. Under go test -short (make test-unit) the
// test is skipped instead: the unit tier starts no cluster.
func (s *Shared) Config(t testing.TB) *rest.Config {
	t.Helper()
	if testing.Short() {
		t.Skip("starts an embedded cluster; run without -short (make test-e2e)")
	}
	if s.provider == nil {
		t.Fatal("the test cluster has no provider: run the tests with Shared.Main from TestMain")
	}
	s.once.Do(func() {
		ctx := context.Background()
		if s.Timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, s.Timeout)
			defer cancel()
		}
		opts := s.Options
		if opts.Progress == nil {
			opts.Progress = os.Stderr
		}
		s.up, s.err = s.provider.Up(ctx, opts)
		if s.err == nil && s.Prepare != nil {
			s.err = s.Prepare(ctx, s.up.Config)
		}
	})
	if s.err != nil {
		t.Fatalf("failed to start the test cluster: %v", s.err)
	}
	return rest.CopyConfig(s.up.Config)
}
