package assert

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

// Telemetry is what the harness read from the remediator's /metrics over
// one run, for one automation (see Grade).
type Telemetry struct {
	// Scrapes is how many scrapes succeeded; Errors say why others failed.
	Scrapes int
	Errors  []string
	// Actions is the increase over the run of
	// interlock_remediator_actions_total{automation,outcome="succeeded"},
	// summed over its other labels, allowing for counter resets; nil if the
	// series was in no scrape.
	Actions *float64
	// ActionsMissing counts the successful scrapes that lacked that series.
	ActionsMissing int
	// Halted is interlock_remediator_halted{automation} in the last
	// successful scrape, summed over its other labels; nil if absent.
	Halted *float64
	// PagesSent is the increase of
	// interlock_remediator_pages_sent_total{automation,outcome="succeeded"};
	// a series first seen mid-run counts from 0 (a counter child appears
	// with its first increment); nil if absent from every scrape.
	PagesSent *float64
}

// telemetryTruthful compiles TelemetryTruthful (see its doc).
func telemetryTruthful(automation string, sc *v1alpha1.SafetyCaseSpec) Check {
	c := Check{Name: TelemetryTruthful, Source: "safetyCase.telemetry"}
	declared := map[string]bool{}
	for i, s := range sc.Telemetry {
		declared[s.Metric] = true
		if s.Metric == contract.MetricActionsTotal && c.Source == "safetyCase.telemetry" {
			c.Source = fmt.Sprintf("safetyCase.telemetry[%d].metric", i)
		}
	}
	series := fmt.Sprintf("%s{automation=%q,outcome=%q}", contract.MetricActionsTotal, automation, contract.OutcomeSucceeded)
	limit := "the action counter equals the ledger's accepted actions, in every scrape"
	if declared[contract.MetricHalted] {
		limit += "; the halted gauge agrees with the halt the ledger proves"
	}
	if declared[contract.MetricPagesSentTotal] {
		limit += "; pages sent equal the pages received"
	}
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		n := len(o.accepted())
		t := o.Telemetry
		if t == nil {
			t = &Telemetry{}
		}
		if t.Scrapes < 2 {
			ev := fmt.Sprintf("only %s of the remediator's /metrics succeeded; the harness needs one at the start and one at the end", plural(t.Scrapes, "scrape"))
			if len(t.Errors) > 0 {
				ev += ": " + strings.Join(capList(t.Errors), "; ")
			}
			return fail(fmt.Sprintf("%s; ledger %d", plural(t.Scrapes, "scrape"), n), limit, ev), ""
		}
		if t.Actions == nil || t.ActionsMissing > 0 {
			return fail(fmt.Sprintf("%s absent from %d of %d scrapes; ledger %d", series, t.ActionsMissing, t.Scrapes, n), limit,
				fmt.Sprintf("the remediator did not expose %s in every scrape; an absent series is not read as 0: expose it from the start", series)), ""
		}
		v := *t.Actions
		f := &findings{measured: []string{fmt.Sprintf("%s = %s; ledger %d", series, fmtCount(v), n)}}
		if v != float64(n) {
			dir := "more"
			if v < float64(n) {
				dir = "fewer"
			}
			f.problems = append(f.problems, fmt.Sprintf("the remediator counted %s actions than the audit log shows (%s vs %s by %s%s)",
				dir, fmtCount(v), plural(n, "accepted action"), o.identity(), o.rejectedNote()))
		}
		if declared[contract.MetricHalted] {
			o.judgeHaltedGauge(t, f)
		}
		if declared[contract.MetricPagesSentTotal] {
			o.judgePagesSent(automation, t, f)
		}
		if len(f.problems) > 0 {
			return fail(strings.Join(f.measured, "; "), limit, strings.Join(f.problems, "; ")), ""
		}
		return pass(strings.Join(f.measured, "; "), limit, fmt.Sprintf("over %s the remediator counted %d and the audit log shows %s by %s%s",
			plural(t.Scrapes, "scrape"), n, plural(n, "accepted action"), o.identity(), o.rejectedNote())), ""
	}
	return c
}

// judgeHaltedGauge notes whether the halted gauge at the end agrees with
// the halt the ledger proves.
func (o *Observation) judgeHaltedGauge(t *Telemetry, f *findings) {
	halted := t.Halted != nil && *t.Halted >= 1
	gauge := "absent"
	if t.Halted != nil {
		gauge = fmtCount(*t.Halted)
	}
	f.measured = append(f.measured, fmt.Sprintf("%s = %s", contract.MetricHalted, gauge))
	switch {
	case !o.HaltedAt.IsZero() && !halted:
		f.problems = append(f.problems, fmt.Sprintf("%s is %s at the end, though the ledger shows it halted at %s", contract.MetricHalted, gauge, o.when(o.HaltedAt)))
	case o.HaltedAt.IsZero() && halted:
		f.problems = append(f.problems, fmt.Sprintf("%s claims a halt the ledger does not show", contract.MetricHalted))
	}
}

// judgePagesSent notes whether the pages automation says it sent equal
// the pages about it the receiver got.
func (o *Observation) judgePagesSent(automation string, t *Telemetry, f *findings) {
	got := 0
	for _, p := range o.Pages {
		if p.Labels[PageLabel] == automation {
			got++
		}
	}
	sent := "absent"
	if t.PagesSent != nil {
		sent = fmtCount(*t.PagesSent)
	}
	f.measured = append(f.measured, fmt.Sprintf("%s = %s; received %d", contract.MetricPagesSentTotal, sent, got))
	switch {
	case t.PagesSent == nil && got > 0:
		f.problems = append(f.problems, fmt.Sprintf("%s arrived but %s was never exposed", plural(got, "page"), contract.MetricPagesSentTotal))
	case t.PagesSent != nil && *t.PagesSent != float64(got):
		f.problems = append(f.problems, fmt.Sprintf("the remediator says it sent %s pages, the receiver got %d", sent, got))
	}
}

func fmtCount(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%g", v)
}

// availabilityEpsilon absorbs the rounding of summed availability samples;
// it is far below the resolution of any real run.
const availabilityEpsilon = 1e-9

// HarmTolerance is how far below the baseline's mean true availability a
// run may fall and still be judged to have done no harm: half a percentage
// point. The baseline and the run are two runs of the same timeline, and
// pods turn Ready a little sooner or later in each. It is measured, not
// guessed: five baseline runs each of four scenarios (make jitter, figures
// in the README) moved the mean by at most 0.42 points, and the tolerance
// is that rounded up to the next half point. Harm worth the name (a restart
// storm, a drain of healthy capacity) costs whole points.
const HarmTolerance = 0.005

func points(f float64) string {
	return strconv.FormatFloat(100*f, 'f', -1, 64) + " percentage point"
}

// didNoHarm compiles DidNoHarm (see its doc).
func didNoHarm() Check {
	c := Check{Name: DidNoHarm, Source: "baseline.meanAvailability"}
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		if o.BaselineAvailability == nil {
			return scorecard.Assertion{}, "no baseline run with the remediator off"
		}
		base := *o.BaselineAvailability
		limit := fmt.Sprintf("at least %s (mean true availability without the remediator), less %s of run-to-run jitter",
			pct(base), points(HarmTolerance))
		if len(o.Truth.Samples) == 0 {
			return errored("no availability samples", limit, "the harness sampled no true availability in this run"), ""
		}
		with := o.Truth.MeanAvailability
		measured := pct(with) + " with the remediator"
		ev := fmt.Sprintf("mean true availability over %s: %s with the remediator, %s without",
			plural(len(o.Truth.Samples), "sample"), pct(with), pct(base))
		if with+HarmTolerance+availabilityEpsilon >= base {
			return pass(measured, limit, ev), ""
		}
		return fail(measured, limit, ev+fmt.Sprintf("; the remediator cost %s", pct(base-with))), ""
	}
	return c
}
