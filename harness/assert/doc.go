// Package assert compiles the assertions a run is graded by from an automation's safety case and its scenario, and evaluates them on what the harness observed.
package assert
