// Package v1alpha1 is the API both sides speak, in the interlock.dev group: the Automation, SafetyCase and RemediationProposal resources, the ladder of rungs and the action-class table; it must not import the remediator, the harness or the scenarios.
// +kubebuilder:object:generate=true
// +groupName=interlock.dev
package v1alpha1
