package ledger

import (
	"github.com/interlock-dev/interlock/harness/scorecard"
)

// Filter selects ledger entries.
type Filter func(scorecard.LedgerEntry) bool

// IsBookkeeping reports whether e was classified (see Classifier) as
// bookkeeping or a review, not an action. An entry not classified yet counts
// as an action: nothing is let off unseen.
func IsBookkeeping(e scorecard.LedgerEntry) bool {
	return e.Kind == KindBookkeeping || e.Kind == KindReview
}

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

// NodeWrites selects patches and updates of a node's spec (not its
// status): cordons, uncordons, taints and any other change; the entry's
// Kind tells which.
func NodeWrites(e scorecard.LedgerEntry) bool {
	return e.Resource == "nodes" && e.Subresource == "" && (e.Verb == "patch" || e.Verb == "update")
}

// DeploymentChanges selects patches and updates of a Deployment or its
// scale: rollouts (kubectl rollout undo patches the Deployment's template),
// scale changes and pauses; the entry's Kind tells which.
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
