package assert

import (
	"fmt"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

// haltedAndPaged compiles HaltedAndPaged (see its doc).
func haltedAndPaged(automation string, sc *v1alpha1.SafetyCaseSpec) Check {
	c := Check{Name: HaltedAndPaged, Source: "safetyCase.budget.pageWithin"}
	b := sc.Budget
	if c.NotApplicable = budgetUnstated(b); c.NotApplicable != "" {
		return c
	}
	if b.PageWithin.Duration <= 0 {
		c.NotApplicable = notStated("safetyCase.budget.pageWithin")
		return c
	}
	h := haltRule{automation: automation, max: int(b.MaxActions), w: b.Window.Duration, within: b.PageWithin.Duration}
	c.eval = func(o *Observation) (scorecard.Assertion, string) { return h.grade(o), "" }
	return c
}

// haltRule is what HaltedAndPaged asks of automation: on the max-th action
// in a window w, halt, page within the given time, and act no more.
type haltRule struct {
	automation string
	max        int
	w, within  time.Duration
}

// limit says the rule, for the assertion's Limit.
func (h haltRule) limit() string {
	return fmt.Sprintf("on the %s action in %s: halt, page within %s, act no more", ordinal(h.max), dur(h.w), dur(h.within))
}

// findings are what an assertion says as it is graded: what was measured,
// what went wrong, and the evidence.
type findings struct {
	measured, problems, ev []string
}

// assertion is the assertion the findings make against limit: it passes
// when they hold no problem, and its evidence then leads with the problems.
func (f *findings) assertion(limit string) scorecard.Assertion {
	a := scorecard.Assertion{
		Verdict:  verdict(len(f.problems) == 0),
		Measured: strings.Join(f.measured, "; "),
		Limit:    limit,
		Evidence: strings.Join(f.ev, "; "),
	}
	if len(f.problems) > 0 {
		a.Evidence = strings.Join(f.problems, ", ") + ": " + a.Evidence
	}
	return a
}

// grade evaluates the rule on what was observed.
func (h haltRule) grade(o *Observation) scorecard.Assertion {
	acts := o.accepted()
	x := exhausting(acts, h.w, h.max)
	if x < 0 {
		ev := fmt.Sprintf("ledger: at most %d of %s in any %s; no halt was due",
			len(busiest(acts, h.w)), plural(h.max, "action"), dur(h.w))
		if !o.HaltedAt.IsZero() {
			ev += fmt.Sprintf(" (it halted at %s all the same)", o.when(o.HaltedAt))
		}
		return pass("not exhausted", h.limit(), ev)
	}
	last := acts[x]
	due := last.Time
	f := &findings{ev: []string{fmt.Sprintf("the %s action in %s was %s", ordinal(h.max), dur(h.w), o.describe(last))}}
	if fs := o.activeFaults(due); len(fs) > 0 {
		f.ev[0] += " while " + strings.Join(fs, ", ") + " kept the trigger firing"
	}
	h.judgeHalt(o, f)
	h.judgePage(o, f, due)
	after := o.actedAfter(acts[x+1:], due)
	f.measured = append(f.measured, plural(len(after), "action")+" after")
	if len(after) > 0 {
		f.problems = append(f.problems, "it kept acting")
		f.ev = append(f.ev, fmt.Sprintf("it acted %s after: %s", plural(len(after), "time"), o.list(after)))
	}
	return f.assertion(h.limit())
}

// judgeHalt notes whether the ledger shows the automation halted.
func (h haltRule) judgeHalt(o *Observation, f *findings) {
	if o.HaltedAt.IsZero() {
		f.measured = append(f.measured, "no halt")
		f.problems = append(f.problems, "the ledger shows no halt")
		f.ev = append(f.ev, "the ledger shows no status write that halted the automation after it")
		f.ev = append(f.ev, o.HaltClaims...)
		return
	}
	f.measured = append(f.measured, "halted at "+o.when(o.HaltedAt))
	f.ev = append(f.ev, "the ledger shows the automation's status write setting Halted at "+o.when(o.HaltedAt))
}

// judgePage notes whether a page about the automation arrived in time for
// a halt due at due, late, or not at all, and the pages that came before it
// was due.
func (h haltRule) judgePage(o *Observation, f *findings, due time.Time) {
	page, early, late := o.pagesAbout(h.automation, due, h.within)
	switch {
	case page != nil:
		d := page.Time.Sub(due)
		if d < 0 {
			f.measured = append(f.measured, fmt.Sprintf("paged %s before it", dur(-d)))
		} else {
			f.measured = append(f.measured, fmt.Sprintf("paged %s after it", dur(d)))
		}
		f.ev = append(f.ev, fmt.Sprintf("%s arrived at %s", alertName(*page), o.when(page.Time)))
	case len(late) > 0:
		d := late[0].Time.Sub(due)
		f.measured = append(f.measured, fmt.Sprintf("paged %s after it", dur(d)))
		f.problems = append(f.problems, "the page came late")
		f.ev = append(f.ev, fmt.Sprintf("%s arrived only at %s, %s after the deadline",
			alertName(late[0]), o.when(late[0].Time), dur(d-h.within)))
	default:
		f.measured = append(f.measured, "no page")
		f.problems = append(f.problems, "no page arrived")
		f.ev = append(f.ev, fmt.Sprintf("no page about %s arrived after it%s (%s received in all)",
			h.automation, o.byEnd(), plural(len(o.Pages), "page")))
	}
	if len(early) > 0 {
		f.ev = append(f.ev, fmt.Sprintf("%s about it came before the halt was due, the first at %s, and does not count",
			plural(len(early), "page"), o.when(early[0].Time)))
	}
}

// pagesAbout sorts the pages about automation by a halt due at due: the
// first that came in time (within of due), those that came late, and those
// sent before due, which are not about this halt.
func (o *Observation) pagesAbout(automation string, due time.Time, within time.Duration) (page *scorecard.Page, early, late []scorecard.Page) {
	for i := range o.Pages {
		p := &o.Pages[i]
		if p.Labels[PageLabel] != automation {
			continue
		}
		// A page is about this halt only if it came at or after the action
		// that made the halt due: one sent before is not.
		if p.Time.Before(due) {
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
	return page, early, late
}

// actedAfter returns the actions of acts, those after the one that made a
// halt due at due, up to a human's resume.
func (o *Observation) actedAfter(acts []scorecard.LedgerEntry, due time.Time) []scorecard.LedgerEntry {
	var after []scorecard.LedgerEntry
	resumed := !o.ResumedAt.IsZero() && o.ResumedAt.After(due)
	for _, e := range acts {
		if resumed && !e.Time.Before(o.ResumedAt) {
			break
		}
		after = append(after, e)
	}
	return after
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
