package catalog_test

import (
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/catalog"
)

// sampleFile is the file validEntry validates as.
const sampleFile = "patterns/sample.yaml"

// validEntry is a minimal entry that validates as patterns/sample.yaml.
const validEntry = `apiVersion: interlock.dev/v1alpha1
kind: FailurePattern
metadata:
  name: sample
spec:
  title: Sample
  description: A pattern used in tests.
  arises:
    trigger: Something breaks.
    sustainingEffect: Something keeps it broken.
  defenses:
    - path: budget.maxActions
      why: Caps the actions.
  incidents:
    - year: 2020
      organization: Example
      summary: Something happened.
      source: https://example.com/postmortem
  scenarios:
    - storm
`

// edit returns validEntry with old replaced by new, failing the test if old is absent.
func edit(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(validEntry, old) {
		t.Fatalf("validEntry has no %q", old)
	}
	return strings.Replace(validEntry, old, new, 1)
}

func TestParseValid(t *testing.T) {
	p, err := catalog.Parse("patterns/sample.yaml", []byte(validEntry))
	if err != nil {
		t.Fatalf("Parse failed: %v", err)
	}
	if p.Name() != "sample" || p.Spec.Incidents[0].Year != 2020 || p.Spec.Defenses[0].Path != "budget.maxActions" {
		t.Errorf("Parse decoded %+v", p)
	}
}

func TestParseErrors(t *testing.T) {
	for name, tc := range parseErrorCases {
		t.Run(name, func(t *testing.T) {
			f := tc.file
			if f == "" {
				f = sampleFile
			}
			data := validEntry
			if tc.old != "" {
				data = edit(t, tc.old, tc.new)
			}
			_, err := catalog.Parse(f, []byte(data))
			if err == nil {
				t.Fatalf("Parse succeeded, want errors %q", tc.want)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(lines), len(tc.want), err)
			}
			for _, w := range tc.want {
				w = f + ": " + w
				found := false
				for _, l := range lines {
					if strings.HasPrefix(l, w) {
						found = true
					}
				}
				if !found {
					t.Errorf("no problem starting %q in:\n%v", w, err)
				}
			}
		})
	}
}

func TestValidateWithoutFile(t *testing.T) {
	p, err := catalog.Parse("patterns/sample.yaml", []byte(validEntry))
	if err != nil {
		t.Fatal(err)
	}
	p.Spec.Incidents[0].Source = "ftp://example.com"
	err = catalog.Validate(&p, "")
	if err == nil || err.Error() != `spec.incidents[0].source: must be an https URL, got "ftp://example.com"` {
		t.Errorf("Validate(p, \"\") = %v", err)
	}
}
