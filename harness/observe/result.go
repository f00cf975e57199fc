package observe

import (
	"fmt"
	"slices"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// Result returns the truth of the run so far. Samples are in time order;
// MinAvailability and MeanAvailability are 0 when there are none.
//
// FalsePositives lists each pod deletion or eviction graded a false
// positive, as "namespace/pod: deleted|evicted at TIME; REASON", and each
// node cordon, taint or drain, as "node NAME: cordoned|tainted|drained at
// TIME; no fault was on the node". FalseNegatives lists each TrulyBroken
// effect the remediator never acted on while it applied (from Start to End,
// both included): no accepted action on a pod the effect covered at the
// time, on a pod of a workload it covered, on a deployment it covered, or
// on one of its nodes. Broken lists every TrulyBroken effect.
func (tr *Truth) Result() scorecard.Truth {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	res := scorecard.Truth{
		Samples:        slices.Clone(tr.samples),
		FalsePositives: []string{},
		FalseNegatives: []string{},
		Broken:         []string{},
	}
	slices.SortStableFunc(res.Samples, func(a, b scorecard.AvailabilitySample) int { return a.Time.Compare(b.Time) })
	if len(res.Samples) > 0 {
		res.MinAvailability = 1
		var sum float64
		for _, s := range res.Samples {
			res.MinAvailability = min(res.MinAvailability, s.Availability)
			sum += s.Availability
		}
		res.MeanAvailability = sum / float64(len(res.Samples))
	}
	for _, c := range tr.actions {
		if c.Grade != GradeFalsePositive {
			continue
		}
		e := c.Entry
		if isNodeAction(e) {
			res.FalsePositives = append(res.FalsePositives, fmt.Sprintf("node %s: %s at %s; %s",
				e.Name, nodeActionKinds[e.Kind], tr.at(e.Time), c.Reason))
			continue
		}
		res.FalsePositives = append(res.FalsePositives, fmt.Sprintf("%s/%s: %s at %s; %s",
			e.Namespace, e.Name, verbPhrase(e), tr.at(e.Time), c.Reason))
	}
	for i := range tr.effects {
		e := &tr.effects[i]
		if !e.TrulyBroken {
			continue
		}
		res.Broken = append(res.Broken, fmt.Sprintf("%s: %s, truly broken %s", e.Name, e.describe(), e.window(tr.at)))
		if !tr.actedOn(i) {
			res.FalseNegatives = append(res.FalseNegatives, fmt.Sprintf("%s: %s truly broken %s; the remediator never acted on it",
				e.Name, e.describe(), e.window(tr.at)))
		}
	}
	return res
}

func verbPhrase(e scorecard.LedgerEntry) string {
	if e.Subresource == "eviction" {
		return "evicted"
	}
	return "deleted"
}

// actedOn reports whether an accepted action answered effect i while it applied.
func (tr *Truth) actedOn(i int) bool {
	e := &tr.effects[i]
	for _, c := range tr.actions {
		a := c.Entry
		if a.Rejected() || !e.activeDuring(a.Time) {
			continue
		}
		switch {
		case a.Resource == "nodes" && a.Subresource == "":
			if e.onNode(a.Name) {
				return true
			}
		case isDeploymentChange(a):
			if tr.effWork[i][a.Namespace+"/"+a.Name] {
				return true
			}
		case isPodRestart(a):
			if c.Workload != "" && tr.effWork[i][c.Workload] {
				return true
			}
			if st, ok := tr.stateBefore(a.Namespace+"/"+a.Name, a.Time); ok && slices.Contains(st.effects, i) {
				return true
			}
		}
	}
	return false
}
