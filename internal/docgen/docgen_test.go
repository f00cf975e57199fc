package docgen_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/interlock-dev/interlock/internal/docgen"
)

// The committed reference pages are what the types generate: a field added
// to a type without `make generate` fails here.
func TestDocsUpToDate(t *testing.T) {
	for _, d := range docgen.Docs {
		t.Run(d.File, func(t *testing.T) {
			p := d.Page
			p.Dir = filepath.Join("..", "..", p.Dir)
			got, err := docgen.Reference(p)
			if err != nil {
				t.Fatal(err)
			}
			got = strings.ReplaceAll(got, filepath.ToSlash(p.Dir), d.Page.Dir)
			want, err := os.ReadFile(filepath.Join("..", "..", d.File))
			if err != nil {
				t.Fatalf("%v (run make generate)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s is not what the types generate (-committed +generated; run make generate):\n%s", d.File, diff)
			}
		})
	}
}

// Every field of the scenario format, nested ones included, is on the page.
func TestReferenceListsNestedFields(t *testing.T) {
	got, err := docgen.Reference(docgen.Page{Title: "t", Dir: filepath.Join("..", "..", "scenarios"), Root: "Scenario"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Scenario", "## Spec", "## Fixture", "## Workload", "## Expectations",
		"| `restraint` |", "| `minProposals` |", "| `podChaos` |", "| `tlsSecret` |", "| `lag` |"} {
		if !strings.Contains(got, want) {
			t.Errorf("the reference lacks %q", want)
		}
	}
	if strings.Contains(got, "+optional") {
		t.Error("the reference shows a +optional marker")
	}
}

func TestReferenceErrors(t *testing.T) {
	if _, err := docgen.Reference(docgen.Page{Dir: filepath.Join("..", "..", "scenarios"), Root: "NoSuchType"}); err == nil {
		t.Error("an unknown root type did not fail")
	}
}
