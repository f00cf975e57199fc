package config_test

import (
	"os"
	"slices"
	"sort"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/interlock-dev/interlock/config"
)

func TestCRDs(t *testing.T) {
	crds, err := config.CRDs()
	if err != nil {
		t.Fatalf("CRDs() failed: %v", err)
	}
	var names []string
	for _, crd := range crds {
		names = append(names, crd.Name)
	}
	want := []string{
		"automations.interlock.dev",
		"remediationproposals.interlock.dev",
		"safetycases.interlock.dev",
	}
	if !slices.Equal(names, want) {
		t.Errorf("CRDs() = %v, want %v", names, want)
	}
}

// TestKustomization checks that crd/kustomization.yaml lists every CRD.
func TestKustomization(t *testing.T) {
	data, err := os.ReadFile("crd/kustomization.yaml")
	if err != nil {
		t.Fatalf("failed to read kustomization: %v", err)
	}
	var k struct {
		Resources []string `json:"resources"`
	}
	if err := yaml.Unmarshal(data, &k); err != nil {
		t.Fatalf("failed to decode kustomization: %v", err)
	}
	files, err := config.CRDFiles()
	if err != nil {
		t.Fatalf("CRDFiles() failed: %v", err)
	}
	var want []string
	for name := range files {
		want = append(want, "bases/"+name)
	}
	sort.Strings(want)
	got := slices.Clone(k.Resources)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("crd/kustomization.yaml resources = %v, want %v", got, want)
	}
}
