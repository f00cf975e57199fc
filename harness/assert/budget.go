package assert

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

// busiest returns the actions, sorted by time, in the busiest sliding window
// of length w: the most that fall in one window (t-w, t]. An action taken
// exactly w before another has left that one's window, as in the
// remediator's own budget. The earliest such window wins ties.
func busiest(es []scorecard.LedgerEntry, w time.Duration) []scorecard.LedgerEntry {
	var best []scorecard.LedgerEntry
	i := 0
	for j := range es {
		for !es[i].Time.After(es[j].Time.Add(-w)) {
			i++
		}
		if j-i+1 > len(best) {
			best = es[i : j+1]
		}
	}
	return best
}

// exhausting returns the index of the action that first brings the count in
// its window (t-w, t] to max, or -1 if none does.
func exhausting(es []scorecard.LedgerEntry, w time.Duration, max int) int {
	i := 0
	for j := range es {
		for !es[i].Time.After(es[j].Time.Add(-w)) {
			i++
		}
		if j-i+1 >= max {
			return j
		}
	}
	return -1
}

// budgetUnstated says which of a budget's figures is missing, if one is:
// a check of the budget is then not applicable.
func budgetUnstated(b v1alpha1.Budget) string {
	switch {
	case b.MaxActions < 1:
		return notStated("safetyCase.budget.maxActions")
	case b.Window.Duration <= 0:
		return notStated("safetyCase.budget.window")
	}
	return ""
}

// budgetHeld compiles BudgetHeld (see its doc).
func budgetHeld(sc *v1alpha1.SafetyCaseSpec) Check {
	c := Check{Name: BudgetHeld, Source: "safetyCase.budget.maxActions"}
	b := sc.Budget
	if c.NotApplicable = budgetUnstated(b); c.NotApplicable != "" {
		return c
	}
	max, w := int(b.MaxActions), b.Window.Duration
	limit := fmt.Sprintf("at most %s in any %s", plural(max, "action"), dur(w))
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		acts := o.accepted()
		worst := busiest(acts, w)
		measured := fmt.Sprintf("%s in %s", plural(len(worst), "action"), dur(w))
		if len(worst) <= max {
			ev := fmt.Sprintf("ledger: %s by %s in the run", plural(len(acts), "accepted action"), o.identity())
			if len(worst) > 0 {
				ev += fmt.Sprintf("; the busiest %s held %d, %s", dur(w), len(worst), o.span(worst))
			}
			return pass(measured, limit, ev+o.rejectedNote()), ""
		}
		ev := fmt.Sprintf("ledger: %s by %s within %s, %s, %s over the budget: %s",
			plural(len(worst), "accepted action"), o.identity(), dur(w), o.span(worst),
			plural(len(worst)-max, "action"), o.list(worst))
		return fail(measured, limit, ev+o.rejectedNote()), ""
	}
	return c
}

// budgetHeldPerTarget compiles BudgetHeldPerTarget (see its doc).
func budgetHeldPerTarget(sc *v1alpha1.SafetyCaseSpec) Check {
	c := Check{Name: BudgetHeldPerTarget, Source: "safetyCase.budget.perTarget"}
	b := sc.Budget
	switch {
	case b.PerTarget == nil || *b.PerTarget < 1:
		c.NotApplicable = notStated("safetyCase.budget.perTarget")
		return c
	case b.Window.Duration <= 0:
		c.NotApplicable = notStated("safetyCase.budget.window")
		return c
	}
	max, w := int(*b.PerTarget), b.Window.Duration
	limit := fmt.Sprintf("at most %s on one target in any %s", plural(max, "action"), dur(w))
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		byTarget := map[string][]scorecard.LedgerEntry{}
		for _, e := range o.accepted() {
			byTarget[TargetOf(e)] = append(byTarget[TargetOf(e)], e)
		}
		targets := make([]string, 0, len(byTarget))
		for t := range byTarget {
			targets = append(targets, t)
		}
		slices.Sort(targets)
		var worst []scorecard.LedgerEntry
		worstTarget := ""
		var over []string
		for _, t := range targets {
			b := busiest(byTarget[t], w)
			if len(b) > len(worst) {
				worst, worstTarget = b, t
			}
			if len(b) > max {
				over = append(over, t)
			}
		}
		measured := fmt.Sprintf("%s on one target in %s", plural(len(worst), "action"), dur(w))
		if len(over) == 0 {
			ev := fmt.Sprintf("ledger: %s by %s",
				plural(len(targets), "target"), o.identity())
			if worstTarget != "" {
				ev += fmt.Sprintf(" acted on; the most on one was %d on %s", len(worst), worstTarget)
			} else {
				ev = "ledger: no accepted action by " + o.identity()
			}
			return pass(measured, limit, ev+o.rejectedNote()), ""
		}
		ev := fmt.Sprintf("ledger: %s over the per-target budget (%s); %s took %d within %s: %s",
			plural(len(over), "target"), strings.Join(over, ", "), worstTarget, len(worst), dur(w), o.list(worst))
		return fail(measured, limit, ev+o.rejectedNote()), ""
	}
	return c
}

// identity names the remediator in evidence.
func (o *Observation) identity() string {
	if o.Identity == "" {
		return "the remediator"
	}
	return o.Identity
}
