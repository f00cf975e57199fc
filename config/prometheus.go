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

// prometheusRuleYAML holds the same rules as a PrometheusRule, generated
// from rulesYAML by PrometheusRuleYAML.
//
//go:embed prometheus/prometheusrule.yaml
var prometheusRuleYAML []byte

// RuleFile is the shape of a Prometheus rule file.
type RuleFile struct {
	// Groups are the file's rule groups.
	Groups []RuleGroup `json:"groups"`
}

// RuleGroup is one group of rules, evaluated together.
type RuleGroup struct {
	// Name names the group.
	Name string `json:"name"`
	// Rules are the group's alerting rules.
	Rules []Rule `json:"rules"`
}

// Rule is one alerting rule.
type Rule struct {
	// Alert is the alert's name.
	Alert string `json:"alert"`
	// Expr is the PromQL expression that fires it.
	Expr string `json:"expr"`
	// For is how long Expr must hold before the alert fires.
	For string `json:"for,omitempty"`
	// Labels are added to the alert: severity routes it.
	Labels map[string]string `json:"labels,omitempty"`
	// Annotations describe it: summary, description, runbook_url.
	Annotations map[string]string `json:"annotations,omitempty"`
}

// PrometheusRule is the Prometheus Operator's PrometheusRule
// (monitoring.coreos.com/v1), as much of it as interlock ships.
type PrometheusRule struct {
	// APIVersion is monitoring.coreos.com/v1.
	APIVersion string `json:"apiVersion"`
	// Kind is PrometheusRule.
	Kind string `json:"kind"`
	// Metadata names the object.
	Metadata Metadata `json:"metadata"`
	// Spec holds the rule groups.
	Spec PrometheusRuleSpec `json:"spec"`
}

// PrometheusRuleSpec is a PrometheusRule's spec: a rule file's groups.
type PrometheusRuleSpec struct {
	// Groups are the rule groups, as in a rule file.
	Groups []RuleGroup `json:"groups"`
}

// Metadata is the part of an object's metadata the monitoring manifests set.
type Metadata struct {
	// Name is the object's name.
	Name string `json:"name"`
	// Namespace is the object's namespace.
	Namespace string `json:"namespace,omitempty"`
	// Labels are the object's labels.
	Labels map[string]string `json:"labels,omitempty"`
}

// prometheusRuleHeader heads the generated prometheusrule.yaml.
const prometheusRuleHeader = `# Generated from rules.yaml, next to it; do not edit. After changing
# rules.yaml, regenerate with
#   go test ./config -run TestPrometheusRuleMatchesRules -update
# The remediator's alert rules for the Prometheus Operator. If your
# Prometheus selects rules by label (ruleSelector, for example
# release: kube-prometheus-stack), add that label with kustomize.
`

// AlertRules returns the shipped alert rules.
func AlertRules() (*RuleFile, error) {
	var f RuleFile
	if err := yaml.UnmarshalStrict(rulesYAML, &f); err != nil {
		return nil, fmt.Errorf("failed to decode config/prometheus/rules.yaml: %w", err)
	}
	return &f, nil
}

// NewPrometheusRule wraps a rule file's groups in a PrometheusRule named
// interlock-remediator, in the remediator's namespace.
func NewPrometheusRule(f *RuleFile) *PrometheusRule {
	return &PrometheusRule{
		APIVersion: "monitoring.coreos.com/v1",
		Kind:       "PrometheusRule",
		Metadata: Metadata{
			Name:      "interlock-remediator",
			Namespace: "interlock-system", // contract.Namespace; config imports only the API types
			Labels:    map[string]string{"app.kubernetes.io/name": "interlock-remediator"},
		},
		Spec: PrometheusRuleSpec{Groups: f.Groups},
	}
}

// PrometheusRuleYAML renders a rule file as prometheusrule.yaml: a header
// comment, then the PrometheusRule that NewPrometheusRule makes of it.
func PrometheusRuleYAML(f *RuleFile) ([]byte, error) {
	y, err := yaml.Marshal(NewPrometheusRule(f))
	if err != nil {
		return nil, fmt.Errorf("failed to encode the PrometheusRule: %w", err)
	}
	return append([]byte(prometheusRuleHeader), y...), nil
}

// ShippedPrometheusRule returns config/prometheus/prometheusrule.yaml,
// decoded.
func ShippedPrometheusRule() (*PrometheusRule, error) {
	var r PrometheusRule
	if err := yaml.UnmarshalStrict(prometheusRuleYAML, &r); err != nil {
		return nil, fmt.Errorf("failed to decode config/prometheus/prometheusrule.yaml: %w", err)
	}
	return &r, nil
}
