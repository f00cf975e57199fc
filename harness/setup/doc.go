// Package setup installs interlock's resources on a cluster and gives the remediator an identity of its own.
package setup
