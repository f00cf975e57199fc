package builtin_test

import (
	"os"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/testcluster"
)

// testEnv is the embedded cluster the integration tests share, started by
// the first test that needs it (the Validate tables need none) and stopped
// by TestMain.
var testEnv = &testcluster.Shared{
	Options: cluster.UpOptions{
		Name: "experiments-builtin",
		// kwok-node-0 and -1 run the pod faults' workloads, -2 to -5 take
		// one node fault each.
		Nodes: 6,
		Wait:  2 * time.Minute,
	},
	// kwokctl's default heartbeat factor (5) gives a 200s node lease and a
	// 200s node monitor grace period; 0.5 gives 20s each (and a 2.5s
	// monitor period), so that a node whose heartbeat stops is marked
	// Unknown within about 22s, and a node coming back is taken up by kwok
	// within 5s.
	ExtraArgs: []string{"--heartbeat-factor=0.5"},
}

func TestMain(m *testing.M) {
	os.Exit(testEnv.Main(m))
}

// testCluster returns the shared cluster's admin config and client,
// starting the cluster on first use.
func testCluster(t *testing.T) (*rest.Config, kubernetes.Interface) {
	t.Helper()
	// Parallel tests poll the API server: lift client-go's default 5 QPS.
	cfg := testEnv.Config(t)
	cfg.QPS, cfg.Burst = 200, 400
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, cs
}
