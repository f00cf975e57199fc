// Package v1alpha1 holds interlock's custom resources in the interlock.dev API group.
// +kubebuilder:object:generate=true
// +groupName=interlock.dev
package v1alpha1
