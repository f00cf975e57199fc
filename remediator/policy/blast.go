package policy

import (
	"fmt"
	"slices"
)

// BlastRadius bounds how much an automation may affect at once.
//
// Zero means zero: MaxInFlight 0 allows nothing in flight, so every action is
// refused; MaxUnavailablePercent 0 allows no member of a group to be out.
type BlastRadius struct {
	// MaxInFlight is the most targets being acted on at once, across all
	// groups.
	MaxInFlight int
	// MaxUnavailablePercent is the largest share, 0 to 100, of a group (a
	// workload's replicas, or the nodes) that may be unavailable or affected
	// at once, counting the action about to be taken. The number of members
	// it allows is rounded down: floor(percent × size / 100). There is no
	// minimum of one: 34% of 3 allows 1, 30% of 3 allows none.
	MaxUnavailablePercent int
}

// Scope is the automation's whole scope, as observed now: every target its
// selector covers, such as every pod in scope or every node. It is what the
// empty and all-matching checks judge; it is not the candidate's group.
type Scope struct {
	// Size is how many targets the automation's selector covers now.
	Size int
	// Matched is how many of them the trigger fires for now, the candidate
	// included. Zero means the selector matched nothing although the trigger
	// claims to have fired; Size means it fires for every target in scope at
	// once.
	Matched int
}

// Group is the group a candidate target belongs to, as observed now: one
// workload's replicas, or the nodes. It is what MaxUnavailablePercent bounds.
// It may be smaller than the scope (one workload among several in scope).
type Group struct {
	// Size is the number of members: the workload's desired replicas, or the
	// nodes in scope.
	Size int
	// Unavailable is how many members are unavailable or affected now,
	// including any being acted on (in flight) and, if it is itself
	// unavailable, the candidate.
	Unavailable int
	// TargetUnavailable says the candidate is already counted in Unavailable,
	// so acting on it does not take another member out (a crash-looping pod,
	// a NotReady node). The zero value counts the action as one more member
	// out, which errs towards refusing.
	TargetUnavailable bool
}

// BlastSnapshot is what the blast-radius check needs to know about now.
type BlastSnapshot struct {
	// InFlight names the targets this automation is acting on now: pods
	// deleted but not yet replaced, nodes cordoned but not yet drained.
	InFlight []string
	// Scope is the automation's whole scope and how much of it the trigger
	// fires for.
	Scope Scope
	// Group is the candidate target's group.
	Group Group
}

// Validate reports limits outside their range. The error wraps ErrInvalidLimit.
func (br BlastRadius) Validate() error {
	switch {
	case br.MaxInFlight < 0:
		return fmt.Errorf("%w: blast radius maxInFlight must not be negative, got %d", ErrInvalidLimit, br.MaxInFlight)
	case br.MaxUnavailablePercent < 0 || br.MaxUnavailablePercent > 100:
		return fmt.Errorf("%w: blast radius maxUnavailablePercent must be within 0-100, got %d", ErrInvalidLimit, br.MaxUnavailablePercent)
	}
	return nil
}

// AllowedUnavailable is how many members of a group of size may be out at
// once: floor(MaxUnavailablePercent × size / 100), never below zero.
func (br BlastRadius) AllowedUnavailable(size int) int {
	if size <= 0 || br.MaxUnavailablePercent <= 0 {
		return 0
	}
	return br.MaxUnavailablePercent * size / 100
}

// Check reports whether acting on target now stays within the blast radius.
// It returns nil or a *Violation, checking in this order:
//
//  1. EmptyTargetSet: no target named, an empty scope (Scope.Size <= 0), or
//     nothing matched (Scope.Matched <= 0).
//  2. AllTargetsMatch: the trigger fires for every target in the
//     automation's scope at once (Scope.Matched >= Scope.Size), even a scope
//     of one. This is the capacity removal pattern; acting on everything at
//     once is never within the blast radius, whatever the percentages say.
//     It judges the scope, not the group: a trigger that fires for every
//     replica of one workload among others in scope passes here and is
//     bounded by MaxUnavailable.
//  3. The candidate's group: EmptyTargetSet if it is empty (Group.Size <=
//     0); InvalidSnapshot if Group.Unavailable is negative or above
//     Group.Size.
//  4. TargetInFlight: the target is already being acted on.
//  5. MaxInFlight: len(InFlight) >= MaxInFlight.
//  6. MaxUnavailable: the group's members out after acting, Unavailable (+1
//     unless TargetUnavailable), would exceed AllowedUnavailable(Group.Size).
func (br BlastRadius) Check(s BlastSnapshot, target string) error {
	sc, g := s.Scope, s.Group
	switch {
	case target == "":
		return violation(ReasonEmptyTargetSet, 0, "the trigger fired but names no target")
	case sc.Size <= 0 || sc.Matched <= 0:
		return violation(ReasonEmptyTargetSet, 0,
			"the trigger fired for %q but its target set is empty (%d matched of a scope of %d)", target, sc.Matched, sc.Size)
	case sc.Matched >= sc.Size:
		return violation(ReasonAllTargetsMatch, 0,
			"the trigger fires for every target in scope at once (%d matched of %d); acting on every target removes all capacity", sc.Matched, sc.Size)
	case g.Size <= 0:
		return violation(ReasonEmptyTargetSet, 0,
			"the group of %q is empty (size %d), so there is no capacity to act within", target, g.Size)
	case g.Unavailable < 0 || g.Unavailable > g.Size:
		return violation(ReasonInvalidSnapshot, 0, "group of %d reports %d unavailable", g.Size, g.Unavailable)
	case slices.Contains(s.InFlight, target):
		return violation(ReasonTargetInFlight, 0, "an earlier action on %q has not finished", target)
	case len(s.InFlight) >= br.MaxInFlight:
		return violation(ReasonMaxInFlight, 0,
			"%d targets in flight, at most %d allowed", len(s.InFlight), br.MaxInFlight)
	}
	after := g.Unavailable
	if !g.TargetUnavailable || after == 0 {
		after++
	}
	if allowed := br.AllowedUnavailable(g.Size); after > allowed {
		return violation(ReasonMaxUnavailable, 0,
			"acting on %q would put %d of %d members out, more than the %d allowed by %d%%",
			target, after, g.Size, allowed, br.MaxUnavailablePercent)
	}
	return nil
}
