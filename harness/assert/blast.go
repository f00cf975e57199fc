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
	b := blastRadius{maxInFlight: int(br.MaxInFlight), percent: int(br.MaxUnavailablePercent), ttr: ttr}
	c.eval = func(o *Observation) (scorecard.Assertion, string) { return b.grade(o), "" }
	return c
}

// blastRadius is a safety case's blast radius as BlastRadiusHeld grades it:
// at most maxInFlight targets in flight at once, if at least 1, and at most
// percent of a workload's replicas, if at least 1; an action whose time in
// flight was not measured stays in flight for ttr, the time to reverse.
type blastRadius struct {
	maxInFlight, percent int
	ttr                  time.Duration
}

// limit says the blast radius, such as "at most 2 in flight at once".
func (b blastRadius) limit() string {
	var limits []string
	if b.maxInFlight >= 1 {
		limits = append(limits, fmt.Sprintf("at most %d in flight", b.maxInFlight))
	}
	if b.percent >= 1 {
		limits = append(limits, fmt.Sprintf("at most %d%% of a workload's replicas", b.percent))
	}
	return strings.Join(limits, " and ") + " at once"
}

// inFlight says when an action is in flight, for the evidence.
func (b blastRadius) inFlight() string {
	return fmt.Sprintf("a node is in flight from its cordon or taint until it is released, a pod from the action until its replacement is Ready, anything else for %s (the stated time to reverse) if that was not measured", dur(b.ttr))
}

// blastPeak is the most targets in flight at once, and the actions in
// flight then.
type blastPeak struct {
	n       int
	actions []scorecard.LedgerEntry
}

// grade evaluates the blast radius on what was observed.
func (b blastRadius) grade(o *Observation) scorecard.Assertion {
	acts := o.accepted()
	unknown := map[string]bool{}
	overall, groupPeak := o.blastPeaks(acts, b.ttr, unknown)

	var measured, over, ev []string
	measured = append(measured, fmt.Sprintf("at most %d at once", overall.n))
	if b.maxInFlight >= 1 && overall.n > b.maxInFlight {
		over = append(over, fmt.Sprintf("%d targets in flight at once, over %d", overall.n, b.maxInFlight))
		ev = append(ev, fmt.Sprintf("in flight together %s: %s", o.span(overall.actions), o.list(overall.actions)))
	}
	if b.percent >= 1 {
		worst, groupOver, groupEv := b.shares(o, overall, groupPeak, unknown)
		if worst != "" {
			measured = append(measured, worst)
		}
		over, ev = append(over, groupOver...), append(ev, groupEv...)
	}

	a := scorecard.Assertion{Measured: strings.Join(measured, "; "), Limit: b.limit()}
	switch {
	case len(over) > 0:
		a.Verdict = scorecard.VerdictFail
		a.Evidence = "ledger: " + strings.Join(over, "; ") + ": " + strings.Join(ev, "; ") + "; " + b.inFlight()
	case len(unknown) > 0 && b.percent >= 1:
		a.Verdict = scorecard.VerdictError
		a.Evidence = "cannot grade the share; not known: " + strings.Join(sortedKeys(unknown), ", ")
	case len(acts) == 0:
		a.Verdict = scorecard.VerdictPass
		a.Evidence = "ledger: no accepted action by " + o.identity()
	default:
		a.Verdict = scorecard.VerdictPass
		a.Evidence = fmt.Sprintf("ledger: %s on %s; no more than %d in flight at once; %s",
			plural(len(acts), "accepted action"), plural(countTargets(acts), "target"), overall.n, b.inFlight())
	}
	return a
}

// shares weighs each group's peak against its replicas, in the order of
// the groups' names: it returns the group closest to its share, or furthest
// over it, as measured ("at most 2 of 4 in shop/api"), the groups over their
// share and the evidence of each that the overall peak does not already
// show. It notes in unknown the groups whose replicas are not known.
func (b blastRadius) shares(o *Observation, overall blastPeak, groupPeak map[string]blastPeak, unknown map[string]bool) (worst string, over, ev []string) {
	groups := make([]string, 0, len(groupPeak))
	for g := range groupPeak {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	worstMargin := 0
	for _, g := range groups {
		p := groupPeak[g]
		size, ok := o.Replicas[g]
		if !ok {
			unknown["the size of "+g] = true
			continue
		}
		allowed := b.percent * size / 100
		if margin := p.n - allowed; worst == "" || margin > worstMargin {
			worst, worstMargin = fmt.Sprintf("at most %d of %d in %s", p.n, size, g), margin
		}
		if p.n > allowed {
			over = append(over, fmt.Sprintf("%d of %d in %s at once, over %d (%d%%)", p.n, size, g, allowed, b.percent))
			if !slices.Equal(p.actions, overall.actions) || b.maxInFlight < 1 || overall.n <= b.maxInFlight {
				ev = append(ev, fmt.Sprintf("%s in flight together %s: %s", g, o.span(p.actions), o.list(p.actions)))
			}
		}
	}
	return worst, over, ev
}

// blastPeaks returns the most targets of acts in flight at once, overall
// and by group (o.Workloads), each with the actions in flight then. It notes
// in unknown the targets whose group is not known.
func (o *Observation) blastPeaks(acts []scorecard.LedgerEntry, ttr time.Duration, unknown map[string]bool) (overall blastPeak, groupPeak map[string]blastPeak) {
	groupPeak = map[string]blastPeak{}
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
			overall = blastPeak{len(targets), inFlight}
		}
		for g, ts := range byGroup {
			if len(ts) > groupPeak[g].n {
				groupPeak[g] = blastPeak{len(ts), inFlightOn(inFlight, ts)}
			}
		}
	}
	return overall, groupPeak
}

// inFlightOn returns the actions of inFlight on one of targets.
func inFlightOn(inFlight []scorecard.LedgerEntry, targets map[string]bool) []scorecard.LedgerEntry {
	var in []scorecard.LedgerEntry
	for _, e := range inFlight {
		if targets[TargetOf(e)] {
			in = append(in, e)
		}
	}
	return in
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
