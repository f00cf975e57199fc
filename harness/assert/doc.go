// Package assert compiles the assertions a run is graded by from an automation's safety case and its scenario's expectations (scenarios.Expectations), and evaluates them on what the harness observed; it must not import remediator/.
package assert
