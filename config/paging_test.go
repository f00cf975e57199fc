package config_test

import (
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/interlock-dev/interlock/config"
	"github.com/interlock-dev/interlock/contract"
)

// severities are the severities the rules use: page wakes someone, ticket
// waits in a queue for a human, warning is for the dashboard and the chat.
var severities = []string{"page", "ticket", "warning"}

// alertRules returns every shipped rule, keyed by its alert's name.
func alertRules(t *testing.T) map[string]config.Rule {
	t.Helper()
	f, err := config.AlertRules()
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]config.Rule{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if _, dup := rules[r.Alert]; dup {
				t.Errorf("alert %s is defined twice", r.Alert)
			}
			rules[r.Alert] = r
		}
	}
	return rules
}

// One halt pages once. The remediator pages for a halt on its own, so a
// rule that fires on a halt (it reads the halted gauge or the budget) must
// not page too, unless it fires only when no page got through: a top-level
// "unless on (automation)" over the pages that succeeded.
func TestOnePagePerHalt(t *testing.T) {
	rules := alertRules(t)
	if r, ok := rules[contract.AlertBudgetExhausted]; !ok || r.Labels["severity"] == "page" {
		t.Errorf("the rule %s, the alert the remediator pages with itself, is missing or pages: %+v", contract.AlertBudgetExhausted, r)
	}
	paging := 0
	for alert, r := range rules {
		t.Run(alert, func(t *testing.T) {
			severity := r.Labels["severity"]
			if !slices.Contains(severities, severity) {
				t.Errorf("severity %q, want one of %v", severity, severities)
			}
			toks, err := lexPromQL(r.Expr)
			if err != nil {
				t.Fatal(err)
			}
			sels, err := selectorsOf(toks)
			if err != nil {
				t.Fatal(err)
			}
			if !firesOnHalt(sels) || severity != "page" {
				return
			}
			paging++
			ok, err := onlyWithoutPage(toks)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				t.Errorf("it fires on a halt and pages, but not only when no page got through:\n%s", r.Expr)
			}
		})
	}
	if paging == 0 {
		t.Error("no rule pages when an automation halts and its page did not get through")
	}
}

// firesOnHalt says whether an expression reads the halted gauge or the
// budget.
func firesOnHalt(sels []selector) bool {
	return slices.ContainsFunc(sels, func(s selector) bool {
		return s.metric == contract.MetricHalted || s.metric == contract.MetricBudgetRemaining
	})
}

// onlyWithoutPage says whether an expression has, outside any brackets,
// "unless on (automation)" followed by an operand that selects the pages
// that succeeded.
func onlyWithoutPage(toks []token) (bool, error) {
	wantOn := []string{"unless", "on", "(", contract.LabelAutomation, ")"}
	depth := 0
	for i, t := range toks {
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		}
		if depth != 0 || i+len(wantOn) > len(toks) || !slices.Equal(texts(toks[i:i+len(wantOn)]), wantOn) {
			continue
		}
		sels, err := selectorsOf(operand(toks[i+len(wantOn):]))
		if err != nil {
			return false, err
		}
		if slices.ContainsFunc(sels, func(s selector) bool {
			return s.metric == contract.MetricPagesSentTotal &&
				slices.Contains(s.matchers, contract.LabelOutcome+`="`+contract.OutcomeSucceeded+`"`)
		}) {
			return true, nil
		}
	}
	return false, nil
}

// operand returns the tokens up to the next set operator outside brackets.
func operand(toks []token) []token {
	depth := 0
	for i, t := range toks {
		switch {
		case t.text == "(" || t.text == "[" || t.text == "{":
			depth++
		case t.text == ")" || t.text == "]" || t.text == "}":
			depth--
		case depth == 0 && t.kind == tokIdent && slices.Contains([]string{"and", "or", "unless"}, t.text):
			return toks[:i]
		}
	}
	return toks
}

func texts(toks []token) []string {
	var s []string
	for _, t := range toks {
		s = append(s, t.text)
	}
	return s
}

// The rules' own unit tests (prometheus/rules_test.yaml) pass under
// promtool, when it is installed: one page per halt, over time.
func TestRulesUnderPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not on PATH; run promtool test rules config/prometheus/rules_test.yaml where it is")
	}
	out, err := exec.Command(promtool, "test", "rules", filepath.Join("prometheus", "rules_test.yaml")).CombinedOutput()
	if err != nil {
		t.Errorf("promtool test rules: %v\n%s", err, out)
	}
}
