// Package suite runs a tier of scenarios, each paired with a baseline run, and writes one summary of their verdicts; it reaches clusters, remediators and faults only through harness/run, so it must not import remediator/, harness/cluster or an injector.
package suite
