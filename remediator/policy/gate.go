package policy

import (
	"fmt"
	"time"
)

// HealthGate is the check a Deployment's newest revision must fail before a
// rollback may act: by ProgressDeadline after it started, at least
// MinAvailablePercent of the desired replicas must be available.
type HealthGate struct {
	// ProgressDeadline is how long the newest revision has to become
	// available; it must be positive.
	ProgressDeadline time.Duration
	// MinAvailablePercent is the share, 0 to 100, of desired replicas that
	// must be available. The number of replicas it requires is rounded up:
	// ceil(percent × desired / 100), so 50% of 3 requires 2.
	MinAvailablePercent int
	// Hold, when positive, fails the gate sooner: once fewer than the
	// required replicas of the whole Deployment (every revision) have
	// served for Hold since the newest revision started, the deploy is
	// taking capacity away, and waiting out the deadline would keep it away.
	Hold time.Duration
}

// Rollout is a snapshot of a Deployment's rollout.
type Rollout struct {
	// DesiredReplicas is the Deployment's desired replica count.
	DesiredReplicas int
	// AvailableReplicas is how many replicas of the newest revision are available.
	AvailableReplicas int
	// Started is when the newest revision started rolling out; it must be set.
	Started time.Time
	// HasPreviousRevision says there is an earlier revision to roll back to.
	HasPreviousRevision bool
	// ServingReplicas is how many replicas of every revision are available;
	// only a gate with a Hold reads it.
	ServingReplicas int
}

// GateStatus is the outcome of a health gate.
type GateStatus string

// Gate outcomes.
const (
	// GatePassed: the newest revision is available enough.
	GatePassed GateStatus = "pass"
	// GatePending: not available enough yet, but the deadline has not passed.
	GatePending GateStatus = "pending"
	// GateFailed: the deadline has passed and availability is below the minimum.
	GateFailed GateStatus = "fail"
)

// GateResult is a health gate's outcome with its reason.
type GateResult struct {
	// Status is pass, pending or fail; empty when the snapshot is invalid.
	Status GateStatus
	// Reason is HealthGatePassed, HealthGatePending, HealthGateFailed or
	// InvalidSnapshot.
	Reason Reason
	// Message says why, for people.
	Message string
	// RetryAfter, when pending, is the time left until the deadline.
	RetryAfter time.Duration
}

// Validate reports a gate that would fail open: a deadline of zero or less
// would roll back every rollout the moment it dips below the minimum. The
// error wraps ErrInvalidLimit.
func (g HealthGate) Validate() error {
	switch {
	case g.ProgressDeadline <= 0:
		return fmt.Errorf("%w: health gate progressDeadline must be positive, got %s", ErrInvalidLimit, g.ProgressDeadline)
	case g.MinAvailablePercent < 0 || g.MinAvailablePercent > 100:
		return fmt.Errorf("%w: health gate minAvailablePercent must be within 0-100, got %d", ErrInvalidLimit, g.MinAvailablePercent)
	}
	return nil
}

// RequiredAvailable is how many of desired replicas must be available:
// ceil(MinAvailablePercent × desired / 100).
func (g HealthGate) RequiredAvailable(desired int) int {
	if desired <= 0 || g.MinAvailablePercent <= 0 {
		return 0
	}
	return (g.MinAvailablePercent*desired + 99) / 100
}

// Evaluate runs the gate on r at now. A revision that is available enough
// passes at any time; one that is not is pending until ProgressDeadline has
// elapsed since it started (a revision started exactly ProgressDeadline ago
// has had its whole deadline) and fails after. A zero Started, or negative
// counts, give an empty Status with ReasonInvalidSnapshot.
func (g HealthGate) Evaluate(r Rollout, now time.Time) GateResult {
	if r.Started.IsZero() || r.DesiredReplicas < 0 || r.AvailableReplicas < 0 {
		return GateResult{Reason: ReasonInvalidSnapshot, Message: fmt.Sprintf(
			"rollout snapshot is invalid: started %v, %d desired, %d available", r.Started, r.DesiredReplicas, r.AvailableReplicas)}
	}
	need := g.RequiredAvailable(r.DesiredReplicas)
	if r.AvailableReplicas >= need {
		return GateResult{Status: GatePassed, Reason: ReasonHealthGatePassed, Message: fmt.Sprintf(
			"newest revision has %d of %d replicas available, %d required", r.AvailableReplicas, r.DesiredReplicas, need)}
	}
	elapsed := now.Sub(r.Started)
	if g.Hold > 0 && r.ServingReplicas < need {
		if elapsed >= g.Hold {
			return GateResult{Status: GateFailed, Reason: ReasonHealthGateFailed, Message: fmt.Sprintf(
				"only %d of %d replicas serve, %d required, for %s since the newest revision started (hold %s)",
				r.ServingReplicas, r.DesiredReplicas, need, elapsed, g.Hold)}
		}
	}
	if elapsed < g.ProgressDeadline {
		left := g.ProgressDeadline - elapsed
		if g.Hold > 0 && r.ServingReplicas < need {
			left = min(left, g.Hold-elapsed)
		}
		return GateResult{Status: GatePending, Reason: ReasonHealthGatePending, RetryAfter: left, Message: fmt.Sprintf(
			"newest revision has %d of %d replicas available, %d required; %s left of its %s progress deadline",
			r.AvailableReplicas, r.DesiredReplicas, need, left, g.ProgressDeadline)}
	}
	return GateResult{Status: GateFailed, Reason: ReasonHealthGateFailed, Message: fmt.Sprintf(
		"newest revision has %d of %d replicas available, %d required, %s after it started (progress deadline %s)",
		r.AvailableReplicas, r.DesiredReplicas, need, elapsed, g.ProgressDeadline)}
}

// AllowRollback reports whether a rollback may act on r at now: only when the
// gate has failed and a previous revision exists. It returns nil or a
// *Violation with ReasonHealthGatePending (with RetryAfter),
// ReasonHealthGatePassed, ReasonNoPreviousRevision or ReasonInvalidSnapshot.
func (g HealthGate) AllowRollback(r Rollout, now time.Time) error {
	res := g.Evaluate(r, now)
	switch {
	case res.Status != GateFailed:
		return &Violation{Reason: res.Reason, Message: res.Message, RetryAfter: res.RetryAfter}
	case !r.HasPreviousRevision:
		return violation(ReasonNoPreviousRevision, 0, "%s, but there is no previous revision to roll back to", res.Message)
	}
	return nil
}
