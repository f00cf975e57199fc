package scenarios_test

import (
	"os"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/scenarios"
)

func TestUseSafetyCaseFile(t *testing.T) {
	// doc is inlineCase as a SafetyCase document: its lines indented by 6
	// become indented by 2 under spec.
	doc := func(class string) string {
		body := strings.TrimPrefix(inlineCase(class), "    safetyCaseSpec:\n")
		body = strings.ReplaceAll("\n"+body, "\n      ", "\n  ")
		return "apiVersion: interlock.dev/v1alpha1\nkind: SafetyCase\nmetadata:\n  name: mine\nspec:" + body
	}
	tests := map[string]struct {
		data    string
		wantErr string
	}{
		"replaces the safety case": {data: doc("restart")},
		"rung above the new posture": {
			data:    doc("destructive"),
			wantErr: `storm.yaml: spec.automations[0].rung: Invalid value: "unsupervised": rung "unsupervised" exceeds the posture of class "destructive" (highest allowed: "supervised")`,
		},
		"incomplete": {
			data:    strings.Replace(doc("restart"), "  owner: team-platform-sre\n", "", 1),
			wantErr: "mine.yaml: spec.owner: Required value: owner is missing: name the accountable person or team",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			path := t.TempDir() + "/mine.yaml"
			if err := os.WriteFile(path, []byte(tc.data), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := scenarios.Load("storm")
			if err != nil {
				t.Fatal(err)
			}
			err = s.UseSafetyCaseFile(path)
			spec, scErr := s.SafetyCaseOf(s.Spec.Automations[0])
			if scErr != nil {
				t.Fatal(scErr)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("UseSafetyCaseFile: %v", err)
				}
				if spec.Action.Description != "delete the secret so that it is issued again" {
					t.Errorf("safety case not replaced: %+v", spec.Action)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), strings.ReplaceAll(tc.wantErr, "mine.yaml", path)) {
				t.Fatalf("UseSafetyCaseFile = %v, want an error containing %q", err, tc.wantErr)
			}
			if s.Spec.Automations[0].SafetyCase != "unhealthy-workload" {
				t.Errorf("a failed UseSafetyCaseFile changed the scenario: %+v", s.Spec.Automations[0])
			}
		})
	}
}
