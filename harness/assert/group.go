package assert

import (
	"slices"
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

// kindsOf are the kinds of action each automation type takes. In a
// scenario with several automations an action of one of these kinds counts
// against that automation; an action of no automation's kinds counts
// against every one. With one automation, every action counts against it.
var kindsOf = map[v1alpha1.AutomationType][]string{
	v1alpha1.UnhealthyWorkload: {ledger.KindRestart, ledger.KindEvict},
	v1alpha1.NodeLoss:          {ledger.KindCordon, ledger.KindTaint, kindDrain, ledger.KindUncordon, ledger.KindUntaint},
	v1alpha1.DiskPressure:      {ledger.KindCordon, ledger.KindTaint, kindDrain, ledger.KindUncordon, ledger.KindUntaint},
	v1alpha1.BadDeploy:         {ledger.KindRollout},
	v1alpha1.CertificateExpiry: {ledger.KindRotateCredential},
}

// kindDrain is a node's cordon or taint together with the evictions and
// deletions of its pods that followed while the node was kept out of use:
// one action, as a drain is one decision.
const kindDrain = "drain"

// nodeState is one node's state as the ledger's writes left it.
type nodeState struct {
	cordoned bool
	taints   []string
}

// holds reports whether the remediator's hold d on the node is still in
// place: the node is still cordoned, if d cordoned it, or still has one of
// the taints d added.
func (n nodeState) holds(d *disturbance) bool {
	if d.cordoned && n.cordoned {
		return true
	}
	for _, t := range d.added {
		if slices.Contains(n.taints, t) {
			return true
		}
	}
	return false
}

// disturbance is the remediator's hold on one node: from the write that
// cordoned or tainted it until the write that left it neither.
type disturbance struct {
	action   int // index into the actions
	node     string
	cordoned bool
	added    []string
}

// grouped is the ledger turned into actions.
type grouped struct {
	actions []scorecard.Action
	// primary maps each action to its first ledger entry.
	primary []scorecard.LedgerEntry
	// rejected are the remediator's refused action attempts, for evidence.
	rejected []scorecard.LedgerEntry
}

// group turns the classified ledger (every user's entries, in time order)
// into the remediator's actions. podNode names the node a pod ran on. A
// node's cordon or taint is one action, in flight until a later write of
// anyone leaves the node neither cordoned nor carrying the taints the
// remediator added; the evictions and deletions of pods on a node the
// remediator holds that way are part of it (a drain). An uncordon or
// untaint that ends the remediator's own hold is recorded, not counted.
func group(entries []scorecard.LedgerEntry, classes map[string]ledger.Classification, podNode func(namespace, name string) string) grouped {
	var g grouped
	nodes := map[string]nodeState{}
	held := map[string]*disturbance{} // by node, while in force
	release := func(node string, at time.Time) {
		if d := held[node]; d != nil {
			g.actions[d.action].Until = at
			delete(held, node)
		}
	}
	for _, e := range entries {
		c := classes[e.AuditID]
		// Every accepted node write, of anyone, moves the node's state, and
		// may end the remediator's hold on it.
		var before nodeState
		wasHeld := false
		if e.Resource == "nodes" && e.Subresource == "" {
			before, wasHeld = nodes[e.Name], held[e.Name] != nil
			if !e.Rejected() && e.After != nil && e.After.Unschedulable != nil {
				nodes[e.Name] = nodeState{cordoned: *e.After.Unschedulable, taints: e.After.Taints}
				if d := held[e.Name]; d != nil && !nodes[e.Name].holds(d) {
					release(e.Name, e.Time)
				}
			}
		}
		if e.Actor != ledger.ActorRemediator || !c.IsAction() {
			continue
		}
		if e.Rejected() {
			g.rejected = append(g.rejected, e)
			continue
		}
		a := scorecard.Action{Time: e.Time, Kind: c.Kind, Class: string(c.Class), Target: TargetOf(e), Detail: c.Detail,
			AuditIDs: []string{e.AuditID}, Counted: true}
		switch c.Kind {
		case ledger.KindRestart, ledger.KindEvict:
			if d := held[podNode(e.Namespace, e.Name)]; d != nil {
				drain := &g.actions[d.action]
				drain.AuditIDs = append(drain.AuditIDs, e.AuditID)
				drain.Kind = kindDrain
				continue
			}
		case ledger.KindCordon, ledger.KindTaint:
			// A further hold on a node it already holds ends the first: a
			// new action on the same target.
			release(e.Name, e.Time)
			after := nodes[e.Name]
			var added []string
			for _, t := range after.taints {
				if !slices.Contains(before.taints, t) {
					added = append(added, t)
				}
			}
			held[e.Name] = &disturbance{action: len(g.actions), node: e.Name, cordoned: after.cordoned && !before.cordoned, added: added}
		case ledger.KindUncordon, ledger.KindUntaint:
			// Undoing its own hold is the stated reversal, not a new action.
			a.Counted = !wasHeld
		}
		g.actions = append(g.actions, a)
		g.primary = append(g.primary, e)
	}
	return g
}

// attribute sets each action's Automation: with one automation, every
// action is its own; with several, the one whose type takes the action's
// kind, or none (it then counts against all).
func attribute(actions []scorecard.Action, automations []AutomationUnderTest) {
	for i := range actions {
		if len(automations) == 1 {
			actions[i].Automation = automations[0].Name
			continue
		}
		var owners []string
		for _, a := range automations {
			if slices.Contains(kindsOf[a.Type], actions[i].Kind) {
				owners = append(owners, a.Name)
			}
		}
		if len(owners) == 1 {
			actions[i].Automation = owners[0]
		}
	}
}
