package cluster_test

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/harness/cluster"
)

// Clusters starting at once get disjoint ports, none already bound; a
// reservation lasts until its cluster is released, and one whose process
// and cluster directory are both gone is ignored and removed.
func TestReservePorts(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	busy, err := net.Listen("tcp", "127.0.0.1:29999")
	if err != nil {
		t.Skipf("port 29999 is not free here: %v", err)
	}
	defer busy.Close()
	home := t.TempDir()
	dirA, dirB, dirC := filepath.Join(home, "a"), filepath.Join(home, "b"), filepath.Join(home, "c")
	stale, held := leftReservations(t, home, dirB)

	a, err := cluster.ReservePorts(t.Context(), dirA, false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cluster.ReservePorts(t.Context(), dirC, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 6 || len(c) != 7 || c["metricsServerPort"] == 0 {
		t.Fatalf("got %d and %d ports, want 6 (no metrics) and 7 (metrics): %v %v", len(a), len(c), a, c)
	}
	seen := distinctPorts(t, map[string]map[string]uint32{"a": a, "c": c}, 29999, 20000)
	if _, ok := seen[29998]; !ok {
		t.Errorf("the stale reservation of 29998 still holds: %v", seen)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale reservation is still there: %v", err)
	}
	if _, err := os.Stat(held); err != nil {
		t.Errorf("the reservation of a running cluster was removed: %v", err)
	}

	// Once a is down, its ports may go to the next cluster (they are free
	// here, as nothing bound them).
	if err := cluster.ReleasePorts(t.Context(), dirA); err != nil {
		t.Fatal(err)
	}
	d, err := cluster.ReservePorts(t.Context(), filepath.Join(home, "d"), false)
	if err != nil {
		t.Fatal(err)
	}
	if d["etcdPeerPort"] != a["etcdPeerPort"] {
		t.Errorf("after a's release, d got %v, want a's ports %v again", d, a)
	}

	conf := string(cluster.PortsConfig(d))
	for comp, p := range d {
		if !strings.Contains(conf, "  "+comp+": "+strconv.Itoa(int(p))+"\n") {
			t.Errorf("config lacks %s: %d:\n%s", comp, p, conf)
		}
	}
	if !strings.Contains(conf, "kind: KwokctlConfiguration\noptions:\n") {
		t.Errorf("config is not a KwokctlConfiguration with options:\n%s", conf)
	}
}

// leftReservations writes two reservations left by processes that no
// longer run (pid 0 never names one): stale, of 29998 and 29997 for a
// cluster whose directory is gone, and held, of 20000 for the cluster in
// dirB, which still runs (cluster up has returned).
func leftReservations(t *testing.T, home, dirB string) (stale, held string) {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "interlock-ports")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	stale = filepath.Join(dir, "0-gone")
	if err := os.WriteFile(stale, []byte(filepath.Join(home, "gone")+"\n29998\n29997\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dirB, 0o755); err != nil {
		t.Fatal(err)
	}
	held = filepath.Join(dir, "0-up")
	if err := os.WriteFile(held, []byte(dirB+"\n20000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return stale, held
}

// distinctPorts checks that no port is given twice among the clusters'
// ports, nor is one of the taken ports, and returns who got each port.
func distinctPorts(t *testing.T, clusters map[string]map[string]uint32, taken ...uint32) map[uint32]string {
	t.Helper()
	seen := map[uint32]string{}
	for who, ports := range clusters {
		for comp, p := range ports {
			if slices.Contains(taken, p) {
				t.Errorf("%s %s got port %d, bound or held", who, comp, p)
			}
			if prev, ok := seen[p]; ok {
				t.Errorf("port %d given twice: %s and %s %s", p, prev, who, comp)
			}
			seen[p] = who + " " + comp
		}
	}
	return seen
}
