// Package scale measures the built-in remediator on an embedded cluster of thousands of nodes and pods (trigger → action latency read from the audit log, memory, CPU and API requests) for hack/benchscale's report and the nightly scale test that guards its figures.
package scale
