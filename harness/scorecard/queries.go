package scorecard

import (
	"slices"
	"time"
)

// Span is the time range a run covers: from StartedAt (or the earliest time
// in the data if StartedAt is zero) to StartedAt+DurationSeconds, widened to
// cover every time in the data. end is after start whenever ok is true; ok is
// false if the scorecard holds no time at all.
func (s *Scorecard) Span() (start, end time.Time, ok bool) {
	times := s.times()
	start = s.StartedAt
	if start.IsZero() {
		if len(times) == 0 {
			return time.Time{}, time.Time{}, false
		}
		start = slices.MinFunc(times, time.Time.Compare)
	}
	end = start
	if s.DurationSeconds > 0 {
		end = start.Add(time.Duration(s.DurationSeconds * float64(time.Second)))
	}
	for _, t := range times {
		if t.Before(start) {
			start = t
		}
		if t.After(end) {
			end = t
		}
	}
	if !end.After(start) {
		end = start.Add(time.Minute)
	}
	return start, end, true
}

// times lists every time set in the data: the ledger, the actions and
// their ends, the timeline, pages, faults and availability samples.
func (s *Scorecard) times() []time.Time {
	var times []time.Time
	add := func(t time.Time) {
		if !t.IsZero() {
			times = append(times, t)
		}
	}
	for _, e := range s.Ledger {
		add(e.Time)
	}
	for _, a := range s.Actions {
		add(a.Time)
		add(a.Until)
	}
	for _, e := range s.Timeline {
		add(e.Time)
	}
	for _, p := range s.Pages {
		add(p.Time)
	}
	for _, f := range s.Faults {
		add(f.Start)
		add(f.End)
	}
	for _, x := range s.Truth.Samples {
		add(x.Time)
	}
	return times
}

// Origin is the time that offsets count from in every rendering:
// StartedAt, or the earliest time in the data if StartedAt is zero (the
// zero time if there is none).
func (s *Scorecard) Origin() time.Time {
	if !s.StartedAt.IsZero() {
		return s.StartedAt
	}
	start, _, _ := s.Span()
	return start
}

// Counts returns how many assertions passed, failed and errored; an
// unknown verdict counts as an error. Skipped assertions are in none of
// them.
func (s *Scorecard) Counts() (pass, fail, errs int) {
	for _, a := range s.Assertions {
		switch a.Verdict {
		case VerdictPass:
			pass++
		case VerdictFail:
			fail++
		default:
			errs++
		}
	}
	return pass, fail, errs
}

// MaxBudget is the largest MaxActions of any budget, 0 if there is none.
func (s *Scorecard) MaxBudget() int {
	m := 0
	for _, b := range s.Budgets {
		m = max(m, b.MaxActions)
	}
	return m
}
