package ledger

import (
	"github.com/interlock-dev/interlock/harness/scorecard"
)

// Filter selects ledger entries.
type Filter func(scorecard.LedgerEntry) bool

// bookkeepingResources are the resources a remediator writes to keep its own
// state and to talk to people, not to act on what it tends: its Automations
// (status, conditions, action records), its RemediationProposals, events,
// leader-election leases, and the review requests (TokenReview,
// SubjectAccessReview, SelfSubjectReview, ...) that are creates in the audit
// log but change nothing.
var bookkeepingResources = map[string]bool{
	"automations":               true,
	"remediationproposals":      true,
	"events":                    true,
	"leases":                    true,
	"tokenreviews":              true,
	"subjectaccessreviews":      true,
	"localsubjectaccessreviews": true,
	"selfsubjectaccessreviews":  true,
	"selfsubjectrulesreviews":   true,
	"selfsubjectreviews":        true,
}

// IsBookkeeping reports whether e is one of the remediator's bookkeeping
// writes rather than an action on what it tends: a write to an Automation
// (its status included) or a RemediationProposal, an event, a lease, or an
// access or token review. The ledger keeps them; Actions does not count them.
func IsBookkeeping(e scorecard.LedgerEntry) bool { return bookkeepingResources[e.Resource] }

// Actions returns the entries that are actions, not bookkeeping (see
// IsBookkeeping), and that f accepts, in their order. A nil f accepts every
// action. Requests the API server rejected are kept: they were attempted;
// pass the result to Accepted to keep only those that changed something.
func Actions(entries []scorecard.LedgerEntry, f Filter) []scorecard.LedgerEntry {
	var out []scorecard.LedgerEntry
	for _, e := range entries {
		if IsBookkeeping(e) || (f != nil && !f(e)) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// Accepted returns the entries the API server did not reject (status code
// below 400, or unknown), in their order.
func Accepted(entries []scorecard.LedgerEntry) []scorecard.LedgerEntry {
	var out []scorecard.LedgerEntry
	for _, e := range entries {
		if !e.Rejected() {
			out = append(out, e)
		}
	}
	return out
}

// Count is the number of accepted actions that f accepts:
// len(Accepted(Actions(entries, f))).
func Count(entries []scorecard.LedgerEntry, f Filter) int {
	n := 0
	for _, e := range Actions(entries, f) {
		if !e.Rejected() {
			n++
		}
	}
	return n
}

// PodDeletions selects deletions of single pods.
func PodDeletions(e scorecard.LedgerEntry) bool {
	return e.Resource == "pods" && e.Subresource == "" && e.Verb == "delete"
}

// PodEvictions selects evictions: creates of a pod's eviction subresource.
func PodEvictions(e scorecard.LedgerEntry) bool {
	return e.Resource == "pods" && e.Subresource == "eviction" && e.Verb == "create"
}

// PodRestarts selects the requests that take a pod down so that its
// controller replaces it: deletions and evictions.
func PodRestarts(e scorecard.LedgerEntry) bool { return PodDeletions(e) || PodEvictions(e) }

// NodeCordons selects patches and updates of a node's spec (not its status).
//
// The audit policy records requests at the Metadata level, without their
// bodies, so the ledger cannot see that a node patch sets
// spec.unschedulable. A remediator's only write to a node's spec is a cordon
// (uncordoning is a human's resume), so every such write counts as one.
func NodeCordons(e scorecard.LedgerEntry) bool {
	return e.Resource == "nodes" && e.Subresource == "" && (e.Verb == "patch" || e.Verb == "update")
}

// DeploymentChanges selects patches and updates of a Deployment or its
// scale: rollbacks (kubectl rollout undo patches the Deployment's template)
// and scale changes.
func DeploymentChanges(e scorecard.LedgerEntry) bool {
	return e.Resource == "deployments" && (e.Subresource == "" || e.Subresource == "scale") &&
		(e.Verb == "patch" || e.Verb == "update")
}

// Any returns a filter that accepts an entry if any of fs does.
func Any(fs ...Filter) Filter {
	return func(e scorecard.LedgerEntry) bool {
		for _, f := range fs {
			if f(e) {
				return true
			}
		}
		return false
	}
}

// InNamespace returns a filter that accepts entries for objects in ns.
func InNamespace(ns string) Filter {
	return func(e scorecard.LedgerEntry) bool { return e.Namespace == ns }
}
