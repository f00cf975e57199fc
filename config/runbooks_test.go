package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// repoRoot is the repository's root, relative to config/.
const repoRoot = ".."

// runbookSections are the sections every runbook has, in order.
var runbookSections = []string{
	"## What fired",
	"## What it means for the automation",
	"## How to check",
	"## How to resolve",
	"## When to escalate",
}

// Every alert links its runbook, docs/runbooks/ALERT.md, and the runbook
// is there, is titled with the alert's name and has every section; every
// runbook belongs to an alert.
func TestRunbooks(t *testing.T) {
	rules := alertRules(t)
	for alert, r := range rules {
		t.Run(alert, func(t *testing.T) {
			url := r.Annotations["runbook_url"]
			if want := "docs/runbooks/" + alert + ".md"; url != want {
				t.Fatalf("runbook_url is %q, want %q", url, want)
			}
			data, err := os.ReadFile(filepath.Join(repoRoot, url))
			if err != nil {
				t.Fatalf("the runbook is missing: %v", err)
			}
			text := string(data)
			if title, _, _ := strings.Cut(text, "\n"); title != "# "+alert {
				t.Errorf("the runbook's title is %q, want %q", title, "# "+alert)
			}
			at := 0
			for _, s := range runbookSections {
				i := strings.Index(text[at:], "\n"+s+"\n")
				if i < 0 {
					t.Errorf("the runbook lacks %q, or has it out of order", s)
					continue
				}
				at += i + 1
			}
		})
	}
	files, err := filepath.Glob(filepath.Join(repoRoot, "docs", "runbooks", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".md")
		if _, ok := rules[name]; !ok && name != "README" {
			t.Errorf("%s is the runbook of no alert", f)
		}
	}
}
