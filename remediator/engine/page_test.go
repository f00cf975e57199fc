package engine_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/remediator/engine"
)

// The runbook a halt's page links to exists and is about that alert.
func TestPageRunbookExists(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", engine.PageRunbook))
	if err != nil {
		t.Fatalf("the page links to %s: %v", engine.PageRunbook, err)
	}
	if !strings.Contains(string(data), "InterlockRemediatorBudgetExhausted") {
		t.Errorf("%s does not name the alert it is for", engine.PageRunbook)
	}
}
