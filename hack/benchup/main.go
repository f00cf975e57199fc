package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/toolchain"
)

func main() {
	runs := flag.Int("runs", 5, "samples of each")
	nodes := flag.Int("nodes", 3, "nodes for interlock cluster up")
	interlock := flag.String("interlock", "bin/interlock", "the interlock binary")
	flag.Parse()
	if err := run(*runs, *nodes, *interlock); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(runs, nodes int, interlock string) error {
	ctx := context.Background()
	home, err := os.MkdirTemp("", "interlock-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(home)
	tc, err := toolchain.New(toolchain.Options{Progress: os.Stderr})
	if err != nil {
		return err
	}
	bins, err := tc.Ensure(ctx)
	if err != nil {
		return err
	}
	env := append(os.Environ(), cluster.HomeEnv+"="+home, "KWOK_WORKDIR="+filepath.Join(home, "kwok"))

	bare := func() (time.Duration, error) {
		start := time.Now()
		err := command(env, bins["kwokctl"], "create", "cluster", "--name", "bench-bare", "--runtime", "binary",
			"--kubeconfig=", "--wait", "2m",
			"--etcd-binary", bins["etcd"], "--kube-apiserver-binary", bins["kube-apiserver"],
			"--kube-controller-manager-binary", bins["kube-controller-manager"],
			"--kube-scheduler-binary", bins["kube-scheduler"], "--kwok-controller-binary", bins["kwok"])
		d := time.Since(start)
		if derr := command(env, bins["kwokctl"], "delete", "cluster", "--name", "bench-bare"); err == nil {
			err = derr
		}
		return d, err
	}
	ours := func() (time.Duration, error) {
		start := time.Now()
		err := command(env, interlock, "cluster", "up", "--name", "bench-il", "--nodes", fmt.Sprint(nodes))
		d := time.Since(start)
		if derr := command(env, interlock, "cluster", "down", "--name", "bench-il"); err == nil {
			err = derr
		}
		return d, err
	}
	// One warm-up of each, not counted: page cache and binary cache warm.
	if _, err := bare(); err != nil {
		return fmt.Errorf("kwokctl warm-up: %w", err)
	}
	if _, err := ours(); err != nil {
		return fmt.Errorf("interlock warm-up: %w", err)
	}
	var b, o []time.Duration
	for i := 0; i < runs; i++ {
		db, err := bare()
		if err != nil {
			return fmt.Errorf("kwokctl run %d: %w", i+1, err)
		}
		do, err := ours()
		if err != nil {
			return fmt.Errorf("interlock run %d: %w", i+1, err)
		}
		b, o = append(b, db), append(o, do)
		fmt.Fprintf(os.Stderr, "run %d/%d: kwokctl create cluster %s, interlock cluster up --nodes %d %s\n", i+1, runs, db.Round(time.Millisecond), nodes, do.Round(time.Millisecond))
	}
	mb, mo := median(b), median(o)
	fmt.Printf("## Cluster up to ready (%d runs each, alternating, warm caches)\n\n", runs)
	fmt.Printf("| command | median | samples |\n|---|---|---|\n")
	fmt.Printf("| `kwokctl create cluster --runtime binary --wait 2m` (bare) | %s | %v |\n", mb.Round(time.Millisecond), rounded(b))
	fmt.Printf("| `interlock cluster up --nodes %d` (audit log on, nodes Ready) | %s | %v |\n", nodes, mo.Round(time.Millisecond), rounded(o))
	fmt.Printf("\nratio interlock/kwokctl: %.2fx (target: at most 1.20x)\n", float64(mo)/float64(mb))
	return nil
}

func command(env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %v: %w: %s", filepath.Base(name), args[:2], err, out)
	}
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func rounded(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(10 * time.Millisecond)
	}
	return out
}
