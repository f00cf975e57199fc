package run

import (
	"fmt"
	"testing"
)

func TestTakeDue(t *testing.T) {
	tests := map[string]struct {
		items, wantDue, wantLeft []int
	}{
		"none due":             {items: []int{5, 6}, wantLeft: []int{5, 6}},
		"all due, in order":    {items: []int{3, 1, 2}, wantDue: []int{3, 1, 2}},
		"some due, order kept": {items: []int{1, 7, 2, 9}, wantDue: []int{1, 2}, wantLeft: []int{7, 9}},
		"empty":                {},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			items := append([]int(nil), tc.items...)
			due := takeDue(&items, func(x int) bool { return x <= 3 })
			if fmt.Sprint(due) != fmt.Sprint(tc.wantDue) || fmt.Sprint(items) != fmt.Sprint(tc.wantLeft) {
				t.Errorf("takeDue(%v) = %v, left %v; want %v, left %v", tc.items, due, items, tc.wantDue, tc.wantLeft)
			}
		})
	}
}
