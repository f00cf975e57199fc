package validation_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
)

func TestLint(t *testing.T) {
	tests := map[string]struct {
		files     []string
		want      []string
		wantFatal bool
	}{
		"clean": {
			files: []string{"valid.yaml"},
		},
		"incomplete safety case": {
			files: []string{"incomplete.yaml"},
			want: []string{
				"testdata/incomplete.yaml: spec.owner: owner is missing: name the accountable person or team",
				"testdata/incomplete.yaml: spec.trigger.falseNegativeModes: no known false-negative modes: list the ways a real failure escapes the trigger",
				"testdata/incomplete.yaml: spec.reversal.timeToReverse: time to reverse is missing: state how long undoing the action takes",
				"testdata/incomplete.yaml: spec.budget.perTarget: per-target budget of 3 exceeds the overall budget of 2",
				"testdata/incomplete.yaml: spec.budget.pageWithin: page deadline is missing: state how soon after the budget runs out a human must be paged",
				"testdata/incomplete.yaml: spec.telemetry: no telemetry: name the signals that would show the remediator itself going wrong",
			},
		},
		"unknown fields and what they leave missing": {
			files: []string{"unknown-field.yaml"},
			want: []string{
				"testdata/unknown-field.yaml: spec.budget.maxActionz: unknown field",
				"testdata/unknown-field.yaml: spec.ownr: unknown field",
				"testdata/unknown-field.yaml: spec.owner: owner is missing: name the accountable person or team",
				"testdata/unknown-field.yaml: spec.budget.maxActions: action budget is missing: state the most actions allowed in the window",
			},
		},
		"multi-document file names the documents": {
			files: []string{"multi-bad.yaml"},
			want: []string{
				"testdata/multi-bad.yaml (document 2): spec.owner: owner is missing: name the accountable person or team",
				`testdata/multi-bad.yaml (document 3): apiVersion: unknown apiVersion "v1": must be interlock.dev/v1alpha1`,
				`testdata/multi-bad.yaml (document 3): kind: unknown kind "ConfigMap": must be SafetyCase or Automation`,
				`testdata/multi-bad.yaml (document 4): spec.safetyCaseRef.name: failed to find safety case "elsewhere": no SafetyCase named "elsewhere" among the files linted`,
			},
		},
		"duplicated safety case": {
			files: []string{"duplicated.yaml"},
			want: []string{
				"testdata/duplicated.yaml: spec.safetyCaseRef: safety case must not be duplicated: set spec.safetyCase or spec.safetyCaseRef, not both",
			},
		},
		"a path given twice is linted once": {
			files: []string{"valid.yaml", "valid.yaml"},
		},
		"fatal and non-fatal together, in file order": {
			files: []string{"invalid-yaml.yaml", "wrong-type.yaml", "no-such-file.yaml"},
			want: []string{
				"testdata/invalid-yaml.yaml: invalid YAML: yaml: line 4: did not find expected key",
				"testdata/wrong-type.yaml: spec.budget.maxActions: wrong type: got a string, want a whole number",
				"testdata/no-such-file.yaml: failed to read file: no such file or directory",
			},
			wantFatal: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var paths []string
			for _, f := range tc.files {
				paths = append(paths, testdata(f))
			}
			findings := validation.Lint(paths...)
			var got []string
			for _, f := range findings {
				got = append(got, f.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if fatal := validation.Fatal(findings); fatal != tc.wantFatal {
				t.Errorf("Fatal = %t, want %t", fatal, tc.wantFatal)
			}
		})
	}
}

// TestLintFiles checks that linting in memory resolves references across
// files and reports the same as linting on disk.
func TestLintFiles(t *testing.T) {
	valid, err := os.ReadFile(testdata("valid.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ref := []byte(`apiVersion: interlock.dev/v1alpha1
kind: Automation
metadata:
  name: restart-crashloop-again
  namespace: shop
spec:
  type: unhealthy-workload
  rung: unsupervised
  safetyCaseRef:
    name: restart-crashloop
`)
	otherNamespace := []byte(strings.Replace(string(ref), "namespace: shop", "namespace: other", 1))
	tests := map[string]struct {
		files map[string][]byte
		want  []string
	}{
		"reference into another file": {
			files: map[string][]byte{"a.yaml": ref, "b.yaml": valid},
		},
		"the same SafetyCase in two files": {
			files: map[string][]byte{"a.yaml": valid, "b.yaml": valid},
			want: []string{
				`b.yaml (document 1): metadata.name: another SafetyCase named "restart-crashloop" is in a.yaml (document 1)`,
			},
		},
		"reference into another namespace is not resolved": {
			files: map[string][]byte{"a.yaml": otherNamespace, "b.yaml": valid},
			want: []string{
				`a.yaml: spec.safetyCaseRef.name: failed to find safety case "restart-crashloop": no SafetyCase named "restart-crashloop" in namespace "other" among the files linted`,
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, f := range validation.LintFiles(tc.files) {
				got = append(got, f.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
