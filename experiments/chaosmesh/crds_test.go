package chaosmesh_test

import (
	"testing"

	"github.com/interlock-dev/interlock/experiments/chaosmesh"
)

// Every kind the injector renders has its CRD embedded: a kind added to
// the table of fault kinds needs its CRD generated too.
func TestCRDsCoverKinds(t *testing.T) {
	all, err := chaosmesh.CRDs()
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]bool{}
	for _, crd := range all {
		served[crd.Spec.Names.Kind] = true
	}
	for _, kind := range chaosmesh.Kinds {
		if !served[kind] {
			t.Errorf("no CRD embedded for %s: add it to KINDS in hack/generate-chaosmesh-crds.sh and run make generate", kind)
		}
	}
}
