package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// readPID returns the pid in a kwokctl pid file, or 0.
func readPID(path string) int {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// pidsFromFiles returns every pid recorded under dir/pids.
func pidsFromFiles(dir string) []int {
	files, _ := filepath.Glob(filepath.Join(dir, "pids", "*.pid"))
	var pids []int
	for _, f := range files {
		if pid := readPID(f); pid > 0 {
			pids = append(pids, pid)
		}
	}
	return pids
}

// ProcessesUnder returns the pids of control-plane processes whose command
// line refers to a path inside dir: every component kwokctl starts is given
// its data, certificate or config files there.
func ProcessesUnder(dir string) []int { return processesUnder(dir) }

func processesUnder(dir string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	needle := []byte(filepath.Clean(dir) + string(filepath.Separator))
	self := os.Getpid()
	var pids []int
	for _, ent := range entries {
		pid, err := strconv.Atoi(ent.Name())
		if err != nil || pid == self {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", ent.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmdline, needle) {
			continue
		}
		// Only control-plane components: a person's `tail -f` of the audit
		// log also names the directory and must be left alone.
		exe, err := os.Readlink(filepath.Join("/proc", ent.Name(), "exe"))
		if err != nil || !componentNames[strings.TrimSuffix(filepath.Base(exe), " (deleted)")] {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

// componentNames are the binaries kwokctl's binary runtime starts.
var componentNames = map[string]bool{
	"etcd": true, "kube-apiserver": true, "kube-controller-manager": true,
	"kube-scheduler": true, "kwok": true, "kwok-controller": true,
}

// Alive reports whether pid is a live process (not a zombie).
func Alive(pid int) bool { return alive(pid) }

func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses: "pid (comm) S ...".
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}

// killAll sends SIGTERM to each live pid, waits up to 10 s for them to go,
// then sends SIGKILL to any left.
func killAll(ctx context.Context, pids []int) error {
	live := map[int]bool{}
	for _, pid := range pids {
		if alive(pid) {
			live[pid] = true
			_ = syscall.Kill(pid, syscall.SIGTERM)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(live) > 0 && time.Now().Before(deadline) {
		for pid := range live {
			if !alive(pid) {
				delete(live, pid)
			}
		}
		if len(live) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			deadline = time.Now()
		case <-time.After(100 * time.Millisecond):
		}
	}
	for pid := range live {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	var left []string
	for pid := range live {
		for i := 0; i < 20 && alive(pid); i++ {
			time.Sleep(50 * time.Millisecond)
		}
		if alive(pid) {
			left = append(left, strconv.Itoa(pid))
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("processes still running after SIGKILL: %s", strings.Join(left, ", "))
	}
	return nil
}
