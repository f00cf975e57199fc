package cluster_test

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/harness/cluster"
)

// Clusters starting at once get disjoint ports, none already bound; a
// reservation ends when its cluster is up, and one left by a process that
// is gone is ignored and removed.
func TestReservePorts(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	busy, err := net.Listen("tcp", "127.0.0.1:29999")
	if err != nil {
		t.Skipf("port 29999 is not free here: %v", err)
	}
	defer busy.Close()
	// A reservation of a process that no longer runs (pid 0 never names one).
	dir := filepath.Join(os.TempDir(), "interlock-ports")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "0-gone")
	if err := os.WriteFile(stale, []byte("29998\n29997\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	a, releaseA, err := cluster.ReservePorts(t.Context(), "a", false)
	if err != nil {
		t.Fatal(err)
	}
	b, releaseB, err := cluster.ReservePorts(t.Context(), "b", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 6 || len(b) != 7 {
		t.Fatalf("got %d and %d ports, want 6 (no metrics) and 7 (metrics): %v %v", len(a), len(b), a, b)
	}
	if b["metricsServerPort"] == 0 {
		t.Errorf("no metrics-server port with metrics: %v", b)
	}
	seen := map[uint32]string{}
	for who, ports := range map[string]map[string]uint32{"a": a, "b": b} {
		for comp, p := range ports {
			if p == 29999 {
				t.Errorf("%s %s got the bound port 29999", who, comp)
			}
			if prev, ok := seen[p]; ok {
				t.Errorf("port %d given twice: %s and %s %s", p, prev, who, comp)
			}
			seen[p] = who + " " + comp
		}
	}
	if _, ok := seen[29998]; !ok {
		t.Errorf("the stale reservation of 29998 still holds: %v", seen)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale reservation is still there: %v", err)
	}

	// Once a is up, its ports may go to the next cluster (they are free
	// here, as nothing bound them).
	releaseA()
	c, releaseC, err := cluster.ReservePorts(t.Context(), "c", false)
	if err != nil {
		t.Fatal(err)
	}
	defer releaseC()
	releaseB()
	if c["etcdPeerPort"] != a["etcdPeerPort"] {
		t.Errorf("after a's release, c got %v, want a's ports %v again", c, a)
	}

	conf := string(cluster.PortsConfig(c))
	for comp, p := range c {
		if !strings.Contains(conf, "  "+comp+": "+strconv.Itoa(int(p))+"\n") {
			t.Errorf("config lacks %s: %d:\n%s", comp, p, conf)
		}
	}
	if !strings.Contains(conf, "kind: KwokctlConfiguration\noptions:\n") {
		t.Errorf("config is not a KwokctlConfiguration with options:\n%s", conf)
	}
}
