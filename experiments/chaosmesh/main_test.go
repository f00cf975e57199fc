package chaosmesh_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/experiments/chaosmesh"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/toolchain"
)

// The cluster tests share one embedded cluster, which runs no Chaos Mesh
// but serves its CRDs: it checks rendered objects against Chaos Mesh's
// schema and keeps the objects the injector creates. The first test that
// needs it starts it (the Validate and Render tables need none); TestMain
// stops it.
const (
	clusterName  = "experiments-chaosmesh"
	clusterNodes = 1
	// clusterUp bounds the cluster's start and the CRDs' install.
	clusterUp = 2 * time.Minute
)

var (
	provider *cluster.Embedded
	upOnce   sync.Once
	shared   *cluster.Cluster
	upErr    error
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	home, err := os.MkdirTemp("", "interlock-chaosmesh-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(home)
	// Clusters made here live in their own home, apart from a person's.
	os.Setenv(cluster.HomeEnv, home)
	tc, err := toolchain.New(toolchain.Options{Progress: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if provider, err = cluster.NewEmbedded(tc); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code := m.Run()
	if shared != nil || upErr != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := provider.Down(ctx, clusterName); err != nil {
			fmt.Fprintln(os.Stderr, "failed to stop the test cluster:", err)
			code = 1
		}
	}
	return code
}

// testCluster returns the shared cluster's admin config and a client,
// starting the cluster and installing the Chaos Mesh CRDs on first use.
func testCluster(t *testing.T) (*rest.Config, client.Client) {
	t.Helper()
	upOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), clusterUp)
		defer cancel()
		shared, upErr = provider.Up(ctx, cluster.UpOptions{
			Name: clusterName, Nodes: clusterNodes, Wait: clusterUp, Progress: os.Stderr,
		})
		if upErr == nil {
			upErr = chaosmesh.InstallCRDs(ctx, shared.Config)
		}
	})
	if upErr != nil {
		t.Fatalf("failed to start the test cluster: %v", upErr)
	}
	cfg := rest.CopyConfig(shared.Config)
	cfg.QPS, cfg.Burst = 100, 200
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, c
}
