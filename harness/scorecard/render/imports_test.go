package render_test

import (
	"go/build"
	"strings"
	"testing"
)

// model and self are the import paths of the model and of render.
const (
	model = "github.com/interlock-dev/interlock/harness/scorecard"
	self  = model + "/render"
)

// TestImportsOnlyTheModel checks what doc.go says: render, its tests too,
// imports nothing but the standard library and the model (and, in its
// external tests, itself).
func TestImportsOnlyTheModel(t *testing.T) {
	p, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range append(append(p.Imports, p.TestImports...), p.XTestImports...) {
		if !standard(imp) && imp != model && imp != self {
			t.Errorf("harness/scorecard/render imports %s: render imports the standard library and %s only", imp, model)
		}
	}
}

// standard reports whether path is in the standard library: its first
// element, unlike a module's, holds no dot.
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
