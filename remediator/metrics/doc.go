// Package metrics defines the remediator's Prometheus metrics, the telemetry that shows the remediator itself going wrong.
package metrics
