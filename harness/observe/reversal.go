package observe

import (
	"slices"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// Reversal is how long the workload an action hit took to recover from it.
type Reversal struct {
	// Entry is the action.
	Entry scorecard.LedgerEntry
	// Workload is the workload (namespace/deployment) acted on.
	Workload string
	// Level is what reversal restores: the replicas truly serving in the last
	// snapshot before the action, at most the desired replicas. The action
	// is reversed when the workload is back at this level (full availability,
	// or the level it had under a fault that the action could not mend), and
	// for a pod action when that pod no longer counts among those serving.
	Level int
	// Measured is false when the workload was not seen both before and after
	// the action; Reversed and Duration then say nothing.
	Measured bool
	// Reversed reports whether the workload got back to Level by the last
	// snapshot.
	Reversed bool
	// Duration is the time from the action to the first snapshot back at
	// Level; if not Reversed, to the last snapshot (a lower bound). Its
	// resolution is the snapshot interval.
	Duration time.Duration
}

// Reversals measures, for each accepted pod deletion or eviction and
// deployment change classified so far whose workload is known, how long the
// workload took to recover from it (see Reversal), in the order classified.
func (tr *Truth) Reversals() []Reversal {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []Reversal
	for _, c := range tr.actions {
		e := c.Entry
		if e.Rejected() || c.Workload == "" || !(isPodRestart(e) || isDeploymentChange(e)) {
			continue
		}
		out = append(out, tr.reversal(c))
	}
	return out
}

func (tr *Truth) reversal(c Classification) Reversal {
	r := Reversal{Entry: c.Entry, Workload: c.Workload}
	samples := tr.work[c.Workload]
	at := c.Entry.Time
	i, _ := slices.BinarySearchFunc(samples, at, func(s workloadSample, t time.Time) int { return s.at.Compare(t) })
	// samples[:i] are before the action (strictly), samples[i:] at or after.
	if i == 0 {
		return r
	}
	before := samples[i-1]
	r.Level = min(before.desired, len(before.serving))
	var last *workloadSample
	for j := i; j < len(samples); j++ {
		s := &samples[j]
		if !s.at.After(at) {
			continue
		}
		last = s
		if len(s.serving) < r.Level {
			continue
		}
		if isPodRestart(c.Entry) {
			if _, found := slices.BinarySearch(s.serving, c.Entry.Name); found {
				continue // the snapshot predates the action taking effect
			}
		}
		r.Measured, r.Reversed, r.Duration = true, true, s.at.Sub(at)
		return r
	}
	if last != nil {
		r.Measured, r.Duration = true, last.at.Sub(at)
	}
	return r
}
