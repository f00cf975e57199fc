package policy

import (
	"errors"
	"fmt"
	"time"
)

// Verdict is what Decide tells the caller to do.
type Verdict string

// The five verdicts.
const (
	// VerdictAct: take the action now. If Decision.ExhaustsBudget is set,
	// halt the automation right after acting.
	VerdictAct Verdict = "act"
	// VerdictPropose: file a proposal for a named human to approve; do not act.
	VerdictPropose Verdict = "propose"
	// VerdictAlertOnly: raise an alert (at the runbook rung, naming the
	// runbook); do not act.
	VerdictAlertOnly Verdict = "alert-only"
	// VerdictRefuse: do not act this time; try again later (after RetryAfter
	// when it is set).
	VerdictRefuse Verdict = "refuse"
	// VerdictHalt: halt the automation, record the condition, emit an event and
	// a metric, and page. Only a human resumes it.
	VerdictHalt Verdict = "halt"
)

// Reason is the machine-readable cause of a decision, in CamelCase so that it
// can be used as a condition reason or an event reason as it is.
type Reason string

// Reasons, grouped by the step of Decide that returns them.
const (
	// ReasonKillSwitch: the global kill switch is on (refuse).
	ReasonKillSwitch Reason = "KillSwitch"
	// ReasonHalted: the automation is halted until a human resumes it (refuse).
	ReasonHalted Reason = "Halted"

	// ReasonUnknownClass: the action class is not in the table (alert-only).
	ReasonUnknownClass Reason = "UnknownClass"
	// ReasonUnknownRung: the rung is not on the ladder (alert-only).
	ReasonUnknownRung Reason = "UnknownRung"
	// ReasonRungExceedsPosture: the rung is above the class's posture (alert-only).
	ReasonRungExceedsPosture Reason = "RungExceedsPosture"
	// ReasonSafetyCaseIncomplete: a part of the safety case is missing (alert-only).
	ReasonSafetyCaseIncomplete Reason = "SafetyCaseIncomplete"
	// ReasonInvalidLimits: the budget, blast radius, health gate or ramp is
	// malformed in a way that would fail open, such as a zero window (alert-only).
	ReasonInvalidLimits Reason = "InvalidLimits"
	// ReasonRungAlert: the automation sits at the alert rung (alert-only).
	ReasonRungAlert Reason = "RungAlert"
	// ReasonRungRunbook: the automation sits at the runbook rung; the caller
	// names the runbook (alert-only).
	ReasonRungRunbook Reason = "RungRunbook"

	// ReasonBudgetExhausted: the overall action budget is used up (halt).
	ReasonBudgetExhausted Reason = "BudgetExhausted"
	// ReasonPerTargetBudgetExhausted: the budget for this target is used up
	// (refuse, with RetryAfter).
	ReasonPerTargetBudgetExhausted Reason = "PerTargetBudgetExhausted"

	// ReasonEmptyTargetSet: the trigger fired but names no target, the
	// automation's scope or what it matched is empty, or the candidate's group
	// is empty (refuse).
	ReasonEmptyTargetSet Reason = "EmptyTargetSet"
	// ReasonAllTargetsMatch: the trigger fires for every target in the
	// automation's scope at once; acting would remove all capacity (refuse).
	ReasonAllTargetsMatch Reason = "AllTargetsMatch"
	// ReasonTargetInFlight: an earlier action on this target has not finished (refuse).
	ReasonTargetInFlight Reason = "TargetInFlight"
	// ReasonMaxInFlight: as many targets as allowed are already being acted on (refuse).
	ReasonMaxInFlight Reason = "MaxInFlight"
	// ReasonMaxUnavailable: acting would put more of the group out than allowed (refuse).
	ReasonMaxUnavailable Reason = "MaxUnavailable"
	// ReasonInvalidSnapshot: the observed state is inconsistent, such as a
	// negative count or an unknown start time (refuse).
	ReasonInvalidSnapshot Reason = "InvalidSnapshot"

	// ReasonHealthGatePending: the newest revision is unhealthy but still
	// within its progress deadline (refuse, with RetryAfter).
	ReasonHealthGatePending Reason = "HealthGatePending"
	// ReasonHealthGatePassed: the newest revision is healthy; nothing to roll
	// back (refuse).
	ReasonHealthGatePassed Reason = "HealthGatePassed"
	// ReasonHealthGateFailed: the newest revision missed its deadline below the
	// minimum availability. Returned by HealthGate.Evaluate, not by Decide.
	ReasonHealthGateFailed Reason = "HealthGateFailed"
	// ReasonNoPreviousRevision: the gate failed but there is nothing to roll
	// back to (refuse).
	ReasonNoPreviousRevision Reason = "NoPreviousRevision"
	// ReasonRampStepTooLarge: the traffic step is larger than the ramp allows (refuse).
	ReasonRampStepTooLarge Reason = "RampStepTooLarge"
	// ReasonRampTooSoon: the last traffic step was too recent (refuse, with RetryAfter).
	ReasonRampTooSoon Reason = "RampTooSoon"

	// ReasonAwaitingApproval: a named human must approve first (propose).
	ReasonAwaitingApproval Reason = "AwaitingApproval"
	// ReasonApproved: a named human approved this action on this target (act).
	ReasonApproved Reason = "Approved"
	// ReasonWithinBudget: every limit holds (act).
	ReasonWithinBudget Reason = "WithinBudget"
)

// Reasons lists every Reason, in the order of the steps of Decide, so that
// callers can, for example, initialise a metric for each.
var Reasons = []Reason{
	ReasonKillSwitch, ReasonHalted,
	ReasonUnknownClass, ReasonUnknownRung, ReasonRungExceedsPosture, ReasonSafetyCaseIncomplete, ReasonInvalidLimits,
	ReasonRungAlert, ReasonRungRunbook,
	ReasonBudgetExhausted, ReasonPerTargetBudgetExhausted,
	ReasonEmptyTargetSet, ReasonAllTargetsMatch, ReasonTargetInFlight, ReasonMaxInFlight, ReasonMaxUnavailable, ReasonInvalidSnapshot,
	ReasonHealthGatePending, ReasonHealthGatePassed, ReasonHealthGateFailed, ReasonNoPreviousRevision,
	ReasonRampStepTooLarge, ReasonRampTooSoon,
	ReasonAwaitingApproval, ReasonApproved, ReasonWithinBudget,
}

// Violation is a limit that the next action would break. The checks in this
// package return it as their error; errors.As recovers it.
type Violation struct {
	// Reason says which limit.
	Reason Reason
	// Message says why, for people.
	Message string
	// RetryAfter, when positive, is how long until the limit may allow the
	// action again if nothing else changes.
	RetryAfter time.Duration
}

// Error implements error.
func (v *Violation) Error() string { return fmt.Sprintf("%s: %s", v.Reason, v.Message) }

func violation(r Reason, retry time.Duration, format string, args ...any) error {
	return &Violation{Reason: r, Message: fmt.Sprintf(format, args...), RetryAfter: retry}
}

// ReasonOf returns the Reason of the Violation in err's chain, or "" if there
// is none.
func ReasonOf(err error) Reason {
	if v, ok := errors.AsType[*Violation](err); ok {
		return v.Reason
	}
	return ""
}

// ErrInvalidLimit is wrapped by every Validate error in this package.
var ErrInvalidLimit = errors.New("invalid limit")
