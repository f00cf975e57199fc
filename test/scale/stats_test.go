package scale_test

import (
	"os"
	"slices"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/test/scale"
)

func TestPercentile(t *testing.T) {
	tests := map[string]struct {
		xs   []float64
		p    float64
		want float64
	}{
		"none":            {xs: nil, p: 50, want: 0},
		"one":             {xs: []float64{7}, p: 99, want: 7},
		"odd median":      {xs: []float64{3, 1, 2}, p: 50, want: 2},
		"even median":     {xs: []float64{4, 1, 3, 2}, p: 50, want: 2.5},
		"p99 of 1..101":   {xs: seq(101), p: 99, want: 100},
		"p0 is the least": {xs: []float64{5, 9, 2}, p: 0, want: 2},
		"p100 is the top": {xs: []float64{5, 9, 2}, p: 100, want: 9},
		"interpolates":    {xs: []float64{0, 10}, p: 90, want: 9},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := scale.Percentile(tc.xs, tc.p); got != tc.want {
				t.Errorf("Percentile(%v, %v) = %v, want %v", tc.xs, tc.p, got, tc.want)
			}
		})
	}
}

func seq(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i + 1)
	}
	return out
}

func TestHolds(t *testing.T) {
	since := time.Date(2026, 9, 14, 3, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		seen time.Time
		want time.Time
	}{
		"seen before the hold ends: the hold's end": {seen: since.Add(300 * time.Millisecond), want: since.Add(2 * time.Second)},
		"seen after the hold ends: when seen":       {seen: since.Add(3 * time.Second), want: since.Add(3 * time.Second)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			u := scale.Unhealthy{Pod: "p", Seen: tc.seen, Since: since}
			if got := u.Holds(2 * time.Second); !got.Equal(tc.want) {
				t.Errorf("Holds = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestLate(t *testing.T) {
	since := time.Date(2026, 9, 14, 3, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		seen time.Time
		late time.Duration
		bad  bool
	}{
		"seen within the hold":                          {seen: since.Add(300 * time.Millisecond), late: -2700 * time.Millisecond},
		"seen after the hold, within the stored second": {seen: since.Add(2900 * time.Millisecond), late: -100 * time.Millisecond},
		"seen a second after the stored second's hold":  {seen: since.Add(4 * time.Second), late: time.Second, bad: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			u := scale.Unhealthy{Pod: "p", Seen: tc.seen, Since: since}
			late, bad := u.Late(2 * time.Second)
			if late != tc.late || bad != tc.bad {
				t.Errorf("Late = %s, %v; want %s, %v", late, bad, tc.late, tc.bad)
			}
		})
	}
}

func TestReadProcOfThisProcess(t *testing.T) {
	p, err := scale.ReadProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if p.RSS <= 0 || p.HWM < p.RSS {
		t.Errorf("RSS %d, HWM %d: want 0 < RSS <= HWM", p.RSS, p.HWM)
	}
	if p.CPU < 0 {
		t.Errorf("CPU %s, want at least 0", p.CPU)
	}
}

func TestParseSize(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    scale.Size
		wantErr bool
	}{
		"the goals' size":            {in: "1000x10000", want: scale.Size{Nodes: 1000, Pods: 10000}},
		"spaces are fine":            {in: " 100x1000 ", want: scale.Size{Nodes: 100, Pods: 1000}},
		"no x":                       {in: "1000", wantErr: true},
		"no nodes":                   {in: "0x1000", wantErr: true},
		"fewer pods than a workload": {in: "10x5", wantErr: true},
		"not numbers":                {in: "ax b", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := scale.ParseSize(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseSize(%q) error %v, want error %v", tc.in, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("ParseSize(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestThresholdsCheck(t *testing.T) {
	th := scale.Thresholds{P50: 50 * time.Millisecond, P99: 500 * time.Millisecond, RSS: 150 << 20}
	within := scale.Run{P50: 20 * time.Millisecond, P99: 400 * time.Millisecond,
		Rest: scale.Usage{HWM: 100 << 20}, Load: scale.Usage{HWM: 120 << 20}}
	if got := th.Check(&within); len(got) != 0 {
		t.Errorf("Check of a run within every threshold = %q, want none", got)
	}
	past := within
	past.P99 = 900 * time.Millisecond
	past.Load.HWM = 200 << 20
	got := th.Check(&past)
	want := []string{"trigger → action p99 900ms > 500ms", "peak RSS 200 MiB > 150 MiB"}
	if !slices.Equal(got, want) {
		t.Errorf("Check = %q, want %q", got, want)
	}
}
