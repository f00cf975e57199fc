package render

import (
	"fmt"
	"strings"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// countsLine is the headline of the assertions, as every rendering prints
// it: "4 passed, 1 failed, 0 errored, 2 skipped".
func countsLine(s *scorecard.Scorecard) string {
	pass, fail, errs := s.Counts()
	return fmt.Sprintf("%d passed, %d failed, %d errored, %d skipped", pass, fail, errs, len(s.Skipped))
}

// tallyLine is the tally for people: "5 actions: 3 evict, 2 restart; 1
// reversal (not counted); 12 bookkeeping writes". With no action at all it
// starts "0 actions".
func tallyLine(t scorecard.ActionTally) string {
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

// joinCounts prints counts by kind: "3 evict, 2 restart".
func joinCounts(cs []scorecard.KindCount) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%d %s", c.N, c.Kind)
	}
	return strings.Join(out, ", ")
}

// accepted counts the entries the API server did not reject.
func accepted(es []scorecard.LedgerEntry) int {
	n := 0
	for _, e := range es {
		if !e.Rejected() {
			n++
		}
	}
	return n
}

// unattributed counts the entries the harness could attribute to no one.
func unattributed(es []scorecard.LedgerEntry) int {
	n := 0
	for _, e := range es {
		if e.Unattributed() {
			n++
		}
	}
	return n
}
