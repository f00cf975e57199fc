package policy

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// Budget is a sliding-window limit on actions: at most MaxActions in any
// Window overall, and at most PerTarget on any one target in the same Window.
//
// Zero means zero: MaxActions 0 allows no action at all (the budget is
// exhausted from the start). Only PerTarget 0 is special: it means no
// per-target limit. A Window of zero or less would let every action fall
// outside the window at once, so Validate rejects it.
type Budget struct {
	// MaxActions is the most actions overall in Window. Reaching it exhausts
	// the budget, and the automation halts.
	MaxActions int
	// Window is the length of the sliding window; it must be positive.
	Window time.Duration
	// PerTarget is the most actions on any one target in Window; 0 means no
	// per-target limit.
	PerTarget int
}

// ActionEvent is one action in an automation's history: the target it was
// taken on and when it was decided.
type ActionEvent struct {
	// Target names the object acted on, such as namespace/name.
	Target string
	// At is when the action was decided.
	At time.Time
}

// Validate reports a budget that would fail open. The error wraps
// ErrInvalidLimit.
func (b Budget) Validate() error {
	switch {
	case b.Window <= 0:
		return fmt.Errorf("%w: budget window must be positive, got %s", ErrInvalidLimit, b.Window)
	case b.MaxActions < 0:
		return fmt.Errorf("%w: budget maxActions must not be negative, got %d", ErrInvalidLimit, b.MaxActions)
	case b.PerTarget < 0:
		return fmt.Errorf("%w: budget perTarget must not be negative, got %d", ErrInvalidLimit, b.PerTarget)
	}
	return nil
}

// SortHistory sorts h oldest first, in place, keeping the order of actions
// taken at the same time. Every function here that takes a history expects
// it sorted this way; the remediator keeps its status oldest first by
// appending, so it need not sort on each decision.
func SortHistory(h []ActionEvent) {
	slices.SortStableFunc(h, func(a, b ActionEvent) int { return a.At.Compare(b.At) })
}

// HistorySorted reports whether h is sorted oldest first.
func HistorySorted(h []ActionEvent) bool {
	return slices.IsSortedFunc(h, func(a, b ActionEvent) int { return a.At.Compare(b.At) })
}

// WindowStart is the open start of the window that ends at now: an action
// taken at exactly now-Window has left the window. An action is in the window
// when now-Window < At; actions stamped after now (clock skew) count as in the
// window, which errs towards fewer actions.
func (b Budget) WindowStart(now time.Time) time.Time { return now.Add(-b.Window) }

// InWindow returns the suffix of the sorted history h that lies in the window
// ending at now. It finds the start by binary search, in O(log n).
func (b Budget) InWindow(h []ActionEvent, now time.Time) []ActionEvent {
	start := b.WindowStart(now)
	i := sort.Search(len(h), func(i int) bool { return h[i].At.After(start) })
	return h[i:]
}

// Usage is how much of a budget a sorted history uses at a given time, for
// the whole automation and for one target.
type Usage struct {
	// Count is the number of actions in the window.
	Count int
	// TargetCount is the number of actions on the target in the window.
	TargetCount int
	// Remaining is how many more actions the budget allows: MaxActions-Count,
	// never below zero.
	Remaining int
	// TargetRemaining is how many more actions the target may take:
	// PerTarget-TargetCount, never below zero; -1 when there is no per-target
	// limit.
	TargetRemaining int
	// Exhausted is set when Count has reached MaxActions: the automation halts.
	Exhausted bool
	// TargetExhausted is set when TargetCount has reached a per-target limit.
	TargetExhausted bool
	// OldestExpiry is when the oldest action in the window leaves it (time to
	// requeue and refresh status); zero when the window is empty.
	OldestExpiry time.Time
	// FreeAt, when Exhausted, is when enough actions will have left the window
	// for Count to drop below MaxActions; zero otherwise, and zero when the
	// budget never frees (MaxActions 0).
	FreeAt time.Time
	// TargetFreeAt, when TargetExhausted, is when the per-target limit next
	// allows an action on the target; zero otherwise.
	TargetFreeAt time.Time
}

// Usage measures the sorted history h against the budget at now, for the
// automation and for target. It costs O(log n + k), where k is the number of
// actions in the window, and does not allocate.
func (b Budget) Usage(h []ActionEvent, target string, now time.Time) Usage {
	w := b.InWindow(h, now)
	u := Usage{Count: len(w), TargetRemaining: -1}
	if len(w) > 0 {
		u.OldestExpiry = w[0].At.Add(b.Window)
	}
	u.Remaining = max(b.MaxActions-u.Count, 0)
	if u.Count >= b.MaxActions {
		u.Exhausted = true
		// Count drops below MaxActions once the first Count-MaxActions+1
		// actions have left, that is when action w[Count-MaxActions] leaves.
		if b.MaxActions > 0 {
			u.FreeAt = w[u.Count-b.MaxActions].At.Add(b.Window)
		}
	}
	for i := range w {
		if w[i].Target == target {
			u.TargetCount++
		}
	}
	if b.PerTarget > 0 {
		u.TargetRemaining = max(b.PerTarget-u.TargetCount, 0)
		if u.TargetCount >= b.PerTarget {
			u.TargetExhausted = true
			u.TargetFreeAt = nthTarget(w, target, u.TargetCount-b.PerTarget).Add(b.Window)
		}
	}
	return u
}

// nthTarget returns the time of the n-th (from 0) action on target in w.
func nthTarget(w []ActionEvent, target string, n int) time.Time {
	for i := range w {
		if w[i].Target == target {
			if n == 0 {
				return w[i].At
			}
			n--
		}
	}
	return time.Time{}
}

// Count is the number of actions in the window ending at now.
func (b Budget) Count(h []ActionEvent, now time.Time) int { return len(b.InWindow(h, now)) }

// CountTarget is the number of actions on target in the window ending at now.
func (b Budget) CountTarget(h []ActionEvent, target string, now time.Time) int {
	return b.Usage(h, target, now).TargetCount
}

// Remaining is how many more actions the budget allows at now.
func (b Budget) Remaining(h []ActionEvent, now time.Time) int {
	return max(b.MaxActions-b.Count(h, now), 0)
}

// Exhausted reports whether the actions in the window have reached
// MaxActions: the automation must halt.
func (b Budget) Exhausted(h []ActionEvent, now time.Time) bool {
	return b.Count(h, now) >= b.MaxActions
}

// OldestExpiry is when the oldest action in the window leaves it, or false
// when the window is empty.
func (b Budget) OldestExpiry(h []ActionEvent, now time.Time) (time.Time, bool) {
	w := b.InWindow(h, now)
	if len(w) == 0 {
		return time.Time{}, false
	}
	return w[0].At.Add(b.Window), true
}

// Allow reports whether one more action on target at now stays within the
// budget. It returns nil, or a *Violation with ReasonBudgetExhausted (the
// automation must halt) or ReasonPerTargetBudgetExhausted (with RetryAfter
// set to when the target frees).
func (b Budget) Allow(h []ActionEvent, target string, now time.Time) error {
	return b.allow(b.Usage(h, target, now), target, now)
}

func (b Budget) allow(u Usage, target string, now time.Time) error {
	if u.Exhausted {
		return violation(ReasonBudgetExhausted, 0,
			"budget exhausted: %d of %d actions in the last %s; halt and page a human", u.Count, b.MaxActions, b.Window)
	}
	if u.TargetExhausted {
		return violation(ReasonPerTargetBudgetExhausted, u.TargetFreeAt.Sub(now),
			"budget for target %q exhausted: %d of %d actions in the last %s", target, u.TargetCount, b.PerTarget, b.Window)
	}
	return nil
}
