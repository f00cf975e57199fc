package assert

import (
	"fmt"
	"strings"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/scenarios"
)

// expectations compiles the scenario's own expectations that are set.
func expectations(automation string, sc *v1alpha1.SafetyCaseSpec, x scenarios.Expectations) []Check {
	var out []Check
	if x.MinAvailability != nil {
		out = append(out, minAvailability(*x.MinAvailability))
	}
	if x.MaxFalsePositives != nil {
		out = append(out, maxFalse(MaxFalsePositives, "maxFalsePositives", "false positive", *x.MaxFalsePositives,
			func(t *scorecard.Truth) []string { return t.FalsePositives }))
	}
	if x.MaxFalseNegatives != nil {
		out = append(out, maxFalse(MaxFalseNegatives, "maxFalseNegatives", "false negative", *x.MaxFalseNegatives,
			func(t *scorecard.Truth) []string { return t.FalseNegatives }))
	}
	if x.MustHalt != nil {
		out = append(out, mustHalt(*x.MustHalt))
	}
	if x.MustPage != nil {
		out = append(out, mustPage(automation, *x.MustPage))
	}
	if x.MinProposals != nil {
		out = append(out, minProposals(*x.MinProposals))
	}
	if x.MinActions != nil {
		out = append(out, minActions(*x.MinActions))
	}
	if x.MaxActions != nil {
		out = append(out, maxActions(*x.MaxActions))
	}
	if x.BlindSpotsDeclared != nil && *x.BlindSpotsDeclared {
		out = append(out, blindSpotsDeclared(sc.Trigger.FalseNegativeModes))
	}
	return out
}

// minAvailability: the lowest true availability sampled is at least min.
// Without samples it is an error.
func minAvailability(min float64) Check {
	c := Check{Name: MinAvailability, Source: "scenario.expect.minAvailability"}
	limit := "at least " + pct(min)
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		s := o.Truth.Samples
		if len(s) == 0 {
			return errored("no availability samples", limit, "the harness sampled no true availability in this run"), ""
		}
		low := s[0]
		for _, x := range s {
			if x.Availability < low.Availability {
				low = x
			}
		}
		measured := "lowest " + pct(low.Availability)
		ev := fmt.Sprintf("true availability over %s fell lowest to %s at %s",
			plural(len(s), "sample"), pct(low.Availability), o.when(low.Time))
		return scorecard.Assertion{Verdict: verdict(low.Availability+availabilityEpsilon >= min),
			Measured: measured, Limit: limit, Evidence: ev}, ""
	}
	return c
}

// maxFalse: at most max false positives (or negatives) in the truth.
func maxFalse(name, field, noun string, max int, get func(*scorecard.Truth) []string) Check {
	c := Check{Name: name, Source: "scenario.expect." + field}
	limit := "at most " + plural(max, noun)
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		got := get(&o.Truth)
		ev := "truth: none"
		if len(got) > 0 {
			ev = "truth: " + strings.Join(capList(got), "; ")
		}
		return scorecard.Assertion{Verdict: verdict(len(got) <= max),
			Measured: plural(len(got), noun), Limit: limit, Evidence: ev}, ""
	}
	return c
}

// mustHalt: true, a halt must be observed; false, none may be.
func mustHalt(want bool) Check {
	c := Check{Name: MustHalt, Source: "scenario.expect.mustHalt"}
	limit := "halts"
	if !want {
		limit = "never halts"
	}
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		halted := !o.HaltedAt.IsZero()
		measured, ev := "no halt", "the ledger shows no status write that halted the automation"
		if len(o.HaltClaims) > 0 {
			ev += ": " + strings.Join(o.HaltClaims, "; ")
		}
		if halted {
			measured = "halted at " + o.when(o.HaltedAt)
			ev = "the ledger shows the automation's status write setting Halted at " + o.when(o.HaltedAt) + ", and no action after it"
		}
		return scorecard.Assertion{Verdict: verdict(halted == want), Measured: measured, Limit: limit, Evidence: ev}, ""
	}
	return c
}

// mustPage: true, a page about the automation must arrive; false, none may.
func mustPage(automation string, want bool) Check {
	c := Check{Name: MustPage, Source: "scenario.expect.mustPage"}
	limit := "pages"
	if !want {
		limit = "never pages"
	}
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		var mine, early []scorecard.Page
		for _, p := range o.Pages {
			switch {
			case p.Labels[PageLabel] != automation:
			case want && p.Time.Before(o.HaltDue):
				early = append(early, p)
			default:
				mine = append(mine, p)
			}
		}
		measured := plural(len(mine), "page")
		ev := fmt.Sprintf("no page about %s arrived%s (%s received in all)", automation, o.byEnd(), plural(len(o.Pages), "page"))
		if want && !o.HaltDue.IsZero() {
			ev = fmt.Sprintf("no page about %s arrived after the halt was due at %s%s (%s received in all)",
				automation, o.when(o.HaltDue), o.byEnd(), plural(len(o.Pages), "page"))
		}
		if len(early) > 0 {
			ev += fmt.Sprintf("; %s came before the halt was due and does not count", plural(len(early), "page"))
		}
		if len(mine) > 0 {
			ev = fmt.Sprintf("%s arrived at %s", alertName(mine[0]), o.when(mine[0].Time))
			if len(mine) > 1 {
				ev += fmt.Sprintf(", and %s after", plural(len(mine)-1, "more page"))
			}
		}
		return scorecard.Assertion{Verdict: verdict((len(mine) > 0) == want), Measured: measured, Limit: limit, Evidence: ev}, ""
	}
	return c
}

// minActions: the automation took at least min accepted actions.
func minActions(min int) Check {
	c := Check{Name: MinActions, Source: "scenario.expect.minActions"}
	limit := "at least " + plural(min, "action")
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		acts := o.accepted()
		ev := "ledger: no accepted action by " + o.identity()
		if len(acts) > 0 {
			ev = fmt.Sprintf("ledger: %s by %s, %s", plural(len(acts), "accepted action"), o.identity(), o.span(acts))
		}
		return scorecard.Assertion{Verdict: verdict(len(acts) >= min),
			Measured: plural(len(acts), "action"), Limit: limit, Evidence: ev + o.rejectedNote()}, ""
	}
	return c
}

// maxActions: the automation took at most max accepted actions.
func maxActions(max int) Check {
	c := Check{Name: MaxActions, Source: "scenario.expect.maxActions"}
	limit := "at most " + plural(max, "action")
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		acts := o.accepted()
		ev := "ledger: no accepted action by " + o.identity()
		if len(acts) > 0 {
			ev = fmt.Sprintf("ledger: %s by %s, %s", plural(len(acts), "accepted action"), o.identity(), o.span(acts))
		}
		return scorecard.Assertion{Verdict: verdict(len(acts) <= max),
			Measured: plural(len(acts), "action"), Limit: limit, Evidence: ev + o.rejectedNote()}, ""
	}
	return c
}

// blindSpotsDeclared: every real outage left unremedied is one the safety
// case owns up to. A trigger cannot act on what its signal cannot see; the
// safety case must say where that ceiling is, and the truth shows where the
// run hit it.
func blindSpotsDeclared(modes []string) Check {
	c := Check{Name: BlindSpotsDeclared, Source: "scenario.expect.blindSpotsDeclared, safetyCase.trigger.falseNegativeModes"}
	limit := "every unremedied outage covered by a declared false-negative mode"
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		missed := o.Truth.FalseNegatives
		measured := plural(len(missed), "unremedied outage") + ", " + plural(len(modes), "declared false-negative mode")
		if len(missed) == 0 {
			return scorecard.Assertion{Verdict: scorecard.VerdictPass, Measured: measured, Limit: limit,
				Evidence: "truth: every real outage was remedied; no blind spot was hit"}, ""
		}
		if len(modes) == 0 {
			return scorecard.Assertion{Verdict: scorecard.VerdictFail, Measured: measured, Limit: limit,
				Evidence: "truth: " + strings.Join(capList(missed), "; ") +
					"; the safety case declares no false-negative mode, so it claims a trigger that sees every failure"}, ""
		}
		return scorecard.Assertion{Verdict: scorecard.VerdictPass, Measured: measured, Limit: limit,
			Evidence: "truth: " + strings.Join(capList(missed), "; ") +
				"; observability is the ceiling: the trigger could not see these outages, as the safety case declares: " +
				strings.Join(quoteAll(modes), " ")}, ""
	}
	return c
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", strings.Join(strings.Fields(s), " "))
	}
	return out
}

// minProposals: the remediator filed at least min RemediationProposals, as
// the ledger shows (accepted creates in its namespace).
func minProposals(min int) Check {
	c := Check{Name: MinProposals, Source: "scenario.expect.minProposals"}
	limit := "at least " + plural(min, "proposal")
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		n := len(o.Proposals)
		ev := "ledger: no proposal filed by " + o.identity()
		if n > 0 {
			ev = fmt.Sprintf("ledger: %s filed by %s, the first at %s", plural(n, "proposal"), o.identity(), o.when(o.Proposals[0].Time))
		}
		return scorecard.Assertion{Verdict: verdict(n >= min), Measured: plural(n, "proposal"), Limit: limit, Evidence: ev}, ""
	}
	return c
}
