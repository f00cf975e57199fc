// Package remediator is interlock's built-in remediation controller, the automation the harness holds to its safety cases.
package remediator
