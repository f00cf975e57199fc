package policy

import (
	"fmt"
	"time"
)

// Ramp is a traffic shift's limits and where it stands: a traffic-shift
// action moves one step, no larger than MaxStepPercent, and no sooner than
// MinInterval after the previous step.
type Ramp struct {
	// MaxStepPercent is the largest change, 0 to 100, of the traffic share in
	// one step. Zero means zero: no step is allowed.
	MaxStepPercent int
	// MinInterval is the least time between steps; zero allows steps back to back.
	MinInterval time.Duration
	// CurrentPercent is the share of traffic, 0 to 100, the target pool gets now.
	CurrentPercent int
	// ProposedPercent is the share it would get after this step.
	ProposedPercent int
	// LastStepAt is when the previous step was taken; zero if there was none.
	LastStepAt time.Time
}

// Validate reports limits outside their range. The error wraps ErrInvalidLimit.
func (r Ramp) Validate() error {
	switch {
	case r.MaxStepPercent < 0 || r.MaxStepPercent > 100:
		return fmt.Errorf("%w: ramp maxStepPercent must be within 0-100, got %d", ErrInvalidLimit, r.MaxStepPercent)
	case r.MinInterval < 0:
		return fmt.Errorf("%w: ramp minInterval must not be negative, got %s", ErrInvalidLimit, r.MinInterval)
	}
	return nil
}

// Allow reports whether the proposed step may be taken at now. It returns nil
// or a *Violation with ReasonInvalidSnapshot (a share outside 0-100),
// ReasonRampStepTooLarge, or ReasonRampTooSoon (with RetryAfter). A previous
// step stamped after now counts as just taken.
func (r Ramp) Allow(now time.Time) error {
	if r.CurrentPercent < 0 || r.CurrentPercent > 100 || r.ProposedPercent < 0 || r.ProposedPercent > 100 {
		return violation(ReasonInvalidSnapshot, 0,
			"traffic shares must be within 0-100, got %d%% now and %d%% proposed", r.CurrentPercent, r.ProposedPercent)
	}
	step := r.ProposedPercent - r.CurrentPercent
	if step < 0 {
		step = -step
	}
	if step > r.MaxStepPercent {
		return violation(ReasonRampStepTooLarge, 0,
			"a step from %d%% to %d%% moves %d%% of traffic, at most %d%% allowed", r.CurrentPercent, r.ProposedPercent, step, r.MaxStepPercent)
	}
	if !r.LastStepAt.IsZero() {
		if since := max(now.Sub(r.LastStepAt), 0); since < r.MinInterval {
			return violation(ReasonRampTooSoon, r.MinInterval-since,
				"the previous step was %s ago, at least %s must pass between steps", since, r.MinInterval)
		}
	}
	return nil
}
