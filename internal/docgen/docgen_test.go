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

// The README's layout names only directories that exist, and every
// directory at the top of the tree.
func TestReadmeLayoutMatchesTheTree(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## Layout")
	if !ok {
		t.Fatal("README has no Layout section")
	}
	_, block, _ := strings.Cut(after, "```\n")
	block, _, _ = strings.Cut(block, "```")
	named := map[string]bool{}
	for _, line := range strings.Split(block, "\n") {
		if line == "" || strings.HasPrefix(line, " ") {
			continue
		}
		field := strings.Fields(line)[0]
		// "harness/suite, history, promote" names harness/suite.
		for _, p := range strings.Split(strings.TrimSuffix(field, ","), ",") {
			p = strings.TrimSuffix(p, "/")
			if p == "" {
				continue
			}
			named[p] = true
			if _, err := os.Stat(filepath.Join("..", "..", p)); err != nil {
				t.Errorf("the layout names %s, which is not in the tree", p)
			}
		}
	}
	entries, err := os.ReadDir(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || strings.HasPrefix(name, ".") && name != ".github" || name == "bin" || name == "_output" {
			continue
		}
		found := false
		for p := range named {
			found = found || p == name || strings.HasPrefix(p, name+"/") || strings.HasPrefix(name+"/", p+"/")
		}
		if !found {
			t.Errorf("%s/ is in the tree but not in the README's layout", name)
		}
	}
}
