package assert

import (
	"fmt"
	"math"
	"strconv"

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
// HarmTolerance is how far below the baseline's mean true availability a
// run may fall and still be judged to have done no harm: half a percentage
// point. The baseline and the run are two runs of the same timeline, and
// pods turn Ready a little sooner or later in each; on the embedded
// cluster that moves the mean by a few tenths of a point between runs of
// the same remediator, while harm worth the name (a restart storm, a drain
// of healthy capacity) costs whole points.
const HarmTolerance = 0.005

func points(f float64) string {
	return strconv.FormatFloat(100*f, 'f', -1, 64) + " percentage point"
}

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
