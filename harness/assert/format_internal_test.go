package assert

import (
	"testing"
	"time"
)

func TestDur(t *testing.T) {
	tests := map[string]struct {
		d    time.Duration
		want string
	}{
		"zero":             {0, "0s"},
		"milliseconds":     {55063470 * time.Nanosecond, "55ms"},
		"tenths":           {373339360 * time.Nanosecond, "0.4s"},
		"seconds, tenths":  {4249 * time.Millisecond, "4.2s"},
		"whole seconds":    {12400 * time.Millisecond, "12s"},
		"minutes":          {90 * time.Second, "1m30s"},
		"a window":         {10 * time.Minute, "10m"},
		"an hour":          {time.Hour, "1h"},
		"negative, tenths": {-1520 * time.Millisecond, "-1.5s"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := dur(tc.d); got != tc.want {
				t.Errorf("dur(%v) = %q, want %q", tc.d, got, tc.want)
			}
		})
	}
}
