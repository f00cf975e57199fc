package scale

import (
	"fmt"
	"time"
)

// TierEnv names the test tier; the scale benchmark runs only in the
// nightly tier (INTERLOCK_E2E_TIER=nightly), as test/e2e reads it.
const TierEnv = "INTERLOCK_E2E_TIER"

// GoalSize is the size the goals of issue 13 are stated at.
var GoalSize = Size{Nodes: 1000, Pods: 10000}

// Thresholds are the figures the nightly scale benchmark holds the built-in
// remediator to at GoalSize. Each is the goal where `make bench` measured
// the remediator within it (_output/bench.md; the README's "Scale and
// speed" gives the figures), so that a regression past the goal fails the
// nightly tier rather than waiting for the next report.
type Thresholds struct {
	// P50 and P99 bound trigger → action latency.
	P50, P99 time.Duration
	// RSS bounds the remediator's peak resident memory (VmHWM).
	RSS int64
}

// Guard is the nightly tier's thresholds.
var Guard = Thresholds{P50: 50 * time.Millisecond, P99: 500 * time.Millisecond, RSS: 150 << 20}

// Check returns a line for each figure of run past its threshold.
func (th Thresholds) Check(run *Run) []string {
	var out []string
	if run.P50 > th.P50 {
		out = append(out, fmt.Sprintf("trigger → action p50 %s > %s", run.P50.Round(time.Millisecond), th.P50))
	}
	if run.P99 > th.P99 {
		out = append(out, fmt.Sprintf("trigger → action p99 %s > %s", run.P99.Round(time.Millisecond), th.P99))
	}
	if peak := max(run.Rest.HWM, run.Load.HWM); peak > th.RSS {
		out = append(out, fmt.Sprintf("peak RSS %.0f MiB > %.0f MiB", MiB(peak), MiB(th.RSS)))
	}
	return out
}
