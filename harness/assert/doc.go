// Package assert compiles the assertions a run is graded by from an automation's safety case and its scenario's expectations (scenarios.Expectations), and evaluates them on what the harness observed (a Record in, a verdict out); it is pure grading, so it must not import remediator/, client-go or anything that does I/O.
package assert
