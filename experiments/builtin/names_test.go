package builtin

import (
	"fmt"
	"testing"
)

func storm(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("storm-%d", i)
	}
	return names
}

func TestListNames(t *testing.T) {
	tests := map[string]struct {
		names []string
		want  string
	}{
		"one":          {names: []string{"web-0"}, want: "web-0"},
		"a few":        {names: []string{"a", "b", "c", "d"}, want: "a, b, c, d"},
		"one too many": {names: []string{"a", "b", "c", "d", "e"}, want: "a, b, c and 2 more (5 in all)"},
		"a storm":      {names: storm(100), want: "storm-0, storm-1, storm-2 and 97 more (100 in all)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := listNames(tc.names); got != tc.want {
				t.Errorf("listNames = %q, want %q", got, tc.want)
			}
		})
	}
}
