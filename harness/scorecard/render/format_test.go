package render

import (
	"math"
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	tests := map[string]struct {
		d    time.Duration
		want string
	}{
		"negative":              {d: -time.Second, want: "0s"},
		"zero":                  {d: 0, want: "0s"},
		"under half a ms":       {d: 400 * time.Microsecond, want: "<1ms"},
		"milliseconds":          {d: 115487753 * time.Nanosecond, want: "115ms"},
		"just under a quarter":  {d: 249 * time.Millisecond, want: "249ms"},
		"a quarter rounds up":   {d: 250 * time.Millisecond, want: "0.3s"},
		"tenths":                {d: 4237 * time.Millisecond, want: "4.2s"},
		"whole second in tenth": {d: 2 * time.Second, want: "2s"},
		"rounds up to ten":      {d: 9960 * time.Millisecond, want: "10s"},
		"seconds":               {d: 12400 * time.Millisecond, want: "12s"},
		"rounds up to a minute": {d: 59600 * time.Millisecond, want: "1m"},
		"minutes and seconds":   {d: 65 * time.Second, want: "1m05s"},
		"whole minutes":         {d: 10 * time.Minute, want: "10m"},
		"run length":            {d: 300487753 * time.Microsecond, want: "5m"},
		"hours and minutes":     {d: 90 * time.Minute, want: "1h30m"},
		"hours and seconds":     {d: 2*time.Hour + 5*time.Second, want: "2h00m05s"},
		"whole hours":           {d: 3 * time.Hour, want: "3h"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := formatDuration(tc.d); got != tc.want {
				t.Errorf("formatDuration(%d) = %q, want %q", tc.d, got, tc.want)
			}
		})
	}
}

func TestFormatSeconds(t *testing.T) {
	tests := map[string]struct {
		sec  float64
		want string
	}{
		"budget window":   {sec: 600, want: "10m"},
		"odd window":      {sec: 90, want: "1m30s"},
		"fractional":      {sec: 121.4, want: "2m01s"},
		"sub-second":      {sec: 0.115487753, want: "115ms"},
		"negative":        {sec: -3, want: "0s"},
		"not a number":    {sec: nan(), want: "0s"},
		"beyond duration": {sec: 1e300, want: "2562047h47m16s"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := formatSeconds(tc.sec); got != tc.want {
				t.Errorf("formatSeconds(%v) = %q, want %q", tc.sec, got, tc.want)
			}
		})
	}
}

func nan() float64 { return math.NaN() }
