package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/internal/flock"
)

// kwokctl picks a free port for each component as it starts it, walking
// down from 32767 in every process, so two clusters starting at once pick
// the same ports. Rather than start one cluster at a time, interlock picks
// the ports itself: under a lock held only while it picks, it takes ports
// that are free and that no other cluster on this machine has reserved,
// records them, and gives them to kwokctl. A reservation lasts as long as
// its cluster: a component may bind its port late on a busy machine, and
// kwok-controller is restarted once the cluster is up, which frees its
// port for a moment. Down ends it; so does the end of both the process
// that made it and the cluster's directory.
//
// The ports lie below Linux's ephemeral range (32768 and up), so no
// outgoing connection takes one between the pick and the bind, and below
// where a bare kwokctl starts its own walk down, 32767.
const (
	portHigh = 29999
	portLow  = 20000
)

// portsDir holds one reservation file per cluster on this machine, named
// <pid>-<cluster>: the cluster's directory on the first line, then its
// ports, one a line.
func portsDir() string { return filepath.Join(os.TempDir(), "interlock-ports") }

// createLock is held while ports are picked.
func createLock() string { return filepath.Join(os.TempDir(), "interlock-cluster-create.lock") }

// componentPorts are the kwokctl options of the binary runtime that take a
// port, in the order reservePorts fills them; metrics-server's comes last
// and only with metrics.
var componentPorts = []string{"etcdPeerPort", "etcdPort", "kubeApiserverPort", "kwokControllerPort", "kubeControllerManagerPort", "kubeSchedulerPort", "metricsServerPort"}

// reservePorts reserves a port for each component of the cluster in dir
// (with metrics-server's if metrics) and returns them by kwokctl option.
func reservePorts(ctx context.Context, dir string, metrics bool) (map[string]uint32, error) {
	names := componentPorts
	if !metrics {
		names = names[:len(names)-1]
	}
	unlock, err := flock.Lock(ctx, createLock())
	if err != nil {
		return nil, fmt.Errorf("interrupted while waiting for another cluster to pick its ports: %w", err)
	}
	defer unlock()
	if err := os.MkdirAll(portsDir(), 0o755); err != nil {
		return nil, fmt.Errorf("failed to create %s: %w", portsDir(), err)
	}
	taken, err := reservedPorts(dir)
	if err != nil {
		return nil, err
	}
	ports := make(map[string]uint32, len(names))
	lines := []string{dir}
	next := uint32(portHigh)
	for _, n := range names {
		for ; next >= portLow && (taken[next] || !portFree(next)); next-- {
		}
		if next < portLow {
			return nil, fmt.Errorf("failed to find a free port for %s between %d and %d", n, portLow, portHigh)
		}
		ports[n] = next
		lines = append(lines, strconv.FormatUint(uint64(next), 10))
		next--
	}
	file := filepath.Join(portsDir(), fmt.Sprintf("%d-%s", os.Getpid(), filepath.Base(dir)))
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("failed to reserve ports: %w", err)
	}
	return ports, nil
}

// releasePorts ends the reservations of the cluster in dir.
func releasePorts(ctx context.Context, dir string) error {
	unlock, err := flock.Lock(ctx, createLock())
	if err != nil {
		return fmt.Errorf("interrupted while waiting to release the ports of %s: %w", dir, err)
	}
	defer unlock()
	_, err = reservedPorts(dir)
	return err
}

// reservedPorts reads the reservations of the other clusters, and removes
// those of the cluster in dir and those whose process and cluster are both
// gone. The create lock must be held.
func reservedPorts(dir string) (map[uint32]bool, error) {
	entries, err := os.ReadDir(portsDir())
	if errors.Is(err, os.ErrNotExist) {
		return map[uint32]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read the port reservations: %w", err)
	}
	taken := map[uint32]bool{}
	for _, ent := range entries {
		path := filepath.Join(portsDir(), ent.Name())
		data, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("failed to read the port reservations: %w", err)
		}
		fields := strings.Split(strings.TrimSpace(string(data)), "\n")
		pid, _, _ := strings.Cut(ent.Name(), "-")
		n, _ := strconv.Atoi(pid)
		owner := fields[0]
		if owner == dir || (!(n > 0 && alive(n)) && !isDir(owner)) {
			_ = os.Remove(path)
			continue
		}
		for _, f := range fields[1:] {
			if p, err := strconv.ParseUint(f, 10, 32); err == nil {
				taken[uint32(p)] = true
			}
		}
	}
	return taken, nil
}

// isDir reports whether path is a directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// portFree reports whether port can be bound, on the loopback address and
// on every address, as kwokctl checks.
func portFree(port uint32) bool {
	for _, host := range []string{"127.0.0.1", ""} {
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.FormatUint(uint64(port), 10)))
		if err != nil {
			return false
		}
		_ = l.Close()
	}
	return true
}

// portsConfig is a kwokctl configuration that sets the components' ports.
func portsConfig(ports map[string]uint32) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokctlConfiguration\noptions:\n")
	for _, n := range componentPorts {
		if p, ok := ports[n]; ok {
			fmt.Fprintf(&b, "  %s: %d\n", n, p)
		}
	}
	return []byte(b.String())
}

// startSlots is how many clusters may be starting at once on this machine:
// one per CPU. The clusters that are up run beside each other freely, but
// a control plane starting takes a core for seconds, and many starting at
// once on 2 cores each took up to a minute and left some whose fixture
// never became available.
func startSlots() int { return max(1, runtime.NumCPU()) }

// startSlot waits for one of the machine's start slots (see startSlots)
// and returns the func that frees it.
func startSlot(ctx context.Context) (func(), error) {
	n := startSlots()
	for {
		for i := range n {
			unlock, err := flock.TryLock(filepath.Join(os.TempDir(), fmt.Sprintf("interlock-cluster-start.%d.lock", i)))
			if err != nil {
				return nil, err
			}
			if unlock != nil {
				return unlock, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("interrupted while waiting for other clusters to start: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// FreeAddr is a loopback address with a port free now, for a process the
// harness starts beside the cluster (the remediator's metrics, a page
// receiver). Another process may take the port before it is bound.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("failed to find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}
