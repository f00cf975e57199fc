// Command jitter measures how far the mean true availability of a scenario
// moves between runs of the same timeline with remediation off: the
// run-to-run jitter the did-no-harm assertion must allow for. It runs each
// named scenario's baseline -runs times, PARALLEL at a time, and writes a
// Markdown report with every run's mean, the spread (largest minus
// smallest) per scenario, and the tolerance it supports.
//
//	go run ./hack/jitter -runs 5 -out _output/jitter.md disk-pressure autoscaler-feedback-loop
package main
