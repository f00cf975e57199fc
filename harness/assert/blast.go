package assert

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

// blastRadiusHeld compiles BlastRadiusHeld (see its doc).
func blastRadiusHeld(sc *v1alpha1.SafetyCaseSpec) Check {
	c := Check{Name: BlastRadiusHeld, Source: "safetyCase.blastRadius"}
	br, ttr := sc.BlastRadius, sc.Reversal.TimeToReverse.Duration
	switch {
	case ttr <= 0:
		c.NotApplicable = notStated("safetyCase.reversal.timeToReverse") + " (it says how long an action stays in flight)"
		return c
	case br.MaxInFlight < 1 && br.MaxUnavailablePercent < 1:
		c.NotApplicable = notStated("safetyCase.blastRadius")
		return c
	case br.MaxInFlight < 1:
		c.Source = "safetyCase.blastRadius.maxUnavailablePercent"
	case br.MaxUnavailablePercent < 1:
		c.Source = "safetyCase.blastRadius.maxInFlight"
	}
	maxInFlight, percent := int(br.MaxInFlight), int(br.MaxUnavailablePercent)
	var limits []string
	if maxInFlight >= 1 {
		limits = append(limits, fmt.Sprintf("at most %d in flight", maxInFlight))
	}
	if percent >= 1 {
		limits = append(limits, fmt.Sprintf("at most %d%% of a workload's replicas", percent))
	}
	limit := strings.Join(limits, " and ") + " at once"
	inFlight := fmt.Sprintf("a node is in flight from its cordon or taint until it is released, a pod from the action until its replacement is Ready, anything else for %s (the stated time to reverse) if that was not measured", dur(ttr))

	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		acts := o.accepted()
		type peak struct {
			n       int
			actions []scorecard.LedgerEntry
		}
		var overall peak
		groupPeak := map[string]peak{}
		unknown := map[string]bool{}
		ends := o.inFlightUntil(acts, ttr)
		for j := range acts {
			var inFlight []scorecard.LedgerEntry
			for i := 0; i <= j; i++ {
				if acts[j].Time.Before(ends[i]) {
					inFlight = append(inFlight, acts[i])
				}
			}
			targets := map[string]bool{}
			byGroup := map[string]map[string]bool{}
			for _, e := range inFlight {
				t := TargetOf(e)
				targets[t] = true
				g, ok := o.Workloads[t]
				if !ok {
					unknown["the group of "+t] = true
					continue
				}
				if byGroup[g] == nil {
					byGroup[g] = map[string]bool{}
				}
				byGroup[g][t] = true
			}
			if len(targets) > overall.n {
				overall = peak{len(targets), inFlight}
			}
			for g, ts := range byGroup {
				if len(ts) > groupPeak[g].n {
					var in []scorecard.LedgerEntry
					for _, e := range inFlight {
						if ts[TargetOf(e)] {
							in = append(in, e)
						}
					}
					groupPeak[g] = peak{len(ts), in}
				}
			}
		}

		var measured, over, ev []string
		measured = append(measured, fmt.Sprintf("at most %d at once", overall.n))
		if maxInFlight >= 1 && overall.n > maxInFlight {
			over = append(over, fmt.Sprintf("%d targets in flight at once, over %d", overall.n, maxInFlight))
			ev = append(ev, fmt.Sprintf("in flight together %s: %s", o.span(overall.actions), o.list(overall.actions)))
		}
		groups := make([]string, 0, len(groupPeak))
		for g := range groupPeak {
			groups = append(groups, g)
		}
		slices.Sort(groups)
		if percent >= 1 {
			worst, worstMargin := "", 0
			for _, g := range groups {
				p := groupPeak[g]
				size, ok := o.Replicas[g]
				if !ok {
					unknown["the size of "+g] = true
					continue
				}
				allowed := percent * size / 100
				if margin := p.n - allowed; worst == "" || margin > worstMargin {
					worst, worstMargin = fmt.Sprintf("at most %d of %d in %s", p.n, size, g), margin
				}
				if p.n > allowed {
					over = append(over, fmt.Sprintf("%d of %d in %s at once, over %d (%d%%)", p.n, size, g, allowed, percent))
					if !slices.Equal(p.actions, overall.actions) || maxInFlight < 1 || overall.n <= maxInFlight {
						ev = append(ev, fmt.Sprintf("%s in flight together %s: %s", g, o.span(p.actions), o.list(p.actions)))
					}
				}
			}
			if worst != "" {
				measured = append(measured, worst)
			}
		}

		a := scorecard.Assertion{Measured: strings.Join(measured, "; "), Limit: limit}
		switch {
		case len(over) > 0:
			a.Verdict = scorecard.VerdictFail
			a.Evidence = "ledger: " + strings.Join(over, "; ") + ": " + strings.Join(ev, "; ") + "; " + inFlight
		case len(unknown) > 0 && percent >= 1:
			a.Verdict = scorecard.VerdictError
			a.Evidence = "cannot grade the share; not known: " + strings.Join(sortedKeys(unknown), ", ")
		case len(acts) == 0:
			a.Verdict = scorecard.VerdictPass
			a.Evidence = "ledger: no accepted action by " + o.identity()
		default:
			a.Verdict = scorecard.VerdictPass
			a.Evidence = fmt.Sprintf("ledger: %s on %s; no more than %d in flight at once; %s",
				plural(len(acts), "accepted action"), plural(countTargets(acts), "target"), overall.n, inFlight)
		}
		return a, ""
	}
	return c
}

// inFlightUntil returns, for each action, when it stops affecting its target.
func (o *Observation) inFlightUntil(acts []scorecard.LedgerEntry, ttr time.Duration) []time.Time {
	byID := map[string]Reversal{}
	for _, r := range o.Reversals {
		byID[r.AuditID] = r
	}
	ends := make([]time.Time, len(acts))
	for i, e := range acts {
		if u, ok := o.Until[e.AuditID]; ok {
			// Measured: until the target was released, or still at the end.
			if u.IsZero() {
				u = latest(o.End, e.Time.Add(ttr))
			}
			ends[i] = u
			continue
		}
		d := ttr
		if r, ok := byID[e.AuditID]; ok {
			d = r.Duration
			if !r.Reversed {
				d = max(d, ttr)
			}
		}
		ends[i] = e.Time.Add(d)
	}
	return ends
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func countTargets(es []scorecard.LedgerEntry) int {
	ts := map[string]bool{}
	for _, e := range es {
		ts[TargetOf(e)] = true
	}
	return len(ts)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func capList(s []string) []string {
	if len(s) <= maxListed {
		return s
	}
	return append(s[:maxListed:maxListed], fmt.Sprintf("and %d more", len(s)-maxListed))
}
