package assert

import (
	"fmt"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

// reversalMeasured compiles ReversalMeasured (see its doc).
func reversalMeasured(sc *v1alpha1.SafetyCaseSpec) Check {
	c := Check{Name: ReversalMeasured, Source: "safetyCase.reversal.timeToReverse"}
	ttr := sc.Reversal.TimeToReverse.Duration
	if ttr <= 0 {
		c.NotApplicable = notStated("safetyCase.reversal.timeToReverse")
		return c
	}
	limit := "each reversed within " + dur(ttr)
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		acts := o.accepted()
		if len(acts) == 0 {
			return pass("no action to reverse", limit, "ledger: no accepted action by "+o.identity()), ""
		}
		byID := map[string]Reversal{}
		for _, r := range o.Reversals {
			byID[r.AuditID] = r
		}
		var (
			worst      time.Duration
			worstOf    scorecard.LedgerEntry
			worstOpen  bool
			slow       []string
			ungradable []string
		)
		for _, e := range acts {
			r, ok := byID[e.AuditID]
			switch {
			case !ok:
				ungradable = append(ungradable, o.describe(e)+" (not measured)")
				continue
			case !r.Reversed && r.Duration <= ttr:
				ungradable = append(ungradable, fmt.Sprintf("%s (not back after %s, when observation ended)", o.describe(e), dur(r.Duration)))
				continue
			case !r.Reversed:
				slow = append(slow, fmt.Sprintf("%s (not back after %s)", o.describe(e), dur(r.Duration)))
			case r.Duration > ttr:
				slow = append(slow, fmt.Sprintf("%s (%s)", o.describe(e), dur(r.Duration)))
			}
			if r.Duration > worst || worstOf.AuditID == "" {
				worst, worstOf, worstOpen = r.Duration, e, !r.Reversed
			}
		}
		measured := "nothing measured"
		if worstOf.AuditID != "" {
			measured = "worst " + dur(worst)
			if worstOpen {
				measured = "worst: not back after " + dur(worst)
			}
		}
		switch {
		case len(slow) > 0:
			return fail(measured, limit, fmt.Sprintf("%s not reversed within %s: %s",
				plural(len(slow), "action"), dur(ttr), strings.Join(capList(slow), "; "))), ""
		case len(ungradable) > 0:
			return errored(measured, limit, fmt.Sprintf("cannot grade %s: %s",
				plural(len(ungradable), "action"), strings.Join(capList(ungradable), "; "))), ""
		}
		return pass(measured, limit, fmt.Sprintf("%s reversed; the slowest was %s",
			plural(len(acts), "action"), o.describe(worstOf))), ""
	}
	return c
}
