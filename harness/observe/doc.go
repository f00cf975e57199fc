// Package observe watches a run from outside the remediator: it scrapes the
// remediator's metrics and computes the truth of what was broken, what
// served, and which actions were false positives or missed outages; it must
// not import remediator/, nor client-go (harness/run lists the objects and
// hands them in, so that the truth stays pure).
//
// Scraper reads a /metrics endpoint in any exposition format that
// client_golang's promhttp serves (the Prometheus text format, the protobuf
// delimited format, OpenMetrics text), and tells a series the endpoint does
// not expose (ErrAbsent) from one at 0. Truth measures true availability
// against the capacity the fixture promised each workload (Promise), so
// that capacity a remediator destroyed, by scaling a workload down or
// deleting it, is never scored as health; and it grades pod deletions and
// evictions, and node cordons, taints and drains, against the faults the
// harness injected.
package observe
