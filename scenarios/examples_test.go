package scenarios_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/interlock-dev/interlock/scenarios"
)

// examples/descheduler grades the descheduler on the storm scenario with its
// own safety case and rules: both must apply to storm as they are.
func TestDeschedulerExampleSafetyCase(t *testing.T) {
	s, err := scenarios.Load("storm")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UseSafetyCaseFile(filepath.Join("..", "examples", "descheduler", "safety-case.yaml")); err != nil {
		t.Fatal(err)
	}
	spec, err := s.SafetyCaseOf(s.Spec.Automations[0])
	if err != nil {
		t.Fatal(err)
	}
	if spec.Owner != "example-owner" || spec.Budget.MaxActions != 5 || spec.Budget.Window.Duration.String() != "10m0s" || spec.BlastRadius.MaxInFlight != 2 {
		t.Errorf("safety case figures: owner %q, budget %d in %s, %d in flight; want example-owner, 5 in 10m, 2",
			spec.Owner, spec.Budget.MaxActions, spec.Budget.Window.Duration, spec.BlastRadius.MaxInFlight)
	}
}

// The example's rules are valid and give the descheduler what it needs.
func TestDeschedulerExampleRBAC(t *testing.T) {
	path := filepath.Join("..", "examples", "descheduler", "rbac.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := scenarios.ParseRBAC(path, data)
	if err != nil {
		t.Fatal(err)
	}
	allows := func(group, resource, verb string) bool {
		for _, r := range rules {
			if len(r.ResourceNames) == 0 && has(r.APIGroups, group) && has(r.Resources, resource) && has(r.Verbs, verb) {
				return true
			}
		}
		return false
	}
	for _, need := range []struct{ group, resource, verb string }{
		{"", "pods", "list"}, {"", "pods", "watch"},
		{"", "nodes", "list"}, {"", "nodes", "watch"},
		{"", "namespaces", "list"}, {"", "namespaces", "watch"},
		{"scheduling.k8s.io", "priorityclasses", "get"},
		{"scheduling.k8s.io", "priorityclasses", "list"},
		{"", "pods/eviction", "create"},
		{"events.k8s.io", "events", "create"},
		{"", "events", "create"},
		{"policy", "poddisruptionbudgets", "list"},
		{"", "persistentvolumeclaims", "list"},
	} {
		if !allows(need.group, need.resource, need.verb) {
			t.Errorf("%s does not allow %s %s in group %q", path, need.verb, need.resource, need.group)
		}
	}
	// It evicts; it never deletes a pod directly.
	if allows("", "pods", "delete") {
		t.Errorf("%s allows deleting pods: the descheduler evicts them", path)
	}
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s || x == "*" {
			return true
		}
	}
	return false
}
