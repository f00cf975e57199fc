//go:build tools

// Package tools records the metrics-server command the embedded cluster
// builds when it runs with resource metrics (UpOptions.Metrics).
package tools

import (
	_ "sigs.k8s.io/metrics-server/cmd/metrics-server"
)
