// Package harness runs a scenario against a remediator in a real control plane and grades the run against its safety case.
package harness
