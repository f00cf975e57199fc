package run

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/scenarios"
)

// The truth measures each fixture workload against what the scenario
// promised: its replicas, and an autoscaled one's minimum.
func TestCapacityOf(t *testing.T) {
	tests := map[string]struct {
		scenario string
		want     map[string]observe.Capacity
	}{
		"storm": {"storm", map[string]observe.Capacity{
			"default/storm": {Replicas: 3}, "default/bystander": {Replicas: 2}}},
		"autoscaled": {"autoscaler-feedback-loop", nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, err := scenarios.Load(tc.scenario)
			if err != nil {
				t.Fatal(err)
			}
			got := capacityOf(s)
			if tc.want != nil {
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("capacityOf (-want +got):\n%s", diff)
				}
				return
			}
			for _, w := range s.Spec.Fixture.Workloads {
				c := got[w.Namespace+"/"+w.Name]
				if c.Replicas != int(w.Replicas) || (w.Autoscale != nil) != c.Autoscaled ||
					(w.Autoscale != nil && c.MinReplicas != int(w.Autoscale.MinReplicas)) {
					t.Errorf("%s/%s: %+v", w.Namespace, w.Name, c)
				}
			}
		})
	}
}

// The remediator's environment holds PATH, HOME, KUBECONFIG and the
// documented INTERLOCK_* variables, and nothing of the harness's own.
func TestSandboxEnvironment(t *testing.T) {
	t.Setenv("INTERLOCK_HOME", "/root/.interlock")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "hunter2")
	box, err := newSandbox()
	if err != nil {
		t.Fatal(err)
	}
	defer box.remove()
	env := box.env("/h/kubeconfig", "http://127.0.0.1:1/", "127.0.0.1:2")
	var names []string
	for _, kv := range env {
		names = append(names, strings.SplitN(kv, "=", 2)[0])
	}
	want := []string{"PATH", "HOME", contract.EnvKubeconfig, contract.EnvPageURL, contract.EnvMetricsAddr, contract.EnvNamespace}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}
	if home := env[1]; home != "HOME="+box.home {
		t.Errorf("HOME is %q, want the sandbox's own %s", home, box.home)
	}
	fi, err := os.Stat(box.home)
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		st := fi.Sys().(*syscall.Stat_t)
		if box.cred == nil || box.cred.Uid != UnprivilegedID || st.Uid != UnprivilegedID {
			t.Errorf("as root the remediator runs as %+v with a home owned by %d; want uid %d for both", box.cred, st.Uid, UnprivilegedID)
		}
	} else if box.cred != nil {
		t.Errorf("not root, yet the remediator would switch user: %+v", box.cred)
	}
}

// Under root, the remediator can read its own kubeconfig and run its
// linked binary, and cannot read what only root may: the harness's files.
func TestSandboxKeepsRootFilesAway(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the remediator switches user only when the harness runs as root")
	}
	box, err := newSandbox()
	if err != nil {
		t.Fatal(err)
	}
	defer box.remove()
	secret := t.TempDir() + "/admin.kubeconfig"
	if err := os.WriteFile(secret, []byte("client-key-data: x"), 0o600); err != nil {
		t.Fatal(err)
	}
	own, err := box.writeFile("kubeconfig", []byte("token: mine"))
	if err != nil {
		t.Fatal(err)
	}
	sh, err := box.executable("/bin/sh")
	if err != nil {
		t.Fatal(err)
	}
	again, err := box.executable("/bin/sh")
	if err != nil || again != sh {
		t.Fatalf("a second start links again: %q, %v", again, err)
	}
	run := func(args ...string) error {
		cmd := exec.Command(sh, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: box.cred}
		cmd.Env = box.env(own, "", "")
		return cmd.Run()
	}
	if err := run("-c", "cat "+own); err != nil {
		t.Errorf("the remediator cannot read its own kubeconfig: %v", err)
	}
	if err := run("-c", "cat "+secret); err == nil {
		t.Errorf("the remediator read %s, which only root may", secret)
	}
	if fi, err := os.Stat("/bin/sh"); err != nil || fi.Size() == 0 {
		t.Errorf("linking emptied the original binary: %v", err)
	}
	if err := box.checkRunnable(secret + " --flag"); err == nil {
		t.Error("checkRunnable let through a program the remediator cannot run")
	}
}
