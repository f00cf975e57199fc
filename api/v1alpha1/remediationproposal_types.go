package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ProposalPhase is where a proposal stands.
type ProposalPhase string

// Proposal phases.
const (
	ProposalPending  ProposalPhase = "Pending"
	ProposalApproved ProposalPhase = "Approved"
	ProposalExecuted ProposalPhase = "Executed"
	ProposalRejected ProposalPhase = "Rejected"
	ProposalFailed   ProposalPhase = "Failed"
)

// RemediationProposalSpec is an action an automation wants to take but may
// not take without a named human's approval.
type RemediationProposalSpec struct {
	// Automation is the proposing Automation's name.
	Automation string `json:"automation"`
	// Class is the action's class.
	Class string `json:"class"`
	// Verb says what would be done.
	Verb string `json:"verb"`
	// Target is namespace/name of the object acted upon.
	Target string `json:"target"`
	// Reason is why the trigger fired.
	Reason string `json:"reason"`
	// Runbook is the runbook that applies.
	// +optional
	Runbook string `json:"runbook,omitempty"`
	// Owner is the safety case's accountable owner.
	Owner string `json:"owner"`
}

// Approval records who approved a proposal, as the API server saw them.
type Approval struct {
	// By is the approver's username from a SelfSubjectReview.
	By string `json:"by"`
	// At is when.
	At metav1.Time `json:"at"`
}

// RemediationProposalStatus reports the proposal's progress.
type RemediationProposalStatus struct {
	// Phase is Pending, Approved, Executed, Rejected or Failed.
	// +optional
	Phase ProposalPhase `json:"phase,omitempty"`
	// ExecutedAt is when the action ran.
	// +optional
	ExecutedAt *metav1.Time `json:"executedAt,omitempty"`
	// Message explains the phase.
	// +optional
	Message string `json:"message,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Automation",type=string,JSONPath=`.spec.automation`
// +kubebuilder:printcolumn:name="Target",type=string,JSONPath=`.spec.target`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Approved-By",type=string,JSONPath=`.approval.by`

// RemediationProposal is an action waiting for a human decision.
type RemediationProposal struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec RemediationProposalSpec `json:"spec,omitempty"`
	// Approval is set by `interlock approve`; the remediator acts only once it is.
	// +optional
	Approval *Approval                 `json:"approval,omitempty"`
	Status   RemediationProposalStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// RemediationProposalList is a list of RemediationProposal.
type RemediationProposalList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []RemediationProposal `json:"items"`
}

func init() {
	SchemeBuilder.Register(&RemediationProposal{}, &RemediationProposalList{})
}
