package ledger

import (
	"fmt"
	"slices"
	"strings"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

// Kinds a classified ledger entry may have. Every kind but KindBookkeeping
// and KindReview is an action.
const (
	// KindRestart: a pod deleted, for its controller to replace.
	KindRestart = "restart"
	// KindEvict: a pod evicted through the Eviction API.
	KindEvict = "evict"
	// KindCordon: a node made unschedulable.
	KindCordon = "cordon"
	// KindTaint: a node given a taint that keeps pods off it
	// (NoSchedule, PreferNoSchedule) or drives them off (NoExecute).
	KindTaint = "taint"
	// KindUncordon: a node made schedulable again.
	KindUncordon = "uncordon"
	// KindUntaint: a node's taint removed.
	KindUntaint = "untaint"
	// KindScaleDown: a workload's replicas lowered.
	KindScaleDown = "scale-down"
	// KindScaleUp: a workload's replicas raised.
	KindScaleUp = "scale-up"
	// KindSuspend: a workload paused or suspended.
	KindSuspend = "suspend"
	// KindRollout: a workload's pod template changed: a rollout, of which
	// a rollback is one.
	KindRollout = "rollout"
	// KindRotateCredential: a Secret rewritten.
	KindRotateCredential = "rotate-credential"
	// KindDelete: any other deletion.
	KindDelete = "delete"
	// KindCreate: any other creation.
	KindCreate = "create"
	// KindUpdate: any other write, including a write whose body shows no
	// change grading knows, and one whose body was not recorded.
	KindUpdate = "update"
	// KindBookkeeping: a write a remediator makes to keep its own state
	// and to talk to people (see Scope): not an action.
	KindBookkeeping = "bookkeeping"
	// KindReview: an access or token review, a create that stores nothing:
	// not an action.
	KindReview = "review"
)

// ClassUnknown is the class of a write that fits none of the action-class
// table's (v1alpha1.Postures): it is treated as one that always needs a
// human (v1alpha1.NeedsHuman).
const ClassUnknown v1alpha1.ActionClass = "unknown"

// reviews are the resources whose create asks a question and stores
// nothing.
var reviews = map[string]bool{
	"tokenreviews":              true,
	"subjectaccessreviews":      true,
	"localsubjectaccessreviews": true,
	"selfsubjectaccessreviews":  true,
	"selfsubjectrulesreviews":   true,
	"selfsubjectreviews":        true,
}

// workloads are the resources whose replicas and pod template grading
// reads.
var workloads = map[string]bool{
	"deployments":            true,
	"statefulsets":           true,
	"replicasets":            true,
	"daemonsets":             true,
	"replicationcontrollers": true,
	"jobs":                   true,
	"cronjobs":               true,
}

// Scope is what a remediator may write as bookkeeping: the status of the
// Automations under test, and the rest of contract.IsBookkeeping's short
// list. Every other write is an action.
type Scope struct {
	// Automations are the Automations under test: writes to their status
	// are the remediator's record of what it did.
	Automations []string
}

// IsBookkeeping reports whether e, in scope, is bookkeeping (see
// contract.IsBookkeeping).
func (s Scope) IsBookkeeping(e scorecard.LedgerEntry) bool {
	return contract.IsBookkeeping(contract.Write{Verb: e.Verb, Resource: e.Resource, Subresource: e.Subresource,
		Namespace: e.Namespace, Name: e.Name}, s.Automations)
}

// Classification is what Classify makes of one entry.
type Classification struct {
	// Kind is what the write did (one of the Kind constants).
	Kind string
	// Class is its action class in the action-class table, or ClassUnknown;
	// empty for bookkeeping and reviews.
	Class v1alpha1.ActionClass
	// Detail says what the bodies show it changed, such as
	// "spec.replicas 3 → 0"; empty when there is nothing more to say.
	Detail string
}

// IsAction reports whether the classification is an action.
func (c Classification) IsAction() bool { return c.Kind != KindBookkeeping && c.Kind != KindReview }

// Classifier classifies ledger entries in time order, keeping what each
// accepted write left its object like, so that a write is judged against
// the object's state before it: a node write that sets spec.unschedulable
// is a cordon only if the node was schedulable.
type Classifier struct {
	scope Scope
	state map[string]*scorecard.ObjectState
}

// NewClassifier returns a Classifier for scope.
func NewClassifier(scope Scope) *Classifier {
	return &Classifier{scope: scope, state: map[string]*scorecard.ObjectState{}}
}

// objectKey names the object an entry writes, leaving out the subresource
// (a Deployment and its scale are one object).
func objectKey(e scorecard.LedgerEntry) string {
	return e.Resource + "/" + e.Namespace + "/" + e.Name
}

// Classify classifies e and then, if it was accepted, records the state it
// left its object in. Entries must come in time order, of every user: a
// component's write changes the state the next write is judged against.
func (c *Classifier) Classify(e scorecard.LedgerEntry) Classification {
	key := objectKey(e)
	before := c.state[key]
	out := c.classify(e, before)
	if !e.Rejected() {
		switch {
		case e.Verb == "delete" && e.Subresource == "":
			delete(c.state, key)
		case e.After != nil:
			c.state[key] = merge(before, e.After)
		}
	}
	return out
}

// merge is the object's state after a write that left after: a scale write
// leaves only the replicas, the rest is as before.
func merge(before, after *scorecard.ObjectState) *scorecard.ObjectState {
	st := *after
	if before != nil {
		if st.Template == "" {
			st.Template = before.Template
		}
		if st.Paused == nil {
			st.Paused = before.Paused
		}
	}
	return &st
}

// ClassifyAll classifies entries, which must be in time order, and returns
// a copy with each entry's Kind set.
func ClassifyAll(entries []scorecard.LedgerEntry, scope Scope) []scorecard.LedgerEntry {
	c := NewClassifier(scope)
	out := slices.Clone(entries)
	for i := range out {
		out[i].Kind = c.Classify(out[i]).Kind
	}
	return out
}

func (c *Classifier) classify(e scorecard.LedgerEntry, before *scorecard.ObjectState) Classification {
	switch {
	case reviews[e.Resource]:
		return Classification{Kind: KindReview}
	case c.scope.IsBookkeeping(e):
		return Classification{Kind: KindBookkeeping}
	case e.Verb == "deletecollection":
		return Classification{Kind: KindDelete, Class: ClassUnknown,
			Detail: fmt.Sprintf("every %s in %s at once", e.Resource, orCluster(e.Namespace))}
	}
	switch e.Resource {
	case "pods":
		return classifyPod(e)
	case "nodes":
		return classifyNode(e, before)
	case "secrets":
		return classifyByVerb(e, v1alpha1.ClassDestructive, KindRotateCredential)
	case "persistentvolumeclaims", "persistentvolumes", "namespaces", "serviceaccounts":
		return classifyByVerb(e, v1alpha1.ClassDestructive, KindUpdate)
	case "networkpolicies":
		return classifyByVerb(e, v1alpha1.ClassIsolate, KindUpdate)
	case "services", "endpoints", "endpointslices", "ingresses", "httproutes", "gateways":
		return classifyByVerb(e, v1alpha1.ClassTrafficShift, KindUpdate)
	}
	if workloads[e.Resource] {
		return classifyWorkload(e, before)
	}
	return unknown(e, "")
}

func orCluster(ns string) string {
	if ns == "" {
		return "the cluster"
	}
	return ns
}

// unknown is a write that fits no class: it counts, and needs a human.
func unknown(e scorecard.LedgerEntry, detail string) Classification {
	kind := KindUpdate
	switch e.Verb {
	case "create":
		kind = KindCreate
	case "delete":
		kind = KindDelete
	}
	return Classification{Kind: kind, Class: ClassUnknown, Detail: detail}
}

// classifyByVerb classifies a write on a resource of one class: its
// deletion and creation are deletes and creates of that class, anything
// else is update (as kind names it).
func classifyByVerb(e scorecard.LedgerEntry, class v1alpha1.ActionClass, update string) Classification {
	switch e.Verb {
	case "create":
		return Classification{Kind: KindCreate, Class: class}
	case "delete":
		return Classification{Kind: KindDelete, Class: class}
	}
	return Classification{Kind: update, Class: class}
}

func classifyPod(e scorecard.LedgerEntry) Classification {
	switch {
	case e.Subresource == "" && e.Verb == "delete":
		return Classification{Kind: KindRestart, Class: v1alpha1.ClassRestart}
	case e.Subresource == "eviction" && e.Verb == "create":
		return Classification{Kind: KindEvict, Class: v1alpha1.ClassRestart}
	case e.Subresource == "" && (e.Verb == "update" || e.Verb == "patch"):
		// A pod's labels decide which workload and which Service it
		// belongs to: relabelling it takes it out of both.
		return Classification{Kind: KindUpdate, Class: ClassUnknown, Detail: "a pod's metadata or spec rewritten"}
	case e.Subresource == "status":
		return Classification{Kind: KindUpdate, Class: ClassUnknown, Detail: "a pod's status written: only its kubelet reports it"}
	}
	return unknown(e, "")
}

// noBody classifies a write whose body was not recorded: what it changed
// is not known, so it counts, and needs a human.
func noBody(e scorecard.LedgerEntry) Classification {
	if e.Rejected() {
		return Classification{Kind: KindUpdate, Class: ClassUnknown, Detail: "refused; no body"}
	}
	return unknown(e, "no body recorded, so what it changed is not known")
}

// orEmpty is the state before a write, or the empty state if none is known.
func orEmpty(before *scorecard.ObjectState) scorecard.ObjectState {
	if before == nil {
		return scorecard.ObjectState{}
	}
	return *before
}

// disturbing reports whether a taint keeps pods off a node or drives them
// off it: every effect does, PreferNoSchedule less strongly.
func disturbing(taint string) bool {
	return strings.HasSuffix(taint, ":NoSchedule") || strings.HasSuffix(taint, ":NoExecute") ||
		strings.HasSuffix(taint, ":PreferNoSchedule")
}

func classifyNode(e scorecard.LedgerEntry, before *scorecard.ObjectState) Classification {
	switch {
	case e.Subresource != "":
		return unknown(e, "a node's "+e.Subresource+" written: only its kubelet reports it")
	case e.Verb == "delete":
		return Classification{Kind: KindDelete, Class: v1alpha1.ClassIsolate, Detail: "the node removed from the cluster"}
	case e.Verb == "create":
		return unknown(e, "")
	case e.After == nil || e.After.Unschedulable == nil:
		return noBody(e)
	}
	was := orEmpty(before)
	wasCordoned := was.Unschedulable != nil && *was.Unschedulable
	cordoned := *e.After.Unschedulable
	var added, removed []string
	for _, t := range e.After.Taints {
		if disturbing(t) && !slices.Contains(was.Taints, t) {
			added = append(added, t)
		}
	}
	for _, t := range was.Taints {
		if disturbing(t) && !slices.Contains(e.After.Taints, t) {
			removed = append(removed, t)
		}
	}
	var details []string
	if cordoned != wasCordoned {
		details = append(details, fmt.Sprintf("spec.unschedulable %t", cordoned))
	}
	if len(added) > 0 {
		details = append(details, "taint +"+strings.Join(added, ", +"))
	}
	if len(removed) > 0 {
		details = append(details, "taint -"+strings.Join(removed, ", -"))
	}
	detail := strings.Join(details, "; ")
	switch {
	case cordoned && !wasCordoned:
		return Classification{Kind: KindCordon, Class: v1alpha1.ClassRestart, Detail: detail}
	case len(added) > 0:
		return Classification{Kind: KindTaint, Class: v1alpha1.ClassRestart, Detail: detail}
	case !cordoned && wasCordoned:
		return Classification{Kind: KindUncordon, Class: v1alpha1.ClassRestart, Detail: detail}
	case len(removed) > 0:
		return Classification{Kind: KindUntaint, Class: v1alpha1.ClassRestart, Detail: detail}
	}
	return Classification{Kind: KindUpdate, Class: ClassUnknown, Detail: "a node's labels, annotations or spec changed; no cordon or taint"}
}

func classifyWorkload(e scorecard.LedgerEntry, before *scorecard.ObjectState) Classification {
	switch e.Verb {
	case "delete":
		return Classification{Kind: KindDelete, Class: v1alpha1.ClassDestructive, Detail: "the workload and its pods removed"}
	case "create":
		return unknown(e, "")
	}
	if e.After == nil {
		return noBody(e)
	}
	was := orEmpty(before)
	after := e.After
	switch {
	case after.Replicas != nil && was.Replicas != nil && *after.Replicas < *was.Replicas:
		return Classification{Kind: KindScaleDown, Class: v1alpha1.ClassScaleDown,
			Detail: fmt.Sprintf("spec.replicas %d → %d", *was.Replicas, *after.Replicas)}
	case after.Paused != nil && *after.Paused && (was.Paused == nil || !*was.Paused):
		return Classification{Kind: KindSuspend, Class: v1alpha1.ClassScaleDown, Detail: "paused"}
	case after.Template != "" && was.Template != "" && after.Template != was.Template:
		return Classification{Kind: KindRollout, Class: v1alpha1.ClassRollback, Detail: "spec.template changed"}
	case after.Replicas != nil && was.Replicas != nil && *after.Replicas > *was.Replicas:
		return Classification{Kind: KindScaleUp, Class: ClassUnknown,
			Detail: fmt.Sprintf("spec.replicas %d → %d", *was.Replicas, *after.Replicas)}
	case before == nil:
		return unknown(e, "its state before is not in the ledger")
	}
	return Classification{Kind: KindUpdate, Class: ClassUnknown, Detail: "no change to replicas, template or pause"}
}
