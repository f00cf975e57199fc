package cluster_test

import (
	"strings"
	"testing"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
	"sigs.k8s.io/yaml"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/harness/ledger"
)

func auditPolicy(t *testing.T) []byte {
	t.Helper()
	return cluster.AuditPolicy
}

// The audit policy decodes as audit.k8s.io/v1 and records mutating requests
// with their user (Metadata level or above) while leaving reads out.
func TestAuditPolicy(t *testing.T) {
	var p auditv1.Policy
	if err := yaml.UnmarshalStrict(cluster.AuditPolicy, &p); err != nil {
		t.Fatalf("audit policy: %v", err)
	}
	last := p.Rules[len(p.Rules)-1]
	if last.Level != auditv1.LevelMetadata || len(last.Verbs) != 0 || len(last.Resources) != 0 {
		t.Errorf("the catch-all rule is %+v, want Metadata for everything else", last)
	}
	for _, r := range p.Rules[:len(p.Rules)-1] {
		for _, v := range r.Verbs {
			if r.Level == auditv1.LevelNone && (v == "create" || v == "delete" || v == "deletecollection") {
				t.Errorf("rule %+v drops %s requests", r, v)
			}
		}
	}
}

// The provider's requests carry the harness's user agent, which the ledger
// reads as the harness's.
func TestProviderActsAsTheHarness(t *testing.T) {
	if !strings.HasPrefix(cluster.HarnessUserAgent, ledger.HarnessUserAgent+"/") {
		t.Errorf("cluster.HarnessUserAgent %q does not start with %q/", cluster.HarnessUserAgent, ledger.HarnessUserAgent)
	}
}
