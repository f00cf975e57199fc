package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AutomationType names one of the remediator's built-in automations.
// +kubebuilder:validation:Enum=unhealthy-workload;node-loss;disk-pressure;certificate-expiry;bad-deploy
type AutomationType string

// The built-in automations.
const (
	// UnhealthyWorkload restarts pods that crash-loop or stay not Ready.
	UnhealthyWorkload AutomationType = "unhealthy-workload"
	// NodeLoss cordons a NotReady node and evicts its pods so they reschedule.
	NodeLoss AutomationType = "node-loss"
	// DiskPressure cordons a node under disk pressure and evicts its heaviest pods.
	DiskPressure AutomationType = "disk-pressure"
	// CertificateExpiry alerts on TLS secrets near expiry and proposes renewal.
	CertificateExpiry AutomationType = "certificate-expiry"
	// BadDeploy rolls back a Deployment whose newest revision fails its health gate.
	BadDeploy AutomationType = "bad-deploy"
)

// AutomationSpec is one remediation rule: a trigger, an action and its safety case.
type AutomationSpec struct {
	// Type is the built-in automation to run.
	Type AutomationType `json:"type"`
	// Rung is how far the automation may act on its own.
	// +kubebuilder:validation:Enum=alert;runbook;supervised;unsupervised
	Rung string `json:"rung"`
	// Selector limits the targets (pods, nodes, secrets or deployments) by label.
	// An empty selector matches every target of the type.
	// +optional
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
	// Namespaces limits namespaced targets; empty means the Automation's own namespace.
	// +optional
	Namespaces []string `json:"namespaces,omitempty"`
	// SafetyCase is the automation's safety case, inline. Exactly one of
	// SafetyCase and SafetyCaseRef is set.
	// +optional
	SafetyCase *SafetyCaseSpec `json:"safetyCase,omitempty"`
	// SafetyCaseRef names a SafetyCase in the same namespace.
	// +optional
	SafetyCaseRef *LocalObjectReference `json:"safetyCaseRef,omitempty"`
	// Runbook is the runbook the automation names at the runbook rung and above.
	// +optional
	Runbook string `json:"runbook,omitempty"`
}

// LocalObjectReference names an object in the same namespace.
type LocalObjectReference struct {
	Name string `json:"name"`
}

// ActionPhase is where a recorded action stands.
type ActionPhase string

// Action phases.
const (
	// ActionIntended is recorded before the action is taken.
	ActionIntended ActionPhase = "Intended"
	// ActionDone means the action was taken.
	ActionDone ActionPhase = "Done"
	// ActionFailed means the action was attempted and failed.
	ActionFailed ActionPhase = "Failed"
)

// ActionRecord is one action, written to status before it is taken so that a
// crash or restart of the remediator neither resets its budget nor repeats it.
type ActionRecord struct {
	// ID is unique per action.
	ID string `json:"id"`
	// Target is namespace/name (or name, for cluster-scoped targets).
	Target string `json:"target"`
	// Group is the target's group: its workload (namespace/name) for pods,
	// "nodes" for nodes. Blast radius is judged per group.
	// +optional
	Group string `json:"group,omitempty"`
	// TargetUID is the target's UID when the action was decided.
	TargetUID string `json:"targetUID,omitempty"`
	// Verb says what was done, for example "delete-pod" or "cordon-evict".
	Verb string `json:"verb"`
	// Time is when the action was decided.
	Time metav1.Time `json:"time"`
	// Phase is Intended, Done or Failed.
	Phase ActionPhase `json:"phase"`
	// ObservedAt is when the trigger first held for the target.
	// +optional
	ObservedAt *metav1.Time `json:"observedAt,omitempty"`
}

// Condition types and reasons on an Automation.
const (
	// ConditionReady is True when the automation may act at its rung.
	ConditionReady = "Ready"
	// ConditionHalted is True when the automation has stopped itself.
	ConditionHalted = "Halted"

	ReasonBudgetExhausted      = "BudgetExhausted"
	ReasonSafetyCaseIncomplete = "SafetyCaseIncomplete"
	ReasonRungExceedsPosture   = "RungExceedsPosture"
	ReasonKillSwitch           = "KillSwitch"
	ReasonResumed              = "Resumed"
	ReasonActive               = "Active"
)

// AutomationStatus is what the remediator reports of an automation.
type AutomationStatus struct {
	// Conditions: Ready, Halted.
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// Actions are the actions within the budget window, oldest first.
	// +optional
	Actions []ActionRecord `json:"actions,omitempty"`
	// HaltedAt is when the automation halted itself.
	// +optional
	HaltedAt *metav1.Time `json:"haltedAt,omitempty"`
	// ResumedBy is who last lifted a halt, as the API server saw them.
	// +optional
	ResumedBy string `json:"resumedBy,omitempty"`
	// ResumedAt is when.
	// +optional
	ResumedAt *metav1.Time `json:"resumedAt,omitempty"`
	// PagedAt is when the last page was sent.
	// +optional
	PagedAt *metav1.Time `json:"pagedAt,omitempty"`
	// ObservedGeneration is the generation last acted on.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.type`
// +kubebuilder:printcolumn:name="Rung",type=string,JSONPath=`.spec.rung`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Halted",type=string,JSONPath=`.status.conditions[?(@.type=="Halted")].status`

// Automation is one remediation rule run by the remediator.
type Automation struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   AutomationSpec   `json:"spec,omitempty"`
	Status AutomationStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// AutomationList is a list of Automation.
type AutomationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Automation `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Automation{}, &AutomationList{})
}
