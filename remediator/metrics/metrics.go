package metrics

import (
	"github.com/interlock-dev/interlock/contract"
	"github.com/prometheus/client_golang/prometheus"
)

// Metric names. Safety cases name these in their telemetry, and the shipped
// alert rules (config/prometheus/rules.yaml) fire on them.
// They are the contract's (package contract), which external remediators
// serve too.
const (
	ActionsTotal          = contract.MetricActionsTotal
	DecisionsTotal        = contract.MetricDecisionsTotal
	BudgetRemaining       = contract.MetricBudgetRemaining
	Halted                = contract.MetricHalted
	ProposalsPending      = contract.MetricProposalsPending
	PagesSentTotal        = contract.MetricPagesSentTotal
	TriggerToActionSecond = contract.MetricTriggerToActionSeconds
	ReconcileErrorsTotal  = contract.MetricReconcileErrorsTotal
	BuildInfo             = contract.MetricBuildInfo
)

// Outcomes of an action.
const (
	OutcomeSucceeded = contract.OutcomeSucceeded
	OutcomeFailed    = contract.OutcomeFailed
)

// Metrics is the remediator's set of collectors.
type Metrics struct {
	// Actions counts mutating actions taken, by automation, class and outcome.
	Actions *prometheus.CounterVec
	// Decisions counts policy decisions by automation, verdict and reason.
	Decisions *prometheus.CounterVec
	// BudgetRemaining is the actions left in each automation's window.
	BudgetRemaining *prometheus.GaugeVec
	// Halted is 1 while an automation is halted.
	Halted *prometheus.GaugeVec
	// ProposalsPending counts proposals waiting for a human.
	ProposalsPending *prometheus.GaugeVec
	// PagesSent counts pages by automation and outcome.
	PagesSent *prometheus.CounterVec
	// TriggerToAction is the time from the trigger first holding to the action.
	TriggerToAction *prometheus.HistogramVec
	// ReconcileErrors counts reconcile errors by controller.
	ReconcileErrors *prometheus.CounterVec
	// BuildInfo is 1, labelled with the running build (ReadBuild).
	BuildInfo prometheus.Gauge
}

// New creates the collectors and registers them with reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Actions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: ActionsTotal, Help: "Mutating actions the remediator took, by automation, class and outcome.",
		}, []string{"automation", "class", "outcome"}),
		Decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: DecisionsTotal, Help: "Safety-policy decisions, by automation, verdict and reason.",
		}, []string{"automation", "verdict", "reason"}),
		BudgetRemaining: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: BudgetRemaining, Help: "Actions left in the automation's budget window.",
		}, []string{"automation"}),
		Halted: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: Halted, Help: "1 while the automation is halted and waits for a human to resume it.",
		}, []string{"automation", "reason"}),
		ProposalsPending: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: ProposalsPending, Help: "Remediation proposals waiting for a named human's approval.",
		}, []string{"automation"}),
		PagesSent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: PagesSentTotal, Help: "Pages sent to the page receiver, by automation and outcome.",
		}, []string{"automation", "outcome"}),
		TriggerToAction: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    TriggerToActionSecond,
			Help:    "Seconds from the trigger first holding for a target to the action on it.",
			Buckets: []float64{0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600},
		}, []string{"automation"}),
		ReconcileErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: ReconcileErrorsTotal, Help: "Reconcile errors, by controller.",
		}, []string{"controller"}),
		BuildInfo: newBuildInfo(ReadBuild()),
	}
	reg.MustRegister(m.Actions, m.Decisions, m.BudgetRemaining, m.Halted, m.ProposalsPending,
		m.PagesSent, m.TriggerToAction, m.ReconcileErrors, m.BuildInfo)
	return m
}
