package suite

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/harness/run"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/scenarios"
)

func TestETALeft(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	mins := func(n float64) time.Duration { return time.Duration(n * float64(time.Minute)) }
	tests := map[string]struct {
		estimate []time.Duration
		parallel int
		started  map[int]time.Duration // offset from t0
		finished []int
		at       time.Duration
		want     time.Duration
		noETA    bool
	}{
		"no estimate": {noETA: true, parallel: 1},
		"nothing started, one at a time": {
			estimate: []time.Duration{mins(2), mins(3), mins(5)}, parallel: 1, want: mins(10),
		},
		"nothing started, two at a time": {
			estimate: []time.Duration{mins(2), mins(3), mins(5)}, parallel: 2, want: mins(5),
		},
		"one done, one half way": {
			estimate: []time.Duration{mins(2), mins(4), mins(6)}, parallel: 1,
			started: map[int]time.Duration{0: 0, 1: mins(2)}, finished: []int{0}, at: mins(4), want: mins(2) + mins(6),
		},
		"the longest running one bounds it": {
			estimate: []time.Duration{mins(10), mins(1), mins(1)}, parallel: 3,
			started: map[int]time.Duration{0: 0, 1: 0, 2: 0}, finished: []int{1, 2}, at: mins(1), want: mins(9),
		},
		"more slots than scenarios left": {
			estimate: []time.Duration{mins(4), mins(6)}, parallel: 4, want: mins(6),
		},
		"everything done": {
			estimate: []time.Duration{mins(4)}, parallel: 1, started: map[int]time.Duration{0: 0}, finished: []int{0}, at: mins(4), want: 0,
		},
		"a run over its estimate leaves nothing of it": {
			estimate: []time.Duration{mins(1), mins(3)}, parallel: 1,
			started: map[int]time.Duration{0: 0}, at: mins(5), want: mins(3),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			n := max(len(tc.estimate), 1)
			e := &eta{estimate: tc.estimate, started: make([]time.Time, n), finished: make([]bool, n), parallel: tc.parallel}
			for i, off := range tc.started {
				e.start(i, t0.Add(off))
			}
			for _, i := range tc.finished {
				e.finish(i)
			}
			got, ok := e.left(t0.Add(tc.at))
			if ok == tc.noETA {
				t.Fatalf("left() ok = %v, want %v", ok, !tc.noETA)
			}
			if got != tc.want {
				t.Errorf("left() = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestRunProgressShowsCountAndETA: each end line counts done/total and,
// with an estimate, the time left; RunProgress receives every run's lines
// with its scenario's name.
func TestRunProgressShowsCountAndETA(t *testing.T) {
	ss := load(t, "storm", "node-loss", "lying-health-check")
	var baselines atomic.Int32
	inner := scripted(map[string]scorecard.Verdict{"storm": "pass", "node-loss": "pass", "lying-health-check": "pass"}, &baselines)
	runner := func(ctx context.Context, o run.Options) (*scorecard.Scorecard, error) {
		fmt.Fprintf(o.Progress, "[00:01] hello from %s\n", o.Scenario.Name())
		return inner(ctx, o)
	}
	tests := map[string]struct {
		estimate func(*scenarios.Scenario) time.Duration
		verbose  bool
		want     []string
		wantNot  []string
	}{
		"with an estimate": {
			estimate: func(*scenarios.Scenario) time.Duration { return 10 * time.Minute },
			want:     []string{"[1/3, about 20:00 left]", "[2/3, about 10:00 left]", "[3/3]"},
			wantNot:  []string{"hello from"},
		},
		"without": {
			want:    []string{"[1/3]", "[2/3]", "[3/3]"},
			wantNot: []string{"left]", "hello from"},
		},
		"verbose": {
			verbose: true,
			want:    []string{"storm: [00:01] hello from storm", "node-loss: [00:01] hello from node-loss", "[3/3]"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var progress, runs bytes.Buffer
			opts := Options{Scenarios: ss, Baseline: true, Parallel: 1, OutDir: t.TempDir(), Runner: runner, Progress: &progress, Estimate: tc.estimate}
			if tc.verbose {
				opts.RunProgress = &runs
			}
			if _, err := Run(t.Context(), opts); err != nil {
				t.Fatal(err)
			}
			all := progress.String() + runs.String()
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("progress lacks %q:\n%s", w, all)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(all, w) {
					t.Errorf("progress has %q:\n%s", w, all)
				}
			}
			if n := len(regexp.MustCompile(`(?m)^\[\d\d:\d\d\]  pass `).FindAllString(progress.String(), -1)); n != 3 {
				t.Errorf("%d end lines, want 3:\n%s", n, progress.String())
			}
		})
	}
}
