package scenarios_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/scenarios"
)

// storm is the shipped storm scenario, the base the cases below edit.
var storm = string(scenarios.Files()["storm.yaml"])

// edit returns storm with each old string replaced by the new one that
// follows it; it fails the test if an old string is not in the file.
func edit(t *testing.T, pairs ...string) string {
	t.Helper()
	s := storm
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("storm.yaml does not contain %q", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

// inlineCase is a complete inline safety case of the given action class.
func inlineCase(class string) string {
	return `    safetyCaseSpec:
      owner: team-platform-sre
      trigger:
        condition: the certificate expires within a week
        for: 1m
        falsePositiveModes: [a clock skewed forward]
        falseNegativeModes: [a certificate not mounted from a secret]
      action:
        description: delete the secret so that it is issued again
        class: ` + class + `
        worstCaseBlastRadius: every pod mounting the secret
      reversal:
        procedure: restore the secret from backup
        timeToReverse: 10m
      budget:
        maxActions: 1
        window: 1h
        pageWithin: 2m
      blastRadius:
        maxInFlight: 1
        maxUnavailablePercent: 10
      telemetry:
      - metric: interlock_remediator_actions_total
        meaning: secrets deleted
`
}

func TestParseErrors(t *testing.T) {
	for name, tc := range parseErrorCases {
		t.Run(name, func(t *testing.T) {
			file := tc.file
			if file == "" {
				file = "storm.yaml"
			}
			s, err := scenarios.Parse(file, []byte(tc.data(t)))
			if err == nil {
				t.Fatalf("Parse succeeded, want errors:\n%s", strings.Join(tc.want, "\n"))
			}
			if s != nil {
				t.Errorf("Parse returned a scenario with its error")
			}
			var se *scenarios.Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *scenarios.Error", err)
			}
			if diff := cmp.Diff(tc.want, se.Lines()); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			var fe *field.Error
			if !errors.As(err, &fe) {
				t.Errorf("errors.As(err, *field.Error) = false")
			}
		})
	}
}

// TestValidateReportsEverything checks that one file's problems are all
// reported together.
func TestValidateReportsEverything(t *testing.T) {
	data := edit(t, "duration: 100s", "duration: -1s", "nodes: 3", "nodes: 0", "at: 5s", "at: -5s", "rung: unsupervised", "rung: autonomous")
	_, err := scenarios.Parse("storm.yaml", []byte(data))
	var se *scenarios.Error
	if !errors.As(err, &se) {
		t.Fatalf("Parse = %v, want a *scenarios.Error", err)
	}
	want := []string{
		`storm.yaml: spec.duration: Invalid value: "-1s": must be a positive duration`,
		"storm.yaml: spec.fixture.nodes: Required value: say how many nodes the cluster has, from 1 to 2000",
		`storm.yaml: spec.faults[0].at: Invalid value: "-5s": must not be negative`,
		`storm.yaml: spec.automations[0].rung: Unsupported value: "autonomous": supported values: "alert", "runbook", "supervised", "unsupervised"`,
	}
	if diff := cmp.Diff(want, se.Lines()); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestValidateNil(t *testing.T) {
	if err := scenarios.Validate(nil); err == nil {
		t.Error("Validate(nil) = nil, want an error")
	}
}

// TestValidateHead checks that a scenario built or changed in Go is held
// to its apiVersion and kind in the decoder's words.
func TestValidateHead(t *testing.T) {
	s, err := scenarios.Load("storm")
	if err != nil {
		t.Fatal(err)
	}
	s.APIVersion, s.Kind = "", "SafetyCase"
	err = scenarios.Validate(s)
	var se *scenarios.Error
	if !errors.As(err, &se) {
		t.Fatalf("Validate = %v, want a *scenarios.Error", err)
	}
	want := []string{
		"storm.yaml: apiVersion: Required value: apiVersion is missing: must be interlock.dev/v1alpha1",
		`storm.yaml: kind: Unsupported value: unknown kind "SafetyCase": must be Scenario`,
	}
	if diff := cmp.Diff(want, se.Lines()); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}
