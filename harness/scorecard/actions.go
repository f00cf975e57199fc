package scorecard

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// What the harness says of a ledger entry (LedgerEntry.Actor, .Kind) that
// the renderings treat apart.
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
)

// isBookkeeping reports whether the harness classified e as bookkeeping or
// a review: a request of the remediator's that is not an action.
func isBookkeeping(e LedgerEntry) bool { return e.Kind == kindBookkeeping || e.Kind == kindReview }

// remediatorRequests returns the ledger entries that are the remediator's
// own requests, sorted by time: those the harness attributed to the
// remediator, and, of those not attributed at all, those made as Identity
// (every one if Identity is empty).
func (s *Scorecard) remediatorRequests() []LedgerEntry {
	var out []LedgerEntry
	for _, e := range s.Ledger {
		if e.Actor == actorRemediator || e.Actor == "" && (s.Identity == "" || e.User == s.Identity) {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b LedgerEntry) int { return a.Time.Compare(b.Time) })
	return out
}

// sortedActions returns Actions sorted by time, leaving s untouched.
func (s *Scorecard) sortedActions() []Action {
	out := slices.Clone(s.Actions)
	slices.SortStableFunc(out, func(a, b Action) int { return a.Time.Compare(b.Time) })
	return out
}

// countedActions is how many Actions are Counted: the one action count
// that the card, the chart and the assertions share.
func (s *Scorecard) countedActions() int {
	n := 0
	for _, a := range s.Actions {
		if a.Counted {
			n++
		}
	}
	return n
}

// kindCount is how many actions were of one kind.
type kindCount struct {
	Kind string
	N    int
}

// actionTally breaks the run's actions down for the summaries.
type actionTally struct {
	// Counted is the number of counted Actions, and ByKind the same by
	// kind, most first.
	Counted int
	ByKind  []kindCount
	// Uncounted is the number of Actions not counted (reversals), and
	// UncountedByKind the same by kind.
	Uncounted       int
	UncountedByKind []kindCount
	// Bookkeeping and Reviews count the remediator's ledger entries
	// classified "bookkeeping" and "review".
	Bookkeeping, Reviews int
}

// tally counts the actions of s by kind, and the remediator's bookkeeping.
func (s *Scorecard) tally() actionTally {
	var t actionTally
	counted, uncounted := map[string]int{}, map[string]int{}
	for _, a := range s.Actions {
		kind := actionKind(a)
		if a.Counted {
			t.Counted++
			counted[kind]++
		} else {
			t.Uncounted++
			uncounted[kind]++
		}
	}
	t.ByKind, t.UncountedByKind = byCount(counted), byCount(uncounted)
	for _, e := range s.remediatorRequests() {
		switch e.Kind {
		case kindBookkeeping:
			t.Bookkeeping++
		case kindReview:
			t.Reviews++
		}
	}
	return t
}

// String is the tally for people: "5 actions: 3 evict, 2 restart; 1
// reversal (not counted); 12 bookkeeping writes". With no action at all it
// starts "0 actions".
func (t actionTally) String() string {
	parts := []string{plural(t.Counted, "action")}
	if len(t.ByKind) > 0 {
		parts[0] += ": " + joinCounts(t.ByKind)
	}
	switch {
	case t.Uncounted == 0:
	case len(t.UncountedByKind) == 1 && t.UncountedByKind[0].Kind == "reversal":
		parts = append(parts, plural(t.Uncounted, "reversal")+" (not counted)")
	default:
		parts = append(parts, fmt.Sprintf("%d not counted: %s", t.Uncounted, joinCounts(t.UncountedByKind)))
	}
	if t.Bookkeeping > 0 {
		parts = append(parts, plural(t.Bookkeeping, "bookkeeping write"))
	}
	if t.Reviews > 0 {
		parts = append(parts, plural(t.Reviews, "access or token review"))
	}
	return strings.Join(parts, "; ")
}

// actionKind is a's kind, or "unknown" if the harness gave it none.
func actionKind(a Action) string {
	if a.Kind == "" {
		return "unknown"
	}
	return a.Kind
}

// byCount lists counts by kind, the most first, then by kind.
func byCount(m map[string]int) []kindCount {
	out := make([]kindCount, 0, len(m))
	for k, n := range m {
		out = append(out, kindCount{k, n})
	}
	slices.SortFunc(out, func(a, b kindCount) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Kind, b.Kind))
	})
	return out
}

// joinCounts prints counts by kind: "3 evict, 2 restart".
func joinCounts(cs []kindCount) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%d %s", c.N, c.Kind)
	}
	return strings.Join(out, ", ")
}

// formatCounted prints Action.Counted for a table.
func formatCounted(a Action) string {
	if a.Counted {
		return "yes"
	}
	return "no"
}

// formatUntil prints when an action's target stopped being affected, as an
// offset from origin: "still at end" for a counted action whose target still
// was at the end of the run, "—" for an uncounted one (a reversal) without.
func formatUntil(a Action, origin time.Time) string {
	if a.Until.IsZero() && a.Counted {
		return "still at end"
	}
	return formatOffset(a.Until, origin)
}

// actionTitle describes one action in a line, for the chart's tooltips.
func actionTitle(a Action, origin time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", formatOffset(a.Time, origin), actionKind(a), a.Target)
	if a.Detail != "" {
		b.WriteString(", " + a.Detail)
	}
	about := []string{"class " + orNone(a.Class)}
	if a.Automation != "" {
		about = append([]string{a.Automation}, about...)
	}
	fmt.Fprintf(&b, " (%s)", strings.Join(about, ", "))
	if !a.Until.IsZero() {
		fmt.Fprintf(&b, ", until %s", formatOffset(a.Until, origin))
	}
	if !a.Counted {
		b.WriteString("; not counted")
	}
	return b.String()
}
