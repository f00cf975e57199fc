package assert

import (
	"fmt"
	"math"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/remediator/metrics"
)

// telemetryTruthful compiles TelemetryTruthful (see its doc).
func telemetryTruthful(automation string, sc *v1alpha1.SafetyCaseSpec) Check {
	c := Check{Name: TelemetryTruthful, Source: "safetyCase.telemetry"}
	for i, s := range sc.Telemetry {
		if s.Metric == metrics.ActionsTotal {
			c.Source = fmt.Sprintf("safetyCase.telemetry[%d].metric", i)
			break
		}
	}
	series := fmt.Sprintf("%s{automation=%q,outcome=%q}", metrics.ActionsTotal, automation, metrics.OutcomeSucceeded)
	limit := "equal to the ledger's accepted actions"
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		n := len(o.accepted())
		if o.ActionCounter == nil || o.MetricsError != "" {
			why := o.MetricsError
			if why == "" {
				why = "no reading"
			}
			return errored(fmt.Sprintf("%s unknown; ledger %d", series, n), limit,
				"metrics endpoint unavailable: "+why), ""
		}
		v := *o.ActionCounter
		measured := fmt.Sprintf("%s = %s; ledger %d", series, fmtCount(v), n)
		if v == float64(n) {
			return pass(measured, limit, fmt.Sprintf("the remediator counted %d and the audit log shows %s by %s%s",
				n, plural(n, "accepted action"), o.identity(), o.rejectedNote())), ""
		}
		dir := "more"
		if v < float64(n) {
			dir = "fewer"
		}
		return fail(measured, limit, fmt.Sprintf("the remediator counted %s actions than the audit log shows (%s vs %s by %s%s)",
			dir, fmtCount(v), plural(n, "accepted action"), o.identity(), o.rejectedNote())), ""
	}
	return c
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

// didNoHarm compiles DidNoHarm (see its doc).
func didNoHarm() Check {
	c := Check{Name: DidNoHarm, Source: "baseline.meanAvailability"}
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		if o.BaselineAvailability == nil {
			return scorecard.Assertion{}, "no baseline run with the remediator off"
		}
		base := *o.BaselineAvailability
		limit := "at least " + pct(base) + " (mean true availability without the remediator)"
		if len(o.Truth.Samples) == 0 {
			return errored("no availability samples", limit, "the harness sampled no true availability in this run"), ""
		}
		with := o.Truth.MeanAvailability
		measured := pct(with) + " with the remediator"
		ev := fmt.Sprintf("mean true availability over %s: %s with the remediator, %s without",
			plural(len(o.Truth.Samples), "sample"), pct(with), pct(base))
		if with+availabilityEpsilon >= base {
			return pass(measured, limit, ev), ""
		}
		return fail(measured, limit, ev+fmt.Sprintf("; the remediator cost %s", pct(base-with))), ""
	}
	return c
}
