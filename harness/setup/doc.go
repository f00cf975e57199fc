// Package setup installs interlock's resources on a cluster and gives the remediator an identity of its own (a ServiceAccount bound to the rules it is given, the built-in remediator's role from config/ by default); it must not import remediator/.
package setup
