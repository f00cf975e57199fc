package observe

import (
	"fmt"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// Grade is how an action looks against the truth.
type Grade string

// Grades of an action.
const (
	// GradeFalsePositive: the pod taken down was truly serving, or the node
	// cordoned, tainted or drained had no fault on it.
	GradeFalsePositive Grade = "false-positive"
	// GradeTruePositive: the pod taken down was not serving, or the node
	// acted on had a fault on it.
	GradeTruePositive Grade = "true-positive"
	// GradeUnknown: the pod was never observed before the action, so
	// whether it served cannot be told.
	GradeUnknown Grade = "unknown"
	// GradeNotGraded: not a pod deletion or eviction nor a node cordon,
	// taint or drain, or the API server rejected it, so it took nothing
	// down.
	GradeNotGraded Grade = "not-graded"
)

// Classification is ClassifyAction's answer.
type Classification struct {
	// Entry is the action.
	Entry scorecard.LedgerEntry
	// Grade is how it looks against the truth.
	Grade Grade
	// Workload is the workload (namespace/deployment) of the pod acted on,
	// or of the deployment acted on; empty if none is known.
	Workload string
	// Reason says why, for people.
	Reason string
}

// isPodRestart reports whether e takes a pod down: a deletion or an eviction.
func isPodRestart(e scorecard.LedgerEntry) bool {
	return e.Resource == "pods" && ((e.Subresource == "" && e.Verb == "delete") ||
		(e.Subresource == "eviction" && e.Verb == "create"))
}

// nodeActionKinds are the kinds of node action graded, with their verbs
// for reports.
var nodeActionKinds = map[string]string{"cordon": "cordoned", "taint": "tainted", "drain": "drained"}

// isNodeAction reports whether e cordons, taints or drains a node (by its
// Kind, as the ledger classified it).
func isNodeAction(e scorecard.LedgerEntry) bool {
	_, ok := nodeActionKinds[e.Kind]
	return ok && e.Resource == "nodes" && e.Subresource == ""
}

func isDeploymentChange(e scorecard.LedgerEntry) bool {
	return e.Resource == "deployments" && (e.Subresource == "" || e.Subresource == "scale") &&
		(e.Verb == "patch" || e.Verb == "update")
}

// ClassifyAction grades one of the remediator's ledger entries and records
// it for Result and Reversals. A pod deletion or eviction is a false
// positive if the pod was truly serving in the last snapshot before the
// action, a true positive if not, unknown if the pod was never seen before
// it; the evictions of a drain are graded so, pod by pod. An entry on a
// node (resource "nodes", no subresource) whose Kind is "cordon", "taint"
// or "drain" is a false positive if no effect on that node (one whose
// Nodes include it, TrulyBroken or LooksBroken) applied at the entry's
// time, from its Start to its End included as for false negatives, and a
// true positive otherwise. Anything else, and any request the API server
// rejected, is not graded, but an accepted action on a node or deployment
// still counts as acting on the effects it touches (see Result). An entry
// with an audit ID already classified is graded again but recorded once.
func (tr *Truth) ClassifyAction(entry scorecard.LedgerEntry) Classification {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	c := tr.classify(entry)
	if entry.AuditID == "" || !tr.seenIDs[entry.AuditID] {
		if entry.AuditID != "" {
			tr.seenIDs[entry.AuditID] = true
		}
		tr.actions = append(tr.actions, c)
	}
	return c
}

func (tr *Truth) classify(e scorecard.LedgerEntry) Classification {
	c := Classification{Entry: e, Grade: GradeNotGraded}
	if isDeploymentChange(e) {
		c.Workload = e.Namespace + "/" + e.Name
	}
	switch {
	case e.Rejected():
		c.Reason = fmt.Sprintf("the API server rejected it (%d), so it changed nothing", e.Code)
		return c
	case isNodeAction(e):
		return tr.classifyNode(c)
	case !isPodRestart(e):
		c.Reason = "not a pod deletion or eviction, nor a node cordon, taint or drain"
		return c
	}
	st, ok := tr.stateBefore(e.Namespace+"/"+e.Name, e.Time)
	if !ok {
		c.Grade = GradeUnknown
		c.Reason = "the pod was never observed before the action"
		return c
	}
	c.Workload = st.workload
	if st.serving {
		c.Grade = GradeFalsePositive
	} else {
		c.Grade = GradeTruePositive
	}
	c.Reason = fmt.Sprintf("pod was %s when last observed at %s", st.reason, tr.at(st.last))
	return c
}

// classifyNode grades a node's cordon, taint or drain by the effects on the
// node when it was taken.
func (tr *Truth) classifyNode(c Classification) Classification {
	e := c.Entry
	for i := range tr.effects {
		eff := &tr.effects[i]
		if !eff.onNode(e.Name) || !(eff.TrulyBroken || eff.LooksBroken) || !eff.activeDuring(e.Time) {
			continue
		}
		how := "looked broken"
		if eff.TrulyBroken {
			how = "was truly broken"
		}
		c.Grade = GradeTruePositive
		c.Reason = fmt.Sprintf("the node %s (%s)", how, eff.Name)
		return c
	}
	c.Grade = GradeFalsePositive
	c.Reason = "no fault was on the node"
	return c
}
