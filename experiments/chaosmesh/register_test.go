package chaosmesh_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/chaosmesh"
)

// The registry holds the chaosmesh injector under its name, and validates
// a fault as the injector does, with no cluster and no instance.
func TestRegistered(t *testing.T) {
	inj, ok := experiments.Lookup(chaosmesh.Name)
	if !ok {
		t.Fatalf("%s is not registered", chaosmesh.Name)
	}
	if inj.Name() != chaosmesh.Name {
		t.Errorf("Name() = %q, want %q", inj.Name(), chaosmesh.Name)
	}
	faults := validFaults()
	faults["node fault"] = fault("lose-node", experiments.Fault{Object: &experiments.NodeChaos{}})
	for name, f := range faults {
		t.Run(name, func(t *testing.T) {
			p := field.NewPath("spec", "faults").Index(0)
			if diff := cmp.Diff(errorList((*chaosmesh.Injector)(nil).Validate(f, p)), errorList(inj.Validate(f, p))); diff != "" {
				t.Errorf("the registry's Validate differs from the injector's (-injector +registry):\n%s", diff)
			}
		})
	}
	if _, err := inj.Inject(t.Context(), faults["node fault"]); !errors.Is(err, experiments.ErrNotConnected) {
		t.Errorf("Inject = %v, want ErrNotConnected", err)
	}
}
