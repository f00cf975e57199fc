package cli

import (
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/scenarios"
)

// TestChaosMeshRefusals: on kind, scenarios with node faults or an
// autoscaler are left out with their reason, and the others run.
func TestChaosMeshRefusals(t *testing.T) {
	tests := map[string]string{
		"storm":                    "",
		"lying-health-check":       "",
		"node-loss":                "spec.faults[0].nodeChaos",
		"autoscaler-feedback-loop": "metrics-server",
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			s, err := scenarios.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			got := chaosMeshRefusals(s)
			if (want == "") != (got == "") || !strings.Contains(got, want) {
				t.Errorf("chaosMeshRefusals(%s) = %q, want %q", name, got, want)
			}
		})
	}
}
