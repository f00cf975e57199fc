package docgen_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/internal/docgen"
)

// A page's notes join their fields' descriptions; a note for no field, or
// a field without one where every field needs one, fails the page.
func TestReferenceNotes(t *testing.T) {
	dir := filepath.Join("..", "..", "api", "v1alpha1")
	tests := map[string]struct {
		page    docgen.Page
		want    string
		wantErr string
	}{
		"a note joins its field's description": {
			page: docgen.Page{Title: "t", Dir: dir, Root: "Budget", Notes: map[string]string{"Budget.window": "Graded: by the test."}},
			want: "| `window` | `metav1.Duration` | optional | Window is the sliding window. Graded: by the test. |",
		},
		"a note for no field": {
			page:    docgen.Page{Title: "t", Dir: dir, Root: "Budget", Notes: map[string]string{"Budget.windoe": "x"}},
			wantErr: "notes for no field: Budget.windoe",
		},
		"a field without a note": {
			page:    docgen.Page{Title: "t", Dir: dir, Root: "Budget", NoteEveryField: true, Notes: map[string]string{"Budget.window": "x"}},
			wantErr: "no note for Budget.maxActions, Budget.perTarget, Budget.pageWithin",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := docgen.Reference(tc.page)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("the reference lacks %q:\n%s", tc.want, got)
			}
		})
	}
}

// Every field of the safety-case reference says how it is checked or
// graded, and the page says which assertion reads which field.
func TestSafetyCaseReferenceExplainsGrading(t *testing.T) {
	var page docgen.Page
	for _, d := range docgen.Docs {
		if d.File == "docs/safety-cases.md" {
			page = d.Page
		}
	}
	page.Dir = filepath.Join("..", "..", page.Dir)
	got, err := docgen.Reference(page)
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| `[a-zA-Z]+` \\|.*$").FindAllString(got, -1)
	if len(rows) < 25 {
		t.Fatalf("only %d field rows:\n%s", len(rows), got)
	}
	for _, r := range rows {
		if !strings.Contains(r, "Lint:") && !strings.Contains(r, "Graded:") && !strings.Contains(r, "Not graded") {
			t.Errorf("row does not say how the field is checked or graded: %s", r)
		}
	}
	for _, a := range []string{assert.BudgetHeld, assert.BudgetHeldPerTarget, assert.HaltedAndPaged, assert.BlastRadiusHeld, assert.ReversalMeasured, assert.PostureHeld, assert.TelemetryTruthful} {
		if !strings.Contains(got, "| `"+a+"` |") {
			t.Errorf("the grading table has no row for %s", a)
		}
	}
}
