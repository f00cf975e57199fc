//go:build tools

// Package tools records the linters interlock runs from hack/lint-workflows.sh.
package tools

import (
	_ "github.com/rhysd/actionlint/cmd/actionlint"
)
