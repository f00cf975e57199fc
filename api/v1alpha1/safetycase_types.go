package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SafetyCaseSpec is the one-page argument that an automation is safe to run.
// If it cannot be written, the automation is not ready: the remediator runs
// an automation above the alert rung only when every part is present.
type SafetyCaseSpec struct {
	// Owner is the accountable human or team.
	Owner string `json:"owner,omitempty"`
	// Trigger is the symptom that fires the automation.
	Trigger Trigger `json:"trigger,omitempty"`
	// Action is what the automation does.
	Action Action `json:"action,omitempty"`
	// Reversal says how the action is undone and how long that takes.
	Reversal Reversal `json:"reversal,omitempty"`
	// Budget bounds how often the automation may act before it halts and pages.
	Budget Budget `json:"budget,omitempty"`
	// BlastRadius bounds how much it may affect at once.
	BlastRadius BlastRadius `json:"blastRadius,omitempty"`
	// HealthGate, for rollbacks, is the check a deploy must fail before it is rolled back.
	// +optional
	HealthGate *HealthGate `json:"healthGate,omitempty"`
	// Telemetry names the signals that would show the remediator itself going wrong.
	Telemetry []TelemetrySignal `json:"telemetry,omitempty"`
}

// Trigger is the condition that fires an automation, with its known failure modes.
type Trigger struct {
	// Condition describes the symptom.
	Condition string `json:"condition,omitempty"`
	// For is how long the condition must hold before the automation acts.
	For metav1.Duration `json:"for,omitempty"`
	// Within is how far ahead a time-based trigger looks: a certificate that
	// expires within it fires the trigger. Required by certificate-expiry.
	// +optional
	Within *metav1.Duration `json:"within,omitempty"`
	// FalsePositiveModes are the ways the trigger fires on something healthy.
	FalsePositiveModes []string `json:"falsePositiveModes,omitempty"`
	// FalseNegativeModes are the ways a real failure escapes the trigger.
	FalseNegativeModes []string `json:"falseNegativeModes,omitempty"`
}

// Action is what an automation does, and how bad it can get.
type Action struct {
	// Description says what the action does.
	Description string `json:"description,omitempty"`
	// Class is the action's reversibility class: restart, rollback,
	// traffic-shift, scale-down, destructive, failover or isolate.
	// +kubebuilder:validation:Enum=restart;rollback;traffic-shift;scale-down;destructive;failover;isolate
	Class string `json:"class,omitempty"`
	// WorstCaseBlastRadius says what the action can affect at worst.
	WorstCaseBlastRadius string `json:"worstCaseBlastRadius,omitempty"`
}

// Reversal is how an action is undone.
type Reversal struct {
	// Procedure says how to reverse the action.
	Procedure string `json:"procedure,omitempty"`
	// TimeToReverse is the stated time to reverse it; the harness measures against it.
	TimeToReverse metav1.Duration `json:"timeToReverse,omitempty"`
}

// Budget is a sliding-window limit on actions.
type Budget struct {
	// MaxActions is the most actions overall in Window.
	MaxActions int32 `json:"maxActions,omitempty"`
	// Window is the sliding window.
	Window metav1.Duration `json:"window,omitempty"`
	// PerTarget limits actions on any one target in the same window.
	// +optional
	PerTarget *int32 `json:"perTarget,omitempty"`
	// PageWithin is how soon after exhaustion a page must be sent.
	PageWithin metav1.Duration `json:"pageWithin,omitempty"`
}

// BlastRadius bounds what may be affected at once.
type BlastRadius struct {
	// MaxInFlight is the most targets being acted upon at once.
	MaxInFlight int32 `json:"maxInFlight,omitempty"`
	// MaxUnavailablePercent is the largest share of a workload's replicas
	// (or of the nodes, for node actions) that may be affected at once.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	MaxUnavailablePercent int32 `json:"maxUnavailablePercent,omitempty"`
}

// HealthGate is the check behind which a rollback acts.
type HealthGate struct {
	// ProgressDeadline is how long a new revision has to become available.
	ProgressDeadline metav1.Duration `json:"progressDeadline,omitempty"`
	// MinAvailablePercent is the share of desired replicas that must be available.
	MinAvailablePercent int32 `json:"minAvailablePercent,omitempty"`
}

// TelemetrySignal is a signal that shows the remediator misbehaving.
type TelemetrySignal struct {
	// Metric is the Prometheus metric name.
	Metric string `json:"metric,omitempty"`
	// Alert is the alert rule that fires on it.
	// +optional
	Alert string `json:"alert,omitempty"`
	// Meaning says what the signal shows when it fires.
	Meaning string `json:"meaning,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Namespaced

// SafetyCase is a safety case kept as its own object, for automations that
// reference it rather than carry it inline.
type SafetyCase struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec SafetyCaseSpec `json:"spec,omitempty"`
}

// +kubebuilder:object:root=true

// SafetyCaseList is a list of SafetyCase.
type SafetyCaseList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []SafetyCase `json:"items"`
}

func init() {
	SchemeBuilder.Register(&SafetyCase{}, &SafetyCaseList{})
}
