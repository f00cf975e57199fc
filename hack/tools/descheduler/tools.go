//go:build tools

// Package tools records the descheduler command that examples/descheduler
// runs as a remediator under test (interlock tools build descheduler).
// sigs.k8s.io/descheduler/cmd/descheduler is a main package, so the
// toolchain builds it directly in this module, with this module's replace.
package tools

import (
	_ "sigs.k8s.io/descheduler/cmd/descheduler"
)
