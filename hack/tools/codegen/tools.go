//go:build tools

// Package tools records the code generators interlock runs from hack/generate.sh.
package tools

import (
	_ "sigs.k8s.io/controller-tools/cmd/controller-gen"
)
