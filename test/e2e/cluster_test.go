package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/e2e-framework/klient/wait"
	"sigs.k8s.io/e2e-framework/klient/wait/conditions"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

func TestEmbeddedCluster(t *testing.T) {
	const ns = "default"
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](3),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "web:1"}}},
			},
		},
	}
	f := features.New("embedded cluster").
		WithLabel("tier", "pr").
		Assess("three nodes are Ready", func(ctx context.Context, t *testing.T, cfg *envconf.Config) context.Context {
			var nodes corev1.NodeList
			if err := cfg.Client().Resources().List(ctx, &nodes); err != nil {
				t.Fatal(err)
			}
			ready := 0
			for i := range nodes.Items {
				if cluster.NodeReady(&nodes.Items[i]) {
					ready++
				}
			}
			if ready != 3 {
				t.Fatalf("got %d Ready nodes of %d, want 3", ready, len(nodes.Items))
			}
			return ctx
		}).
		Assess("a 3-replica Deployment becomes Available on kwok nodes", func(ctx context.Context, t *testing.T, cfg *envconf.Config) context.Context {
			if err := cfg.Client().Resources().Create(ctx, dep); err != nil {
				t.Fatal(err)
			}
			err := wait.For(conditions.New(cfg.Client().Resources()).DeploymentConditionMatch(dep, appsv1.DeploymentAvailable, corev1.ConditionTrue),
				wait.WithTimeout(time.Minute), wait.WithInterval(200*time.Millisecond))
			if err != nil {
				t.Fatalf("deployment never became Available: %v", err)
			}
			if err := wait.For(func(ctx context.Context) (bool, error) {
				if err := cfg.Client().Resources().Get(ctx, dep.Name, ns, dep); err != nil {
					return false, err
				}
				return dep.Status.AvailableReplicas == 3, nil
			}, wait.WithTimeout(time.Minute), wait.WithInterval(200*time.Millisecond)); err != nil {
				t.Fatalf("available replicas %d, want 3: %v", dep.Status.AvailableReplicas, err)
			}
			var pods corev1.PodList
			if err := cfg.Client().Resources(ns).List(ctx, &pods, func(o *metav1.ListOptions) { o.LabelSelector = "app=web" }); err != nil {
				t.Fatal(err)
			}
			for _, p := range pods.Items {
				if !strings.HasPrefix(p.Spec.NodeName, "kwok-node-") || p.Status.Phase != corev1.PodRunning {
					t.Errorf("pod %s on node %q in phase %s, want Running on a kwok node", p.Name, p.Spec.NodeName, p.Status.Phase)
				}
			}
			return ctx
		}).
		Assess("the audit log holds the pod creations with the creating user", func(ctx context.Context, t *testing.T, cfg *envconf.Config) context.Context {
			// The ReplicaSet controller, acting under its own service account,
			// created the three pods. The audit log is flushed in batches.
			const creator = "system:serviceaccount:kube-system:replicaset-controller"
			var byUser map[string]int
			err := wait.For(func(context.Context) (bool, error) {
				var err error
				byUser, err = podCreations(ns)
				return err == nil && byUser[creator] >= 3, err
			}, wait.WithTimeout(30*time.Second), wait.WithInterval(200*time.Millisecond))
			if err != nil {
				t.Fatalf("audit log %s: pod creations by user %v, want 3 by %s: %v", shared.AuditLog, byUser, creator, err)
			}
			if byUser[creator] != 3 {
				t.Errorf("%d pod creations by %s, want 3", byUser[creator], creator)
			}
			return ctx
		}).
		Teardown(func(ctx context.Context, t *testing.T, cfg *envconf.Config) context.Context {
			_ = cfg.Client().Resources().Delete(ctx, dep)
			return ctx
		}).Feature()
	testenv.Test(t, f)
}

// auditEntries reads the shared cluster's audit log through the ledger, for
// user ("" for everyone).
func auditEntries(user string) ([]scorecard.LedgerEntry, error) {
	f, err := os.Open(shared.AuditLog)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ledger.Parse(f, user)
}

// podCreations counts the successful pod creations in ns by user.
func podCreations(ns string) (map[string]int, error) {
	entries, err := auditEntries("")
	if err != nil {
		return nil, err
	}
	users := map[string]int{}
	for _, e := range entries {
		if e.Verb == "create" && e.Resource == "pods" && e.Subresource == "" && e.Namespace == ns && e.Code == 201 {
			users[e.User]++
		}
	}
	return users, nil
}

// runCLI runs the interlock binary and returns its stdout, stderr and exit code.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(interlockBin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("failed to run interlock %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// TestCLIUpDown brings up a second cluster while the shared one runs, reads
// it with kubectl, and checks that down stops every one of its processes.
func TestCLIUpDown(t *testing.T) {
	kubeconfig := filepath.Join(t.TempDir(), "a.kubeconfig")
	out, errOut, code := runCLI(t, "cluster", "up", "--name", "cli-a", "--nodes", "3", "--kubeconfig", kubeconfig)
	if code != 0 {
		t.Fatalf("cluster up exited %d: %s %s", code, out, errOut)
	}
	t.Cleanup(func() { _ = provider.Down(context.Background(), "cli-a") })
	if !strings.Contains(out, `Cluster "cli-a" is ready with 3 node(s)`) {
		t.Errorf("up output lacks the ready line: %q", out)
	}

	kubectl := exec.Command(bins["kubectl"], "--kubeconfig", kubeconfig, "get", "nodes", "--no-headers")
	got, err := kubectl.CombinedOutput()
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

	// Both clusters answer at once.
	if _, err := exec.Command(bins["kubectl"], "--kubeconfig", shared.Kubeconfig, "get", "ns", "default").CombinedOutput(); err != nil {
		t.Errorf("shared cluster stopped answering while cli-a runs: %v", err)
	}

	out, _, code = runCLI(t, "cluster", "status", "--name", "cli-a", "-o", "json")
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
	var pids []int
	for _, c := range st.Components {
		if want[c.Name] {
			if !c.Running || c.PID <= 0 {
				t.Errorf("component %s not running (pid %d)", c.Name, c.PID)
			}
			pids = append(pids, c.PID)
			delete(want, c.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("status lacks components %v: %+v", want, st.Components)
	}

	out, _, code = runCLI(t, "cluster", "list", "-o", "json")
	var names []string
	if code != 0 || json.Unmarshal([]byte(out), &names) != nil || !contains(names, "cli-a") || !contains(names, sharedName) {
		t.Errorf("cluster list = %q (exit %d), want cli-a and %s", out, code, sharedName)
	}

	if out, errOut, code := runCLI(t, "cluster", "down", "--name", "cli-a"); code != 0 {
		t.Fatalf("cluster down exited %d: %s %s", code, out, errOut)
	}
	// A pid may be reused by a process of another test once cli-a's is
	// gone: a live pid counts only if it still runs from cli-a's directory.
	under := cluster.ProcessesUnder(provider.Dir("cli-a"))
	for _, pid := range pids {
		if cluster.Alive(pid) && slices.Contains(under, pid) {
			t.Errorf("pid %d of cli-a still alive after down", pid)
		}
	}
	if len(under) > 0 {
		t.Errorf("processes of cli-a left after down: %v", under)
	}
	if _, err := os.Stat(provider.Dir("cli-a")); !os.IsNotExist(err) {
		t.Errorf("cluster directory left behind: %v", err)
	}
	if left := cluster.ProcessesUnder(provider.Dir("cli-a")); len(left) > 0 {
		t.Errorf("processes of cli-a left: %v", left)
	}
	// The shared cluster is untouched by cli-a's removal.
	if _, err := exec.Command(bins["kubectl"], "--kubeconfig", shared.Kubeconfig, "get", "ns", "default").CombinedOutput(); err != nil {
		t.Errorf("shared cluster stopped answering after cli-a went down: %v", err)
	}
}

// TestInterruptedUp sends Ctrl-C to `cluster up` once its first component
// runs, and checks that every process it started is gone with its files.
func TestInterruptedUp(t *testing.T) {
	dir := provider.Dir("cli-int")
	cmd := exec.Command(interlockBin, "cluster", "up", "--name", "cli-int", "--nodes", "2")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = provider.Down(context.Background(), "cli-int") })

	// Wait until a component has started and recorded its pid.
	var seen []int
	err := wait.For(func(context.Context) (bool, error) {
		seen = cluster.ProcessesUnder(dir)
		return len(seen) > 0, nil
	}, wait.WithTimeout(time.Minute), wait.WithInterval(20*time.Millisecond))
	if err != nil {
		_ = cmd.Process.Kill()
		t.Fatalf("no component started: %v\n%s", err, out.String())
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		ee, ok := err.(*exec.ExitError)
		if err == nil || !ok || ee.ExitCode() != 2 {
			t.Errorf("interrupted up: %v, want exit code 2\n%s", err, out.String())
		}
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("interrupted up did not exit\n%s", out.String())
	}
	for _, pid := range seen {
		if cluster.Alive(pid) {
			t.Errorf("pid %d still alive after interrupted up", pid)
		}
	}
	if left := cluster.ProcessesUnder(dir); len(left) > 0 {
		t.Errorf("processes left after interrupted up: %v", left)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cluster directory left behind after interrupted up: %v", err)
	}
}

// TestCLIErrors checks that bad input is a one-line error and exit 2.
func TestCLIErrors(t *testing.T) {
	cases := map[string]struct {
		args []string
		want string
	}{
		"bad flag value":   {args: []string{"cluster", "up", "--nodes", "x"}, want: `invalid argument "x" for "--nodes"`},
		"unknown flag":     {args: []string{"cluster", "up", "--bogus"}, want: "unknown flag: --bogus"},
		"bad name":         {args: []string{"cluster", "up", "--name", "Bad_Name"}, want: `invalid cluster name "Bad_Name"`},
		"negative nodes":   {args: []string{"cluster", "up", "--nodes", "-1"}, want: "invalid node count -1"},
		"unknown command":  {args: []string{"clusterr"}, want: `unknown command "clusterr"`},
		"bad output":       {args: []string{"cluster", "list", "-o", "xml"}, want: `invalid --output "xml"`},
		"missing cluster":  {args: []string{"cluster", "status", "--name", "nope"}, want: `cluster not found: "nope"`},
		"extra positional": {args: []string{"cluster", "down", "extra"}, want: `unknown command "extra"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out, errOut, code := runCLI(t, tc.args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2 (stdout %q)", code, out)
			}
			if !strings.HasPrefix(errOut, "error: ") || !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q, want an error containing %q", errOut, tc.want)
			}
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
				t.Errorf("stderr has a stack trace: %q", errOut)
			}
		})
	}
}

// TestMissingTool checks that a component the cache lacks, with no source to
// build it from, is a one-line error and exit 2.
func TestMissingTool(t *testing.T) {
	cmd := exec.Command(interlockBin, "cluster", "up", "--name", "no-tools")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "INTERLOCK_TOOLS_CACHE="+t.TempDir(), "INTERLOCK_TOOLS_SRC="+t.TempDir())
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit %v, want 2; stderr %q", err, errb.String())
	}
	if got := strings.TrimSpace(errb.String()); strings.Count(got, "\n") > 1 || !strings.Contains(got, "cannot find the tools modules") {
		t.Errorf("stderr = %q, want a short error naming the missing tools modules", got)
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
