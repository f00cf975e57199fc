package testutil_test

import (
	"testing"
	"time"

	"github.com/interlock-dev/interlock/internal/testutil"
)

func TestAt(t *testing.T) {
	tests := map[string]struct {
		sec  float64
		want time.Time
	}{
		"zero is T0":        {sec: 0, want: time.Date(2026, 9, 14, 3, 0, 0, 0, time.UTC)},
		"whole seconds":     {sec: 65, want: time.Date(2026, 9, 14, 3, 1, 5, 0, time.UTC)},
		"a fraction counts": {sec: 0.5, want: time.Date(2026, 9, 14, 3, 0, 0, 500_000_000, time.UTC)},
		"before T0":         {sec: -1, want: time.Date(2026, 9, 14, 2, 59, 59, 0, time.UTC)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := testutil.At(tc.sec); !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("At(%v) = %v, want %v in UTC", tc.sec, got, tc.want)
			}
		})
	}
}
