package config_test

import (
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// The manifests render with kustomize into the CRDs, the least-privilege
// RBAC and the Deployment, with its ServiceAccount bound to the role.
func TestManifestsRender(t *testing.T) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	rm, err := k.Run(filesys.MakeFsOnDisk(), "default")
	if err != nil {
		t.Fatalf("kustomize build config/default: %v", err)
	}
	got := map[string]bool{}
	for _, r := range rm.Resources() {
		got[r.GetKind()+"/"+r.GetName()] = true
	}
	for _, want := range []string{
		"CustomResourceDefinition/automations.interlock.dev",
		"CustomResourceDefinition/remediationproposals.interlock.dev",
		"CustomResourceDefinition/safetycases.interlock.dev",
		"ClusterRole/interlock-remediator",
		"ClusterRoleBinding/interlock-remediator",
		"ServiceAccount/remediator",
		"Deployment/interlock-remediator",
		"Namespace/interlock-system",
	} {
		if !got[want] {
			t.Errorf("config/default lacks %s; has %v", want, got)
		}
	}
	for _, r := range rm.Resources() {
		if r.GetKind() != "Deployment" {
			continue
		}
		y, err := r.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"--leader-elect", "serviceAccountName: remediator", "readOnlyRootFilesystem: true"} {
			if !strings.Contains(string(y), want) {
				t.Errorf("the Deployment lacks %q", want)
			}
		}
	}
}
