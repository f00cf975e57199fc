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

// Group is the group a candidate target belongs to, as observed now.
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
	// Matched is how many members the trigger fires for now, the candidate
	// included. Zero means the selector matched nothing although the trigger
	// claims to have fired; Size means it fires for every member at once.
	Matched int
}

// BlastSnapshot is what the blast-radius check needs to know about now.
type BlastSnapshot struct {
	// InFlight names the targets this automation is acting on now: pods
	// deleted but not yet replaced, nodes cordoned but not yet drained.
	InFlight []string
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
//  1. EmptyTargetSet: no target named, an empty group, or nothing matched.
//  2. AllTargetsMatch: the trigger fires for every member of the group at
//     once (Matched >= Size), even a group of one. This is the capacity
//     removal pattern; acting on everything at once is never within the
//     blast radius, whatever the percentages say.
//  3. InvalidSnapshot: negative or impossible counts.
//  4. TargetInFlight: the target is already being acted on.
//  5. MaxInFlight: len(InFlight) >= MaxInFlight.
//  6. MaxUnavailable: the members out after acting, Unavailable (+1 unless
//     TargetUnavailable), would exceed AllowedUnavailable(Size).
func (br BlastRadius) Check(s BlastSnapshot, target string) error {
	g := s.Group
	switch {
	case target == "":
		return violation(ReasonEmptyTargetSet, 0, "the trigger fired but names no target")
	case g.Size <= 0 || g.Matched <= 0:
		return violation(ReasonEmptyTargetSet, 0,
			"the trigger fired for %q but its target set is empty (%d matched of a group of %d)", target, g.Matched, g.Size)
	case g.Matched >= g.Size:
		return violation(ReasonAllTargetsMatch, 0,
			"the trigger fires for all %d of %d members of the group at once; acting on every member removes all capacity", g.Matched, g.Size)
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
