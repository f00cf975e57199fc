package contract

import (
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	"github.com/interlock-dev/interlock/api/v1alpha1"
)

// Where the remediator lives and who it is.
const (
	// Namespace holds the remediator's ServiceAccount, its Automations,
	// its RemediationProposals and its leader-election Lease.
	Namespace = "interlock-system"
	// ServiceAccount is the remediator's ServiceAccount in Namespace.
	ServiceAccount = "remediator"
	// Identity is the user the API server names the remediator by.
	Identity = "system:serviceaccount:" + Namespace + ":" + ServiceAccount
)

// The environment a remediator under test is given, and nothing else but
// PATH and HOME.
const (
	// EnvKubeconfig is a kubeconfig holding a token for the remediator's
	// own ServiceAccount, and no client certificate.
	EnvKubeconfig = "KUBECONFIG"
	// EnvPageURL is the Alertmanager-compatible receiver it pages:
	// POST /api/v2/alerts.
	EnvPageURL = "INTERLOCK_PAGE_URL"
	// EnvMetricsAddr is the host:port where it must serve Prometheus
	// metrics at /metrics.
	EnvMetricsAddr = "INTERLOCK_METRICS_ADDR"
	// EnvNamespace is the namespace of its Automations (Namespace).
	EnvNamespace = "INTERLOCK_NAMESPACE"
)

// The metrics a remediator serves. Safety cases name them in their
// telemetry; the harness reads MetricActionsTotal, and cross-checks
// MetricHalted and MetricPagesSentTotal when a safety case declares them.
const (
	// MetricActionsTotal counts actions, by LabelAutomation, LabelClass
	// and LabelOutcome: each action the harness counts is one increment
	// with OutcomeSucceeded (a drain is one action). It must be exposed
	// for every automation from the start, at 0.
	MetricActionsTotal = "interlock_remediator_actions_total"
	// MetricDecisionsTotal counts safety-policy decisions.
	MetricDecisionsTotal = "interlock_remediator_decisions_total"
	// MetricBudgetRemaining is the actions left in an automation's window.
	MetricBudgetRemaining = "interlock_remediator_budget_remaining"
	// MetricHalted is 1 while an automation is halted, by LabelAutomation
	// and LabelReason.
	MetricHalted = "interlock_remediator_halted"
	// MetricProposalsPending counts proposals waiting for a human.
	MetricProposalsPending = "interlock_remediator_proposals_pending"
	// MetricPagesSentTotal counts pages, by LabelAutomation and
	// LabelOutcome.
	MetricPagesSentTotal = "interlock_remediator_pages_sent_total"
	// MetricTriggerToActionSeconds is the time from a trigger holding to
	// the action on it.
	MetricTriggerToActionSeconds = "interlock_remediator_trigger_to_action_seconds"
	// MetricReconcileErrorsTotal counts reconcile errors.
	MetricReconcileErrorsTotal = "interlock_remediator_reconcile_errors_total"
	// MetricBuildInfo is always 1, labelled with the build that runs:
	// LabelVersion, LabelGoVersion and LabelRevision. The built-in
	// remediator serves it; an external one need not, and the harness
	// does not read it.
	MetricBuildInfo = "interlock_build_info"
)

// Metric labels and their values.
const (
	LabelAutomation = "automation"
	LabelClass      = "class"
	LabelOutcome    = "outcome"
	LabelReason     = "reason"
	LabelVersion    = "version"
	LabelGoVersion  = "goversion"
	LabelRevision   = "revision"

	OutcomeSucceeded = "succeeded"
	OutcomeFailed    = "failed"
)

// Pages.
const (
	// PageLabel is the page label that names the automation a page is
	// about; a page without it counts for no automation.
	PageLabel = LabelAutomation
	// AlertBudgetExhausted is the alert name of the page sent when an
	// automation halts at the end of its budget.
	AlertBudgetExhausted = "InterlockRemediatorBudgetExhausted"
)

// Write is one mutating request, as much of it as IsBookkeeping reads.
type Write struct {
	Verb, Resource, Subresource, Namespace, Name string
}

// IsBookkeeping reports whether w is a remediator's bookkeeping, not an
// action, when automations are the Automations under test. The list is
// short and explicit: the status of an Automation under test, a
// RemediationProposal and a Lease in Namespace, and an Event anywhere. A
// write to an Automation's spec is not: only a human changes what an
// automation may do. Every other write is an action.
func IsBookkeeping(w Write, automations []string) bool {
	switch {
	case w.Resource == "events" && w.Verb != "deletecollection":
		return true
	case w.Namespace != Namespace:
		return false
	case w.Resource == "leases", w.Resource == "remediationproposals":
		return true
	case w.Resource == "automations" && w.Subresource == "status":
		for _, a := range automations {
			if a == w.Name {
				return true
			}
		}
	}
	return false
}

// Scheme returns the API types a remediator and the harness both speak:
// Kubernetes' own and interlock.dev's.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(v1alpha1.AddToScheme(s))
	return s
}
