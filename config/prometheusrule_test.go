package config_test

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/interlock-dev/interlock/config"
	"github.com/interlock-dev/interlock/contract"
)

// update rewrites the generated files from their sources.
var update = flag.Bool("update", false, "rewrite config/prometheus/prometheusrule.yaml from rules.yaml")

// prometheusRuleFile is the generated PrometheusRule, relative to config/.
const prometheusRuleFile = "prometheus/prometheusrule.yaml"

// The committed PrometheusRule is what rules.yaml generates, byte for byte,
// and decodes into the same groups.
func TestPrometheusRuleMatchesRules(t *testing.T) {
	rules, err := config.AlertRules()
	if err != nil {
		t.Fatal(err)
	}
	want, err := config.PrometheusRuleYAML(rules)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(prometheusRuleFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Skipf("wrote %s", prometheusRuleFile)
	}
	got, err := os.ReadFile(prometheusRuleFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what rules.yaml generates; run go test ./config -run TestPrometheusRuleMatchesRules -update\n%s",
			prometheusRuleFile, cmp.Diff(string(want), string(got)))
	}
	shipped, err := config.ShippedPrometheusRule()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rules.Groups, shipped.Spec.Groups); diff != "" {
		t.Errorf("the PrometheusRule's groups differ from rules.yaml's (-rules.yaml +prometheusrule.yaml):\n%s", diff)
	}
	if shipped.APIVersion != "monitoring.coreos.com/v1" || shipped.Kind != "PrometheusRule" {
		t.Errorf("prometheusrule.yaml is a %s %s, want a monitoring.coreos.com/v1 PrometheusRule", shipped.APIVersion, shipped.Kind)
	}
	if shipped.Metadata.Namespace != contract.Namespace || shipped.Metadata.Name == "" {
		t.Errorf("the PrometheusRule is %s/%s, want a name in %s", shipped.Metadata.Namespace, shipped.Metadata.Name, contract.Namespace)
	}
}
