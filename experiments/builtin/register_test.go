package builtin_test

import (
	"errors"
	"testing"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/builtin"
)

// The registry holds the builtin injector under its name, and validates a
// fault as the injector does, with no cluster and no instance.
func TestRegistered(t *testing.T) {
	inj, ok := experiments.Lookup(builtin.Name)
	if !ok {
		t.Fatalf("%s is not registered", builtin.Name)
	}
	if inj.Name() != builtin.Name {
		t.Errorf("Name() = %q, want %q", inj.Name(), builtin.Name)
	}
	faults := map[string]experiments.Fault{
		"valid": {Name: "crash", Object: &chaosv1alpha1.PodChaos{Spec: chaosv1alpha1.PodChaosSpec{
			Action: chaosv1alpha1.PodFailureAction, ContainerSelector: chaosv1alpha1.ContainerSelector{PodSelector: chaosv1alpha1.PodSelector{
				Mode: chaosv1alpha1.AllMode, Selector: chaosv1alpha1.PodSelectorSpec{GenericSelectorSpec: chaosv1alpha1.GenericSelectorSpec{
					Namespaces: []string{"shop"}, LabelSelectors: map[string]string{"app": "web"}}}}}}}},
		"a kind the injector does not apply": {Name: "stress", Object: &chaosv1alpha1.StressChaos{}},
		"no object":                          {Name: "empty"},
	}
	for name, f := range faults {
		t.Run(name, func(t *testing.T) {
			p := field.NewPath("spec", "faults").Index(0)
			want, got := (*builtin.Injector)(nil).Validate(f, p), inj.Validate(f, p)
			if diff := cmp.Diff(want.ToAggregate(), got.ToAggregate()); diff != "" {
				t.Errorf("the registry's Validate differs from the injector's (-injector +registry):\n%s", diff)
			}
		})
	}
	if err := inj.Recover(t.Context(), faults["valid"]); !errors.Is(err, experiments.ErrNotConnected) {
		t.Errorf("Recover = %v, want ErrNotConnected", err)
	}
}
