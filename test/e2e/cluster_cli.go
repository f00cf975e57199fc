package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/testutil"
	"github.com/interlock-dev/interlock/scenarios"
)

// secondCluster is a cluster brought up with `interlock cluster up` while
// the shared one runs.
type secondCluster struct {
	undo
	name, kubeconfig, up string
	// pids are its components' processes, as status reports them.
	pids []int
}

// cliUpDown brings up a second cluster while the shared one runs, reads it
// with kubectl, and checks that down stops every one of its processes.
func cliUpDown() features.Feature {
	c := &secondCluster{name: "cli-a"}
	return features.New("cluster up, status, list and down").WithLabel("tier", scenarios.TierPR).
		Setup(c.setup).
		Assess("up says the cluster is ready", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			if !strings.Contains(c.up, `Cluster "cli-a" is ready with 3 node(s)`) {
				t.Errorf("up output lacks the ready line: %q", c.up)
			}
			return ctx
		}).
		Assess("kubectl sees three Ready nodes", c.kubectlNodes).
		Assess("both clusters answer at once", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			if _, err := exec.Command(bins["kubectl"], "--kubeconfig", shared.Kubeconfig, "get", "ns", "default").CombinedOutput(); err != nil {
				t.Errorf("shared cluster stopped answering while cli-a runs: %v", err)
			}
			return ctx
		}).
		Assess("status shows every component running", c.status).
		Assess("list shows both clusters", c.list).
		Assess("down stops every process and removes the files", c.down).
		Assess("the shared cluster is untouched by the removal", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			if _, err := exec.Command(bins["kubectl"], "--kubeconfig", shared.Kubeconfig, "get", "ns", "default").CombinedOutput(); err != nil {
				t.Errorf("shared cluster stopped answering after cli-a went down: %v", err)
			}
			return ctx
		}).
		Teardown(c.teardown).
		Feature()
}

func (c *secondCluster) setup(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	c.guard(t)
	c.kubeconfig = filepath.Join(t.TempDir(), "a.kubeconfig")
	out, errOut, code := runCLI(t, "cluster", "up", "--name", c.name, "--nodes", "3", "--kubeconfig", c.kubeconfig)
	if code != 0 {
		t.Fatalf("cluster up exited %d: %s %s", code, out, errOut)
	}
	c.push(func() { _ = provider.Down(context.Background(), c.name) })
	c.up = out
	return ctx
}

func (c *secondCluster) kubectlNodes(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	got, err := exec.Command(bins["kubectl"], "--kubeconfig", c.kubeconfig, "get", "nodes", "--no-headers").CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl get nodes: %v: %s", err, got)
	}
	lines := strings.Split(strings.TrimSpace(string(got)), "\n")
	if len(lines) != 3 {
		t.Fatalf("kubectl shows %d nodes, want 3:\n%s", len(lines), got)
	}
	for _, l := range lines {
		if fields := strings.Fields(l); len(fields) < 2 || fields[1] != "Ready" {
			t.Errorf("node not Ready: %q", l)
		}
	}
	return ctx
}

func (c *secondCluster) status(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	out, _, code := runCLI(t, "cluster", "status", "--name", c.name, "-o", "json")
	if code != 0 {
		t.Fatalf("status exited %d", code)
	}
	var st cluster.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status -o json: %v: %s", err, out)
	}
	if !strings.HasSuffix(st.AuditLog, "audit.log") {
		t.Errorf("status audit log = %q", st.AuditLog)
	}
	want := map[string]bool{"etcd": true, "kube-apiserver": true, "kube-controller-manager": true, "kube-scheduler": true, "kwok-controller": true}
	for _, comp := range st.Components {
		if want[comp.Name] {
			if !comp.Running || comp.PID <= 0 {
				t.Errorf("component %s not running (pid %d)", comp.Name, comp.PID)
			}
			c.pids = append(c.pids, comp.PID)
			delete(want, comp.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("status lacks components %v: %+v", want, st.Components)
	}
	return ctx
}

func (c *secondCluster) list(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	out, _, code := runCLI(t, "cluster", "list", "-o", "json")
	var names []string
	if code != 0 || json.Unmarshal([]byte(out), &names) != nil || !slices.Contains(names, c.name) || !slices.Contains(names, sharedName) {
		t.Errorf("cluster list = %q (exit %d), want cli-a and %s", out, code, sharedName)
	}
	return ctx
}

func (c *secondCluster) down(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	if out, errOut, code := runCLI(t, "cluster", "down", "--name", c.name); code != 0 {
		t.Fatalf("cluster down exited %d: %s %s", code, out, errOut)
	}
	// A pid may be reused by a process of another test once cli-a's is
	// gone: a live pid counts only if it still runs from cli-a's directory.
	dir := provider.Dir(c.name)
	under := cluster.ProcessesUnder(dir)
	for _, pid := range c.pids {
		if cluster.Alive(pid) && slices.Contains(under, pid) {
			t.Errorf("pid %d of cli-a still alive after down", pid)
		}
	}
	if len(under) > 0 {
		t.Errorf("processes of cli-a left after down: %v", under)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cluster directory left behind: %v", err)
	}
	if left := cluster.ProcessesUnder(dir); len(left) > 0 {
		t.Errorf("processes of cli-a left: %v", left)
	}
	return ctx
}

// interruptedCluster is a `cluster up` sent Ctrl-C once its first
// component runs.
type interruptedCluster struct {
	undo
	dir  string
	cmd  *exec.Cmd
	out  testutil.SyncBuffer
	seen []int
}

// interruptedUp sends Ctrl-C to `cluster up` once its first component
// runs, and checks that every process it started is gone with its files.
func interruptedUp() features.Feature {
	c := &interruptedCluster{}
	return features.New("Ctrl-C during cluster up").WithLabel("tier", scenarios.TierPR).
		Setup(func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			c.guard(t)
			c.dir = provider.Dir("cli-int")
			c.cmd = exec.Command(interlockBin, "cluster", "up", "--name", "cli-int", "--nodes", "2")
			c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.out
			if err := c.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			c.push(func() { _ = provider.Down(context.Background(), "cli-int") })
			return ctx
		}).
		Assess("a component starts", c.started).
		Assess("Ctrl-C exits 2", c.interrupt).
		Assess("every process is gone with the files", c.gone).
		Teardown(c.teardown).
		Feature()
}

// started waits until a component has started and recorded its pid.
func (c *interruptedCluster) started(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	err := testutil.Until(ctx, 20*time.Millisecond, time.Minute, func(context.Context) (bool, error) {
		c.seen = cluster.ProcessesUnder(c.dir)
		return len(c.seen) > 0, nil
	})
	if err != nil {
		_ = c.cmd.Process.Kill()
		t.Fatalf("no component started: %v\n%s", err, c.out.String())
	}
	return ctx
}

func (c *interruptedCluster) interrupt(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err == nil || !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("interrupted up: %v, want exit code 2\n%s", err, c.out.String())
		}
	case <-time.After(2 * time.Minute):
		_ = c.cmd.Process.Kill()
		t.Fatalf("interrupted up did not exit\n%s", c.out.String())
	}
	return ctx
}

func (c *interruptedCluster) gone(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	for _, pid := range c.seen {
		if cluster.Alive(pid) {
			t.Errorf("pid %d still alive after interrupted up", pid)
		}
	}
	if left := cluster.ProcessesUnder(c.dir); len(left) > 0 {
		t.Errorf("processes left after interrupted up: %v", left)
	}
	if _, err := os.Stat(c.dir); !os.IsNotExist(err) {
		t.Errorf("cluster directory left behind after interrupted up: %v", err)
	}
	return ctx
}
