package cluster

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
)

// restartComponent stops one of kwokctl's component processes and starts it
// again with the same command line, working directory and log, detached as
// kwokctl starts it, and records its new pid where kwokctl keeps it.
//
// kwokctl starts kwok-controller before it creates the Stage CRD, so kwok's
// Stage informer first fails and backs off for seconds before it takes up
// the lifecycle stages; started again once they exist, it takes them up at
// once.
func restartComponent(ctx context.Context, dir, name string) error {
	pidFile := filepath.Join(dir, "pids", name+".pid")
	pid := readPID(pidFile)
	if pid <= 0 || !alive(pid) {
		return fmt.Errorf("component %s is not running", name)
	}
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return fmt.Errorf("failed to read %s's command line: %w", name, err)
	}
	args := bytes.Split(bytes.TrimRight(raw, "\x00"), []byte{0})
	cwd, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "cwd"))
	if err != nil {
		return fmt.Errorf("failed to read %s's working directory: %w", name, err)
	}
	if err := killAll(ctx, []int{pid}); err != nil {
		return fmt.Errorf("failed to stop %s: %w", name, err)
	}
	log, err := os.OpenFile(filepath.Join(dir, "logs", name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("failed to open %s's log: %w", name, err)
	}
	defer log.Close()
	strs := make([]string, len(args))
	for i, a := range args {
		strs[i] = string(a)
	}
	cmd := exec.Command(strs[0], strs[1:]...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = cwd, log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("failed to start %s again: %w", name, err)
	}
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(cmd.Process.Pid)), 0o644); err != nil {
		_ = cmd.Process.Kill()
		return fmt.Errorf("failed to record %s's pid: %w", name, err)
	}
	// Reap it if it exits while this process lives; kwokctl's own children
	// are reaped by init.
	go func() { _ = cmd.Wait() }()
	return nil
}
