package scorecard_test

import (
	"go/build"
	"strings"
	"testing"
)

// self is the model's import path.
const self = "github.com/interlock-dev/interlock/harness/scorecard"

// TestImportsStandardLibraryOnly checks what doc.go says: the model, its
// tests too, imports nothing but the standard library (and, in its external
// tests, itself).
func TestImportsStandardLibraryOnly(t *testing.T) {
	p, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range append(append(p.Imports, p.TestImports...), p.XTestImports...) {
		if !standard(imp) && imp != self {
			t.Errorf("harness/scorecard imports %s: the model imports the standard library only", imp)
		}
	}
}

// standard reports whether path is in the standard library: its first
// element, unlike a module's, holds no dot.
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
