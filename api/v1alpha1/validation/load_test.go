package validation_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
)

func testdata(name string) string { return filepath.Join("testdata", name) }

// loadFileCases are files in testdata, what LoadFile returns of them, and
// the findings joined in its error.
var loadFileCases = map[string]struct {
	file      string
	wantDocs  []string
	wantErrs  []string // each joined *Finding, formatted
	wantFatal bool
}{
	"several documents": {
		file:     "valid.yaml",
		wantDocs: []string{"SafetyCase/restart-crashloop", "Automation/restart-crashloop", "Automation/roll-back-bad-deploys"},
	},
	"unknown fields are named and the document is still returned": {
		file:     "unknown-field.yaml",
		wantDocs: []string{"SafetyCase/typos"},
		wantErrs: []string{
			"testdata/unknown-field.yaml: spec.budget.maxActionz: unknown field",
			"testdata/unknown-field.yaml: spec.ownr: unknown field",
		},
	},
	"wrong type": {
		file:     "wrong-type.yaml",
		wantErrs: []string{"testdata/wrong-type.yaml: spec.budget.maxActions: wrong type: got a string, want a whole number"},
	},
	"not an interlock kind": {
		file: "wrong-kind.yaml",
		wantErrs: []string{
			`testdata/wrong-kind.yaml: apiVersion: unknown apiVersion "apps/v1": must be interlock.dev/v1alpha1`,
			`testdata/wrong-kind.yaml: kind: unknown kind "Deployment": must be SafetyCase or Automation`,
		},
	},
	"document index in a multi-document file": {
		file:     "multi-bad.yaml",
		wantDocs: []string{"Automation/alert-only", "SafetyCase/ownerless", "Automation/dangling"},
		wantErrs: []string{
			`testdata/multi-bad.yaml (document 3): apiVersion: unknown apiVersion "v1": must be interlock.dev/v1alpha1`,
			`testdata/multi-bad.yaml (document 3): kind: unknown kind "ConfigMap": must be SafetyCase or Automation`,
		},
	},
	"invalid YAML": {
		file:      "invalid-yaml.yaml",
		wantErrs:  []string{"testdata/invalid-yaml.yaml: invalid YAML: yaml: line 4: did not find expected key"},
		wantFatal: true,
	},
	"no documents": {
		file:      "empty.yaml",
		wantErrs:  []string{"testdata/empty.yaml: no document: want SafetyCase or Automation documents of apiVersion interlock.dev/v1alpha1"},
		wantFatal: true,
	},
	"missing file": {
		file:      "no-such-file.yaml",
		wantErrs:  []string{"testdata/no-such-file.yaml: failed to read file: no such file or directory"},
		wantFatal: true,
	},
}

func TestLoadFile(t *testing.T) {
	for name, tc := range loadFileCases {
		t.Run(name, func(t *testing.T) {
			docs, err := validation.LoadFile(testdata(tc.file))
			var gotDocs []string
			for i, d := range docs {
				gotDocs = append(gotDocs, d.Name())
				if d.File != testdata(tc.file) {
					t.Errorf("document %d: File = %q, want %q", i, d.File, testdata(tc.file))
				}
			}
			if !slices.Equal(gotDocs, tc.wantDocs) {
				t.Errorf("documents = %v, want %v", gotDocs, tc.wantDocs)
			}
			var gotErrs []string
			fatal := false
			if err != nil {
				for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
					var f *validation.Finding
					if !errors.As(e, &f) {
						t.Fatalf("error %v is not a *Finding", e)
					}
					fatal = fatal || f.Fatal
					gotErrs = append(gotErrs, f.String())
				}
			}
			if !slices.Equal(gotErrs, tc.wantErrs) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(gotErrs, "\n"), strings.Join(tc.wantErrs, "\n"))
			}
			if fatal != tc.wantFatal {
				t.Errorf("fatal = %t, want %t", fatal, tc.wantFatal)
			}
		})
	}
}

func TestLoadFileDocumentIndex(t *testing.T) {
	docs, err := validation.LoadFile(testdata("multi-bad.yaml"))
	if err == nil {
		t.Fatal("LoadFile succeeded, want an error for document 3")
	}
	var got []int
	for _, d := range docs {
		got = append(got, d.Index)
	}
	if want := []int{1, 2, 4}; !slices.Equal(got, want) {
		t.Errorf("indexes = %v, want %v", got, want)
	}
}

func TestDecode(t *testing.T) {
	tests := map[string]struct {
		data    string
		wantErr string
	}{
		"comment before the first separator": {
			data: "# header\n---\napiVersion: interlock.dev/v1alpha1\nkind: SafetyCase\nmetadata:\n  name: a\n",
		},
		"duplicated key is invalid YAML": {
			data:    "apiVersion: interlock.dev/v1alpha1\nkind: SafetyCase\nkind: SafetyCase\n",
			wantErr: `mem.yaml: invalid YAML: yaml: unmarshal errors:`,
		},
		"field names are case-sensitive": {
			data:    "apiVersion: interlock.dev/v1alpha1\nkind: SafetyCase\nmetadata:\n  name: a\nspec:\n  Owner: x\n",
			wantErr: "mem.yaml: spec.Owner: unknown field",
		},
		"missing kind": {
			data:    "apiVersion: interlock.dev/v1alpha1\n",
			wantErr: "mem.yaml: kind: kind is missing: must be SafetyCase or Automation",
		},
		"bad duration": {
			data:    "apiVersion: interlock.dev/v1alpha1\nkind: SafetyCase\nspec:\n  trigger:\n    for: two minutes\n",
			wantErr: `mem.yaml: spec.trigger.for: time: invalid duration "two minutes"`,
		},
		"not a mapping": {
			data:    "- a\n- b\n",
			wantErr: "mem.yaml: not a mapping: want SafetyCase or Automation documents of apiVersion interlock.dev/v1alpha1",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := validation.Decode("mem.yaml", []byte(tc.data))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Decode failed: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Errorf("Decode succeeded, want an error starting %q", tc.wantErr)
			case tc.wantErr != "" && !strings.HasPrefix(err.Error(), tc.wantErr):
				t.Errorf("error = %q, want it to start %q", err, tc.wantErr)
			}
		})
	}
}
