// Package staleview stands between a remediator and the API server and can hold back its watch events, so that the remediator's view of the cluster runs behind the truth.
package staleview
