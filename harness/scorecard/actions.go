package scorecard

import (
	"cmp"
	"slices"
)

// What the harness says of a ledger entry (LedgerEntry.Actor, .Kind) that
// the queries below treat apart. The harness's ledger package writes the
// same words.
const (
	// actorRemediator is a request the harness attributes to the remediator.
	actorRemediator = "remediator"
	// actorUnattributed is a request the harness could attribute to no one.
	actorUnattributed = "unattributed"
	// kindBookkeeping is a write the remediator keeps its own state with:
	// its status, Events, leases. Never an action.
	kindBookkeeping = "bookkeeping"
	// kindReview is an access or token review. Never an action.
	kindReview = "review"
	// kindUnknown is the kind of an action the harness gave none.
	kindUnknown = "unknown"
)

// IsBookkeeping reports whether the harness classified e as bookkeeping
// or a review: a request of the remediator's that is never an action.
func (e LedgerEntry) IsBookkeeping() bool { return e.Kind == kindBookkeeping || e.Kind == kindReview }

// Unattributed reports whether the harness could attribute e to no one.
func (e LedgerEntry) Unattributed() bool { return e.Actor == actorUnattributed }

// RemediatorRequests returns the ledger entries that are the remediator's
// own requests, sorted by time: those the harness attributed to the
// remediator, and, of those not attributed at all, those made as Identity
// (every one if Identity is empty). s is not modified.
func (s *Scorecard) RemediatorRequests() []LedgerEntry {
	mine := func(e *LedgerEntry) bool {
		return e.Actor == actorRemediator || e.Actor == "" && (s.Identity == "" || e.User == s.Identity)
	}
	// The entries are counted first: growing the slice entry by entry
	// copied 10,000 entries of 200-odd bytes five times over.
	n := 0
	for i := range s.Ledger {
		if mine(&s.Ledger[i]) {
			n++
		}
	}
	out := make([]LedgerEntry, 0, n)
	for i := range s.Ledger {
		if mine(&s.Ledger[i]) {
			out = append(out, s.Ledger[i])
		}
	}
	slices.SortStableFunc(out, func(a, b LedgerEntry) int { return a.Time.Compare(b.Time) })
	return out
}

// CountedActions is how many Actions are Counted: the one action count
// that the assertions and every rendering share.
func (s *Scorecard) CountedActions() int {
	n := 0
	for _, a := range s.Actions {
		if a.Counted {
			n++
		}
	}
	return n
}

// KindOrUnknown is a's Kind, or "unknown" if the harness gave it none.
func (a Action) KindOrUnknown() string {
	if a.Kind == "" {
		return kindUnknown
	}
	return a.Kind
}

// KindCount is how many actions were of one kind.
type KindCount struct {
	// Kind is the actions' kind, as Action.KindOrUnknown gives it.
	Kind string
	// N is how many there were.
	N int
}

// ActionTally breaks a run's actions down by kind, with the remediator's
// bookkeeping beside them.
type ActionTally struct {
	// Counted is the number of counted Actions, and ByKind the same by
	// kind, most first.
	Counted int
	ByKind  []KindCount
	// Uncounted is the number of Actions not counted (reversals), and
	// UncountedByKind the same by kind, most first.
	Uncounted       int
	UncountedByKind []KindCount
	// Bookkeeping and Reviews count the remediator's ledger entries
	// classified "bookkeeping" and "review".
	Bookkeeping, Reviews int
}

// Tally counts the actions of s by kind, and the remediator's bookkeeping
// among its RemediatorRequests.
func (s *Scorecard) Tally() ActionTally {
	var t ActionTally
	counted, uncounted := map[string]int{}, map[string]int{}
	for _, a := range s.Actions {
		kind := a.KindOrUnknown()
		if a.Counted {
			t.Counted++
			counted[kind]++
		} else {
			t.Uncounted++
			uncounted[kind]++
		}
	}
	t.ByKind, t.UncountedByKind = byCount(counted), byCount(uncounted)
	for _, e := range s.RemediatorRequests() {
		switch e.Kind {
		case kindBookkeeping:
			t.Bookkeeping++
		case kindReview:
			t.Reviews++
		}
	}
	return t
}

// byCount lists counts by kind, the most first, then by kind.
func byCount(m map[string]int) []KindCount {
	out := make([]KindCount, 0, len(m))
	for k, n := range m {
		out = append(out, KindCount{k, n})
	}
	slices.SortFunc(out, func(a, b KindCount) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Kind, b.Kind))
	})
	return out
}
