package chaosmesh_test

import (
	"os"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/experiments/chaosmesh"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/testcluster"
)

// clusterUp bounds the cluster's start and the CRDs' install.
const clusterUp = 2 * time.Minute

// testEnv is the embedded cluster the cluster tests share, which runs no
// Chaos Mesh but serves its CRDs: it checks rendered objects against Chaos
// Mesh's schema and keeps the objects the injector creates. The first test
// that needs it starts it (the Validate and Render tables need none);
// TestMain stops it.
var testEnv = &testcluster.Shared{
	Options: cluster.UpOptions{Name: "experiments-chaosmesh", Nodes: 1, Wait: clusterUp},
	Timeout: clusterUp,
	Prepare: chaosmesh.InstallCRDs,
}

func TestMain(m *testing.M) {
	os.Exit(testEnv.Main(m))
}

// testCluster returns the shared cluster's admin config and a client,
// starting the cluster and installing the Chaos Mesh CRDs on first use.
func testCluster(t *testing.T) (*rest.Config, client.Client) {
	t.Helper()
	cfg := testEnv.Config(t)
	cfg.QPS, cfg.Burst = 100, 200
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, c
}
