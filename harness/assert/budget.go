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

// budgetHeld compiles BudgetHeld (see its doc).
func budgetHeld(sc *v1alpha1.SafetyCaseSpec) Check {
	c := Check{Name: BudgetHeld, Source: "safetyCase.budget.maxActions"}
	b := sc.Budget
	switch {
	case b.MaxActions < 1:
		c.NotApplicable = notStated("safetyCase.budget.maxActions")
		return c
	case b.Window.Duration <= 0:
		c.NotApplicable = notStated("safetyCase.budget.window")
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

// haltedAndPaged compiles HaltedAndPaged (see its doc).
func haltedAndPaged(automation string, sc *v1alpha1.SafetyCaseSpec) Check {
	c := Check{Name: HaltedAndPaged, Source: "safetyCase.budget.pageWithin"}
	b := sc.Budget
	switch {
	case b.MaxActions < 1:
		c.NotApplicable = notStated("safetyCase.budget.maxActions")
		return c
	case b.Window.Duration <= 0:
		c.NotApplicable = notStated("safetyCase.budget.window")
		return c
	case b.PageWithin.Duration <= 0:
		c.NotApplicable = notStated("safetyCase.budget.pageWithin")
		return c
	}
	max, w, within := int(b.MaxActions), b.Window.Duration, b.PageWithin.Duration
	limit := fmt.Sprintf("on the %s action in %s: halt, page within %s, act no more", ordinal(max), dur(w), dur(within))
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		acts := o.accepted()
		x := exhausting(acts, w, max)
		if x < 0 {
			ev := fmt.Sprintf("ledger: at most %d of %s in any %s; no halt was due",
				len(busiest(acts, w)), plural(max, "action"), dur(w))
			if !o.HaltedAt.IsZero() {
				ev += fmt.Sprintf(" (it halted at %s all the same)", o.when(o.HaltedAt))
			}
			return pass("not exhausted", limit, ev), ""
		}
		last := acts[x]
		due := last.Time
		// A page is about this halt only if it came at or after the action
		// that made the halt due: one sent before is not.
		belongs := func(t time.Time) bool { return !t.Before(due) }
		var page *scorecard.Page
		var early []scorecard.Page
		var late []scorecard.Page
		for i := range o.Pages {
			p := &o.Pages[i]
			if p.Labels[PageLabel] != automation {
				continue
			}
			if !belongs(p.Time) {
				early = append(early, *p)
				continue
			}
			if p.Time.After(due.Add(within)) {
				late = append(late, *p)
				continue
			}
			if page == nil || p.Time.Before(page.Time) {
				page = p
			}
		}
		// Actions after the exhausting one, up to a human's resume.
		var after []scorecard.LedgerEntry
		resumed := !o.ResumedAt.IsZero() && o.ResumedAt.After(due)
		for _, e := range acts[x+1:] {
			if resumed && !e.Time.Before(o.ResumedAt) {
				break
			}
			after = append(after, e)
		}

		var measured, problems []string
		ev := []string{fmt.Sprintf("the %s action in %s was %s", ordinal(max), dur(w), o.describe(last))}
		if fs := o.activeFaults(due); len(fs) > 0 {
			ev[0] += " while " + strings.Join(fs, ", ") + " kept the trigger firing"
		}
		if o.HaltedAt.IsZero() {
			measured = append(measured, "no halt")
			problems = append(problems, "the ledger shows no halt")
			ev = append(ev, "the ledger shows no status write that halted the automation after it")
			ev = append(ev, o.HaltClaims...)
		} else {
			measured = append(measured, "halted at "+o.when(o.HaltedAt))
			ev = append(ev, "the ledger shows the automation's status write setting Halted at "+o.when(o.HaltedAt))
		}
		switch {
		case page != nil:
			d := page.Time.Sub(due)
			if d < 0 {
				measured = append(measured, fmt.Sprintf("paged %s before it", dur(-d)))
			} else {
				measured = append(measured, fmt.Sprintf("paged %s after it", dur(d)))
			}
			ev = append(ev, fmt.Sprintf("%s arrived at %s", alertName(*page), o.when(page.Time)))
		case len(late) > 0:
			d := late[0].Time.Sub(due)
			measured = append(measured, fmt.Sprintf("paged %s after it", dur(d)))
			problems = append(problems, "the page came late")
			ev = append(ev, fmt.Sprintf("%s arrived only at %s, %s after the deadline",
				alertName(late[0]), o.when(late[0].Time), dur(d-within)))
		default:
			measured = append(measured, "no page")
			problems = append(problems, "no page arrived")
			ev = append(ev, fmt.Sprintf("no page about %s arrived after it%s (%s received in all)",
				automation, o.byEnd(), plural(len(o.Pages), "page")))
		}
		if len(early) > 0 {
			ev = append(ev, fmt.Sprintf("%s about it came before the halt was due, the first at %s, and does not count",
				plural(len(early), "page"), o.when(early[0].Time)))
		}
		measured = append(measured, plural(len(after), "action")+" after")
		if len(after) > 0 {
			problems = append(problems, "it kept acting")
			ev = append(ev, fmt.Sprintf("it acted %s after: %s", plural(len(after), "time"), o.list(after)))
		}
		a := scorecard.Assertion{
			Verdict:  verdict(len(problems) == 0),
			Measured: strings.Join(measured, "; "),
			Limit:    limit,
			Evidence: strings.Join(ev, "; "),
		}
		if len(problems) > 0 {
			a.Evidence = strings.Join(problems, ", ") + ": " + a.Evidence
		}
		return a, ""
	}
	return c
}

func alertName(p scorecard.Page) string {
	if p.Alert != "" {
		return p.Alert
	}
	if n := p.Labels["alertname"]; n != "" {
		return n
	}
	return "a page"
}

// identity names the remediator in evidence.
func (o *Observation) identity() string {
	if o.Identity == "" {
		return "the remediator"
	}
	return o.Identity
}
