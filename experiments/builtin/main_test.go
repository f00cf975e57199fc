package builtin_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/toolchain"
)

// The integration tests share one embedded cluster, started by the first
// test that needs it (the Validate tables need none) and stopped by TestMain.
const (
	clusterName = "experiments-builtin"
	// clusterNodes: kwok-node-0 and -1 run the pod faults' workloads, -2
	// to -5 take one node fault each.
	clusterNodes = 6
)

// clusterArgs tune the embedded cluster for fault tests. kwokctl's default
// heartbeat factor (5) gives a 200s node lease and a 200s node monitor grace
// period; 0.5 gives 20s each (and a 2.5s monitor period), so that a node
// whose heartbeat stops is marked Unknown within about 22s, and a node
// coming back is taken up by kwok within 5s.
var clusterArgs = []string{"--heartbeat-factor=0.5"}

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
	home, err := os.MkdirTemp("", "interlock-builtin-")
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
	provider.ExtraArgs = clusterArgs
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

// testCluster returns the shared cluster's admin config and client,
// starting the cluster on first use.
func testCluster(t *testing.T) (*rest.Config, kubernetes.Interface) {
	t.Helper()
	upOnce.Do(func() {
		shared, upErr = provider.Up(context.Background(), cluster.UpOptions{
			Name: clusterName, Nodes: clusterNodes, Wait: 2 * time.Minute, Progress: os.Stderr,
		})
	})
	if upErr != nil {
		t.Fatalf("failed to start the test cluster: %v", upErr)
	}
	// Parallel tests poll the API server: lift client-go's default 5 QPS.
	cfg := rest.CopyConfig(shared.Config)
	cfg.QPS, cfg.Burst = 200, 400
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, cs
}
