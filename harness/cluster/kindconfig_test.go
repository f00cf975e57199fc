package cluster_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	kindv1alpha4 "sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/yaml"
)

// kind-config.yaml decodes strictly with kind's own v1alpha4 types, turns
// audit logging on with interlock's policy, and puts the log on the host.
func TestKindConfig(t *testing.T) {
	root := filepath.Join("..", "..")
	data, err := os.ReadFile(filepath.Join(root, "kind-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c kindv1alpha4.Cluster
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		t.Fatalf("kind-config.yaml does not decode as kind v1alpha4: %v", err)
	}
	kindv1alpha4.SetDefaultsCluster(&c)
	if c.Kind != "Cluster" || c.APIVersion != "kind.x-k8s.io/v1alpha4" {
		t.Errorf("kind %q apiVersion %q", c.Kind, c.APIVersion)
	}
	var cp *kindv1alpha4.Node
	workers := 0
	for i := range c.Nodes {
		switch c.Nodes[i].Role {
		case kindv1alpha4.ControlPlaneRole:
			cp = &c.Nodes[i]
		case kindv1alpha4.WorkerRole:
			workers++
		}
	}
	if cp == nil || workers != 3 {
		t.Fatalf("want a control plane and 3 workers, got %d workers", workers)
	}
	patches := strings.Join(cp.KubeadmConfigPatches, "\n")
	for _, want := range []string{"audit-policy-file", "/etc/kubernetes/interlock/audit-policy.yaml", "audit-log-path", "/var/log/kubernetes/interlock/audit.log"} {
		if !strings.Contains(patches, want) {
			t.Errorf("the control plane's kubeadm patches lack %q", want)
		}
	}
	mounts := map[string]string{}
	for _, m := range cp.ExtraMounts {
		mounts[m.ContainerPath] = m.HostPath
	}
	policy := mounts["/etc/kubernetes/interlock/audit-policy.yaml"]
	if policy == "" {
		t.Fatal("the audit policy is not mounted into the control plane")
	}
	got, err := os.ReadFile(filepath.Join(root, policy))
	if err != nil {
		t.Fatalf("the mounted policy %s: %v", policy, err)
	}
	if string(got) != string(auditPolicy(t)) {
		t.Error("kind mounts a different audit policy from the embedded cluster's")
	}
	if mounts["/var/log/kubernetes/interlock"] == "" {
		t.Error("the audit log directory is not on the host")
	}
}
