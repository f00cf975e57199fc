package policy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
)

// SafetyCaseStatus says whether an automation's safety case is complete.
type SafetyCaseStatus struct {
	// Complete is set when every part of the safety case is present.
	Complete bool
	// Missing names the parts that are not, such as "owner" or "budget". A
	// non-empty list makes the case incomplete even if Complete is set.
	Missing []string
}

// Approval is a named human's approval of one proposed action.
type Approval struct {
	// Target is the target approved; it must equal Input.Target.
	Target string
	// By names the human who approved, as the API server saw them. Empty
	// means no one did.
	By string
}

// Input is everything Decide looks at: one automation, one candidate target,
// and a snapshot of the state around them. Fields a class does not use may
// be left zero (HealthGate and Rollout are read only for ClassRollback, Ramp
// only for ClassTrafficShift).
type Input struct {
	// Automation is the automation's name, for messages.
	Automation string
	// Class is the action's class.
	Class v1alpha1.ActionClass
	// Rung is the rung the automation sits at.
	Rung v1alpha1.Rung
	// SafetyCase says whether its safety case is complete.
	SafetyCase SafetyCaseStatus
	// Budget is the safety case's action budget.
	Budget Budget
	// History is the automation's past actions, sorted oldest first (see
	// SortHistory). Actions before the window may be left in or pruned.
	History []ActionEvent
	// BlastRadius is the safety case's blast-radius limits.
	BlastRadius BlastRadius
	// Blast is the observed in-flight targets, the automation's scope and the
	// target's group.
	Blast BlastSnapshot
	// Target names the candidate target, such as namespace/name.
	Target string
	// KillSwitch is the global kill switch.
	KillSwitch bool
	// Halted says the automation is halted until a human resumes it.
	Halted bool
	// Approval is the approval of this action, if any (supervised rung and
	// classes that need a human).
	Approval *Approval
	// HealthGate is the rollback's health gate (ClassRollback).
	HealthGate HealthGate
	// Rollout is the Deployment's rollout now (ClassRollback).
	Rollout Rollout
	// Ramp is the traffic shift's ramp and proposed step (ClassTrafficShift).
	Ramp Ramp
}

// Decision is Decide's answer.
type Decision struct {
	// Verdict is what to do.
	Verdict Verdict
	// Reason is why, as a CamelCase constant fit for a condition or event.
	Reason Reason
	// Message says why, for people.
	Message string
	// RetryAfter, when positive, is how long until the same input could get a
	// different answer: a per-target budget frees, a health gate's deadline
	// passes, a ramp's interval ends.
	RetryAfter time.Duration
	// ExhaustsBudget is set on VerdictAct when this action uses the last of
	// the budget: act, then halt (see HaltAfter).
	ExhaustsBudget bool
	// Usage is the budget's usage before this action, when Decide got as far
	// as the budget (verdicts halt, propose and act, and refusals from the
	// per-target budget on); zero otherwise.
	Usage Usage
}

// Decide decides what an automation may do about one target at now. It is a
// pure function of its arguments. The rules apply in this order; the first
// that matches decides:
//
//  1. The global kill switch is on: refuse (KillSwitch).
//  2. The automation is halted: refuse (Halted).
//  3. The automation is not fit to act, though it may still alert:
//     alert-only. The class is unknown (UnknownClass), the rung is unknown
//     (UnknownRung), the rung is above the class's posture
//     (RungExceedsPosture), the safety case is incomplete
//     (SafetyCaseIncomplete), or a limit is malformed so that it would fail
//     open (InvalidLimits: see the Validate methods).
//  4. Rung alert: alert-only (RungAlert).
//  5. Rung runbook: alert-only (RungRunbook); the caller names the runbook.
//  6. The overall budget is exhausted: halt (BudgetExhausted).
//  7. The target's budget is exhausted: refuse (PerTargetBudgetExhausted),
//     with RetryAfter until it frees.
//  8. The blast radius would be exceeded: refuse (EmptyTargetSet,
//     AllTargetsMatch, InvalidSnapshot, TargetInFlight, MaxInFlight,
//     MaxUnavailable; see BlastRadius.Check).
//  9. The class's own requirement is not met: refuse. Rollback acts only when
//     the health gate has failed and a previous revision exists
//     (HealthGatePending with RetryAfter, HealthGatePassed,
//     NoPreviousRevision, InvalidSnapshot). Traffic shift acts only one
//     ramp step at a time (RampStepTooLarge, RampTooSoon with RetryAfter,
//     InvalidSnapshot).
//  10. Rung supervised, or a class that always needs a human (NeedsHuman):
//     act if an approval by a named human exists for this target (Approved),
//     else propose (AwaitingApproval).
//  11. Otherwise: act (WithinBudget).
//
// On act, ExhaustsBudget is set when the action brings the count in the
// window to MaxActions: the N-th action is allowed and the caller halts
// right after it, so an N+1-th never comes (and step 6 halts if it does).
//
// in.History must be sorted oldest first (see SortHistory): the window start
// is found by binary search, so an unsorted history is miscounted.
func Decide(in Input, now time.Time) Decision {
	if d, ok := checkStops(&in); ok {
		return d
	}
	if d, ok := checkFitness(&in); ok {
		return d
	}
	switch in.Rung {
	case v1alpha1.RungAlert:
		return Decision{Verdict: VerdictAlertOnly, Reason: ReasonRungAlert,
			Message: "rung alert: raise an alert, take no action"}
	case v1alpha1.RungRunbook:
		return Decision{Verdict: VerdictAlertOnly, Reason: ReasonRungRunbook,
			Message: "rung runbook: raise an alert naming the runbook, take no action"}
	}

	u := in.Budget.Usage(in.History, in.Target, now)
	if err := in.Budget.allow(u, in.Target, now); err != nil {
		d := fromViolation(err)
		if d.Reason == ReasonBudgetExhausted {
			d.Verdict = VerdictHalt
		}
		d.Usage = u
		return d
	}
	if err := in.BlastRadius.Check(in.Blast, in.Target); err != nil {
		return fromViolation(err)
	}
	switch in.Class {
	case v1alpha1.ClassRollback:
		if err := in.HealthGate.AllowRollback(in.Rollout, now); err != nil {
			return fromViolation(err)
		}
	case v1alpha1.ClassTrafficShift:
		if err := in.Ramp.Allow(now); err != nil {
			return fromViolation(err)
		}
	}

	exhausts := u.Count+1 >= in.Budget.MaxActions
	tail := ""
	if exhausts {
		tail = "; it exhausts the budget, halt after acting"
	}
	if in.Rung == v1alpha1.RungSupervised || v1alpha1.NeedsHuman(in.Class) {
		if a := in.Approval; a != nil && a.By != "" && a.Target == in.Target {
			return Decision{Verdict: VerdictAct, Reason: ReasonApproved, ExhaustsBudget: exhausts, Usage: u,
				Message: "approved by " + quote(a.By) + " for " + quote(in.Target) + tail}
		}
		return Decision{Verdict: VerdictPropose, Reason: ReasonAwaitingApproval, Usage: u,
			Message: fmt.Sprintf("class %s at rung %s acts on %q only after a named human approves", in.Class, in.Rung, in.Target)}
	}
	return Decision{Verdict: VerdictAct, Reason: ReasonWithinBudget, ExhaustsBudget: exhausts, Usage: u,
		Message: "within budget: action " + strconv.Itoa(u.Count+1) + " of " + strconv.Itoa(in.Budget.MaxActions) +
			" in " + in.Budget.Window.String() + tail}
}

// checkFitness is step 3: posture, safety case and well-formed limits.
func checkFitness(in *Input) (Decision, bool) {
	alert := func(r Reason, msg string) (Decision, bool) {
		return Decision{Verdict: VerdictAlertOnly, Reason: r, Message: msg}, true
	}
	if err := v1alpha1.CheckRung(in.Class, in.Rung); err != nil {
		switch {
		case errors.Is(err, v1alpha1.ErrUnknownClass):
			return alert(ReasonUnknownClass, err.Error())
		case errors.Is(err, v1alpha1.ErrUnknownRung):
			return alert(ReasonUnknownRung, err.Error())
		default:
			return alert(ReasonRungExceedsPosture, err.Error())
		}
	}
	if !in.SafetyCase.Complete || len(in.SafetyCase.Missing) > 0 {
		msg := "safety case incomplete"
		if len(in.SafetyCase.Missing) > 0 {
			msg += ": missing " + strings.Join(in.SafetyCase.Missing, ", ")
		}
		return alert(ReasonSafetyCaseIncomplete, msg)
	}
	errs := []error{in.Budget.Validate(), in.BlastRadius.Validate()}
	switch in.Class {
	case v1alpha1.ClassRollback:
		errs = append(errs, in.HealthGate.Validate())
	case v1alpha1.ClassTrafficShift:
		errs = append(errs, in.Ramp.Validate())
	}
	if err := errors.Join(errs...); err != nil {
		return alert(ReasonInvalidLimits, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	return Decision{}, false
}

// fromViolation turns a check's error into a refusal.
func fromViolation(err error) Decision {
	v, ok := errors.AsType[*Violation](err)
	if !ok {
		// The checks return only *Violation; anything else is refused too.
		return Decision{Verdict: VerdictRefuse, Reason: ReasonInvalidSnapshot, Message: err.Error()}
	}
	return Decision{Verdict: VerdictRefuse, Reason: v.Reason, Message: v.Message, RetryAfter: v.RetryAfter}
}

func quote(s string) string { return strconv.Quote(s) }
