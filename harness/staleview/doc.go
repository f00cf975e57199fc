// Package staleview stands between a remediator and the API server and can hold back its watch events, so that the remediator's view of the cluster runs behind the truth; it is a proxy that knows only HTTP and kubeconfigs, so it must not import remediator/ nor any other part of the harness.
package staleview
