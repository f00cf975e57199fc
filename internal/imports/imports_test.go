package imports_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/interlock-dev/interlock/"

// rules say which packages may not import which, the way Kubernetes'
// import-boss does: the grader never imports the graded, and the API both
// sides speak imports neither.
var rules = []struct {
	// from are the packages the rule is about: a path, or a path ending in
	// "/..." for a tree.
	from []string
	// forbidden are the imports they may not have, directly or through
	// another package, in their code or their tests.
	forbidden []string
	why       string
}{
	{
		from:      []string{"harness/...", "scenarios/...", "catalog/...", "experiments/..."},
		forbidden: []string{"remediator/..."},
		why:       "the harness grades remediators written anywhere; it speaks to them through api/ and contract/ only",
	},
	{
		from:      []string{"api/...", "contract/...", "safetycases/..."},
		forbidden: []string{"remediator/...", "harness/...", "scenarios/...", "internal/cli/..."},
		why:       "the API both sides speak depends on neither side",
	},
	{
		from:      []string{"internal/manifest/..."},
		forbidden: []string{"api/...", "contract/...", "safetycases/...", "catalog/...", "scenarios/...", "experiments/...", "harness/...", "remediator/...", "internal/cli/..."},
		why:       "every format's decoder, the API's too, is built on it: it depends on none of them",
	},
}

type pkg struct {
	ImportPath   string
	Deps         []string
	TestImports  []string
	XTestImports []string
}

func matches(path, pattern string) bool {
	p := module + pattern
	if tree, ok := strings.CutSuffix(p, "/..."); ok {
		return path == tree || strings.HasPrefix(path, tree+"/")
	}
	return path == p
}

// violations lists the imports of the packages from that forbidden names.
func violations(t *testing.T, from, forbidden []string) []string {
	t.Helper()
	args := []string{"list", "-json=ImportPath,Deps,TestImports,XTestImports"}
	for _, f := range from {
		args = append(args, "../../"+f)
	}
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	var found []string
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		for _, imp := range append(append(p.Deps, p.TestImports...), p.XTestImports...) {
			for _, f := range forbidden {
				if matches(imp, f) {
					found = append(found, p.ImportPath+" imports "+imp)
				}
			}
		}
	}
	return found
}

// TestImportRules: go list shows no package breaking a rule, through its
// own code, any package it depends on, or its tests.
func TestImportRules(t *testing.T) {
	for _, r := range rules {
		for _, v := range violations(t, r.from, r.forbidden) {
			t.Errorf("%s: %s", v, r.why)
		}
	}
}

// The check sees an import that is there: the CLI runs the remediator.
func TestViolationsSeesAnImport(t *testing.T) {
	if v := violations(t, []string{"internal/cli"}, []string{"remediator/..."}); len(v) == 0 {
		t.Error("internal/cli imports the remediator, yet no violation was found")
	}
}

// The rules are tested against themselves: a pattern matches its tree and
// not a sibling that shares its prefix.
func TestMatches(t *testing.T) {
	tests := map[string]struct {
		path, pattern string
		want          bool
	}{
		"the root of a tree": {module + "remediator", "remediator/...", true},
		"inside a tree":      {module + "remediator/policy", "remediator/...", true},
		"a sibling":          {module + "remediatorx", "remediator/...", false},
		"an exact path":      {module + "internal/cli", "internal/cli", true},
		"another module":     {"example.com/remediator", "remediator/...", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := matches(tc.path, tc.pattern); got != tc.want {
				t.Errorf("matches(%q, %q) = %v, want %v", tc.path, tc.pattern, got, tc.want)
			}
		})
	}
}
