package config_test

import (
	"testing"

	"github.com/interlock-dev/interlock/config"
	"github.com/interlock-dev/interlock/safetycases"
)

// Every alert a shipped safety case names is defined, and every rule reads
// a metric the remediator exports.
func TestRulesCoverSafetyCases(t *testing.T) {
	rules, err := config.AlertRules()
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]string{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || r.Expr == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("rule %+v lacks alert, expr, severity or summary", r)
			}
			defined[r.Alert] = r.Expr
		}
	}
	exported := exportedSeries()
	for alert, expr := range defined {
		names, err := metricNames(expr)
		if err != nil {
			t.Errorf("alert %s: %v", alert, err)
		}
		for _, m := range names {
			if !exported[m] {
				t.Errorf("alert %s reads %s, which the remediator does not export", alert, m)
			}
		}
	}
	for _, name := range safetycases.Names() {
		sc, err := safetycases.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, sig := range sc.Spec.Telemetry {
			if sig.Alert != "" && defined[sig.Alert] == "" {
				t.Errorf("safety case %s names alert %s, which config/prometheus/rules.yaml does not define", name, sig.Alert)
			}
		}
	}
}

func TestRemediatorRole(t *testing.T) {
	role, err := config.RemediatorRole()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range role.Rules {
		for _, res := range r.Resources {
			for _, v := range r.Verbs {
				if res == "secrets" && (v == "delete" || v == "deletecollection" || v == "*") {
					t.Errorf("the remediator may %s secrets", v)
				}
				if v == "*" {
					t.Errorf("wildcard verb on %s", res)
				}
			}
		}
	}
}
