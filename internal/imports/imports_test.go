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
	// codeOnly holds the rule to the packages' code and what it depends
	// on, not their tests: a test may, say, start an embedded cluster.
	codeOnly bool
	why      string
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
	{
		from:      []string{"internal/kube/..."},
		forbidden: []string{"..."},
		codeOnly:  true,
		why:       "the shared readings of Kubernetes objects are leaves: they depend on nothing of interlock",
	},
	{
		from:      []string{"remediator/..."},
		forbidden: []string{"harness/...", "scenarios/...", "catalog/...", "experiments/...", "internal/cli/...", "internal/kube/..."},
		codeOnly:  true,
		why:       "the remediator is graded as one written anywhere: it speaks api/, contract/ and safetycases/ only (its suite tests run on harness/cluster's embedded cluster)",
	},
	{
		from:      []string{"experiments"},
		forbidden: []string{"experiments/builtin", "experiments/chaosmesh", "harness/...", "scenarios/..."},
		why:       "the injectors register into experiments, and the harness and scenarios read its table of fault kinds: it depends on none of them",
	},
	{
		from:      []string{"experiments/..."},
		forbidden: []string{"harness/...", "scenarios/..."},
		codeOnly:  true,
		why:       "scenarios and the harness use the injectors, not the other way round",
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
// With codeOnly, the packages' tests are left out.
func violations(t *testing.T, from, forbidden []string, codeOnly bool) []string {
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
		imports := p.Deps
		if !codeOnly {
			imports = append(append(imports, p.TestImports...), p.XTestImports...)
		}
		for _, imp := range imports {
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
		for _, v := range violations(t, r.from, r.forbidden, r.codeOnly) {
			t.Errorf("%s: %s", v, r.why)
		}
	}
}

// The check sees an import that is there: the CLI runs the remediator.
func TestViolationsSeesAnImport(t *testing.T) {
	if v := violations(t, []string{"internal/cli"}, []string{"remediator/..."}, true); len(v) == 0 {
		t.Error("internal/cli imports the remediator, yet no violation was found")
	}
}

// codeOnly leaves the tests out: chaosmesh's tests read the shipped
// scenarios, its code does not.
func TestCodeOnlyLeavesTestsOut(t *testing.T) {
	from, forbidden := []string{"experiments/chaosmesh"}, []string{"scenarios/..."}
	if v := violations(t, from, forbidden, false); len(v) == 0 {
		t.Error("experiments/chaosmesh's tests import scenarios/, yet no violation was found")
	}
	if v := violations(t, from, forbidden, true); len(v) != 0 {
		t.Errorf("with codeOnly, the tests' imports were counted: %v", v)
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
