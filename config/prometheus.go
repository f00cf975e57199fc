package config

import (
	_ "embed"
	"fmt"

	"sigs.k8s.io/yaml"
)

// rulesYAML holds the alert rules for the remediator's telemetry.
//
//go:embed prometheus/rules.yaml
var rulesYAML []byte

// RuleFile is the shape of a Prometheus rule file.
type RuleFile struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []Rule `json:"rules"`
	} `json:"groups"`
}

// Rule is one alerting rule.
type Rule struct {
	Alert       string            `json:"alert"`
	Expr        string            `json:"expr"`
	For         string            `json:"for,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// AlertRules returns the shipped alert rules.
func AlertRules() (*RuleFile, error) {
	var f RuleFile
	if err := yaml.UnmarshalStrict(rulesYAML, &f); err != nil {
		return nil, fmt.Errorf("failed to decode config/prometheus/rules.yaml: %w", err)
	}
	return &f, nil
}
