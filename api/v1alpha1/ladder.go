package v1alpha1

import (
	"errors"
	"fmt"
)

// ActionClass says how reversible an action is, which fixes its posture.
// The table is policy, not a per-incident judgement: both the remediator
// and the harness that grades it speak it.
type ActionClass string

// The seven action classes.
const (
	// ClassRestart restarts a workload or reschedules it off a node:
	// reversible in seconds.
	ClassRestart ActionClass = "restart"
	// ClassRollback rolls back a deploy: reversible if artifacts and schema allow.
	ClassRollback ActionClass = "rollback"
	// ClassTrafficShift shifts traffic between pools: reversible in minutes, rate-limited.
	ClassTrafficShift ActionClass = "traffic-shift"
	// ClassScaleDown scales down or reclaims resources: partially reversible, state decides.
	ClassScaleDown ActionClass = "scale-down"
	// ClassDestructive deletes data, rotates credentials or revokes identity: irreversible.
	ClassDestructive ActionClass = "destructive"
	// ClassFailover fails over a database on async replication: divergence is permanent.
	ClassFailover ActionClass = "failover"
	// ClassIsolate isolates a network segment or host: destroys evidence, halts business.
	ClassIsolate ActionClass = "isolate"
)

// Rung is a step on the promotion ladder.
type Rung string

// The four rungs, lowest first.
const (
	// RungAlert only raises an alert.
	RungAlert Rung = "alert"
	// RungRunbook also names the runbook and what it would do.
	RungRunbook Rung = "runbook"
	// RungSupervised files a proposal and acts only after a named human approves.
	RungSupervised Rung = "supervised"
	// RungUnsupervised acts by itself, within its budget.
	RungUnsupervised Rung = "unsupervised"
)

// Rungs lists the ladder, lowest first.
var Rungs = []Rung{RungAlert, RungRunbook, RungSupervised, RungUnsupervised}

// Level is the rung's position on the ladder (alert = 0), or -1 if unknown.
func (r Rung) Level() int {
	for i, x := range Rungs {
		if x == r {
			return i
		}
	}
	return -1
}

// Valid reports whether r is one of the four rungs.
func (r Rung) Valid() bool { return r.Level() >= 0 }

// Requirement is the condition a class's posture attaches to acting.
type Requirement string

// Requirements a posture may carry.
const (
	// RequireBudget: act freely, within the action budget.
	RequireBudget Requirement = "budget"
	// RequireHealthGate: act only behind a health gate.
	RequireHealthGate Requirement = "health-gate"
	// RequireRamp: act only in gradual, rate-limited steps.
	RequireRamp Requirement = "ramp"
	// RequireApproval: act only after a named human approves.
	RequireApproval Requirement = "approval"
	// RequireOwnerDecision: a human decides, and the owner is logged.
	RequireOwnerDecision Requirement = "owner-decision"
	// RequireRehearsal: a human decides, on a rehearsed procedure.
	RequireRehearsal Requirement = "rehearsed-decision"
	// RequirePreNegotiated: a human decides, under pre-negotiated authority.
	RequirePreNegotiated Requirement = "pre-negotiated-decision"
)

// Posture is the highest rung a class may reach and what acting requires.
type Posture struct {
	Class       ActionClass
	Reversible  string
	MaxRung     Rung
	Requirement Requirement
}

// Postures is the action-class table, in DESIGN.md's order.
var Postures = []Posture{
	{ClassRestart, "yes, seconds", RungUnsupervised, RequireBudget},
	{ClassRollback, "yes, if artifacts and schema allow", RungUnsupervised, RequireHealthGate},
	{ClassTrafficShift, "yes, minutes, rate-limited", RungUnsupervised, RequireRamp},
	{ClassScaleDown, "partially: state decides", RungSupervised, RequireApproval},
	{ClassDestructive, "no", RungSupervised, RequireOwnerDecision},
	{ClassFailover, "no: divergence is permanent", RungSupervised, RequireRehearsal},
	{ClassIsolate, "no: destroys evidence, halts business", RungSupervised, RequirePreNegotiated},
}

// PostureOf returns the class's posture.
func PostureOf(c ActionClass) (Posture, bool) {
	for _, p := range Postures {
		if p.Class == c {
			return p, true
		}
	}
	return Posture{}, false
}

// NeedsHuman reports whether acting in class c always needs a named human's
// approval, at any rung.
func NeedsHuman(c ActionClass) bool {
	p, ok := PostureOf(c)
	return !ok || p.MaxRung.Level() < RungUnsupervised.Level()
}

// Errors CheckRung wraps, for errors.Is.
var (
	// ErrUnknownClass: the action class is not in the table.
	ErrUnknownClass = errors.New("unknown action class")
	// ErrUnknownRung: the rung is not on the ladder.
	ErrUnknownRung = errors.New("unknown rung")
	// ErrRungExceedsPosture: the rung is above the class's posture.
	ErrRungExceedsPosture = errors.New("exceeds the posture")
)

// CheckRung returns an error if rung r exceeds class c's posture. The error
// wraps ErrUnknownClass, ErrUnknownRung or ErrRungExceedsPosture.
func CheckRung(c ActionClass, r Rung) error {
	p, ok := PostureOf(c)
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownClass, c)
	}
	if !r.Valid() {
		return fmt.Errorf("%w %q", ErrUnknownRung, r)
	}
	if r.Level() > p.MaxRung.Level() {
		return fmt.Errorf("rung %q %w of class %q (highest allowed: %q)", r, ErrRungExceedsPosture, c, p.MaxRung)
	}
	return nil
}
