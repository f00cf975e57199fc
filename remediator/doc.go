// Package remediator is interlock's built-in remediation controller, the automation the harness holds to its safety cases: New, Options and Run wire the manager with the reconcilers of remediator/controllers over remediator/engine, and the human side (Resume, Approve, the kill switch) lives here; it may import api/, contract/ and safetycases/, never harness/ or scenarios/.
package remediator
