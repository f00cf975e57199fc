package scenarios_test

import (
	"errors"
	"testing"

	"github.com/interlock-dev/interlock/scenarios"
)

// FuzzParse checks that no input makes Parse panic, that every failure is
// a *scenarios.Error, and that a scenario Parse accepts renders.
func FuzzParse(f *testing.F) {
	for _, data := range scenarios.Files() {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenarios.Parse("fuzz.yaml", data)
		if err != nil {
			var se *scenarios.Error
			if !errors.As(err, &se) || len(se.Errs) == 0 {
				t.Fatalf("Parse error %v is not a *scenarios.Error with problems", err)
			}
			return
		}
		if _, err := scenarios.Render(s, scenarios.At(renderTime)); err != nil {
			t.Fatalf("Render of a valid scenario: %v", err)
		}
		s.Faults()
	})
}
