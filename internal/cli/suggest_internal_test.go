package cli

import (
	"slices"
	"testing"
)

func TestEditDistance(t *testing.T) {
	tests := map[string]struct {
		a, b string
		want int
	}{
		"equal":         {"storm", "storm", 0},
		"one dropped":   {"strm", "storm", 1},
		"transposed":    {"strom", "storm", 2},
		"one replaced":  {"stork", "storm", 1},
		"empty":         {"", "abc", 3},
		"both empty":    {"", "", 0},
		"runes":         {"größe", "grösse", 2},
		"nothing alike": {"abc", "xyz", 3},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := editDistance(tc.a, tc.b); got != tc.want {
				t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
			}
			if got := editDistance(tc.b, tc.a); got != tc.want {
				t.Errorf("editDistance(%q, %q) = %d, want %d (it is symmetric)", tc.b, tc.a, got, tc.want)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"node-loss", "node-flap", "storm", "lying-health-check"}
	tests := map[string]struct {
		typed string
		want  []string
	}{
		"close":             {"strom", []string{"storm"}},
		"case-insensitive":  {"STORM", []string{"storm"}},
		"a prefix":          {"lying", []string{"lying-health-check"}},
		"two close":         {"node-los", []string{"node-loss"}},
		"close to two":      {"node-", []string{"node-loss", "node-flap"}},
		"nothing close":     {"certificate", nil},
		"empty suggests no": {"", nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := suggest(tc.typed, known); !slices.Equal(got, tc.want) {
				t.Errorf("suggest(%q) = %q, want %q", tc.typed, got, tc.want)
			}
		})
	}
	if got, want := didYouMean("node-", known), ` (did you mean "node-loss" or "node-flap"?)`; got != want {
		t.Errorf("didYouMean = %q, want %q", got, want)
	}
}
