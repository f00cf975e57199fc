// Package run carries out one run of a scenario (cluster, fixture, remediator, faults on the timeline, observation) and hands what it saw to harness/assert to grade; it must not import the remediator it runs, only contract/ and api/.
package run
