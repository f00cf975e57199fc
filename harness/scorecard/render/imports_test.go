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

// testOnly are what render's tests may import besides: the driver of the
// real browser the HTML is read in.
var testOnly = []string{"github.com/chromedp/chromedp", "github.com/chromedp/cdproto/"}

// TestImportsOnlyTheModel checks what doc.go says: render imports nothing
// but the standard library and the model, and its tests only that,
// render itself and the browser driver.
func TestImportsOnlyTheModel(t *testing.T) {
	p, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range p.Imports {
		if !standard(imp) && imp != model {
			t.Errorf("harness/scorecard/render imports %s: render imports the standard library and %s only", imp, model)
		}
	}
	for _, imp := range append(p.TestImports, p.XTestImports...) {
		if !standard(imp) && imp != model && imp != self && !browserDriver(imp) {
			t.Errorf("harness/scorecard/render's tests import %s: they may import the standard library, %s, render and the browser driver only", imp, model)
		}
	}
}

func browserDriver(path string) bool {
	for _, p := range testOnly {
		if path == p || strings.HasSuffix(p, "/") && strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// standard reports whether path is in the standard library: its first
// element, unlike a module's, holds no dot.
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
