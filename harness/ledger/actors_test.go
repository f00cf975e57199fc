package ledger_test

import (
	"testing"

	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

func TestAttribute(t *testing.T) {
	actors := ledger.Actors{
		Remediator:           remediator,
		Admin:                "kwok-admin",
		AdminComponentAgents: ledger.DefaultAdminComponentAgents,
		Components:           []string{"system:serviceaccount:chaos-mesh:"},
	}
	entry := func(user, agent, by string) scorecard.LedgerEntry {
		return scorecard.LedgerEntry{User: user, UserAgent: agent, ImpersonatedBy: by}
	}
	tests := map[string]struct {
		entry scorecard.LedgerEntry
		want  string
	}{
		"the remediator":                        {entry(remediator, "anything/1.0", ""), ledger.ActorRemediator},
		"the harness":                           {entry("kwok-admin", "interlock-harness/v1", ""), ledger.ActorHarness},
		"kwok as admin":                         {entry("kwok-admin", "kwok-controller/v0.8.0 (linux/amd64)", ""), ledger.ActorComponent},
		"the scheduler as admin":                {entry("kwok-admin", "kube-scheduler/v0.0.0", ""), ledger.ActorComponent},
		"a controller's service account":        {entry("system:serviceaccount:kube-system:replicaset-controller", "kube-controller-manager/v1", ""), ledger.ActorComponent},
		"a node":                                {entry("system:node:kind-worker", "kubelet/v1", ""), ledger.ActorComponent},
		"the injector's account":                {entry("system:serviceaccount:chaos-mesh:chaos-controller-manager", "x", ""), ledger.ActorComponent},
		"the admin with another agent":          {entry("kwok-admin", "brokenremediator/v0.0.0", ""), ledger.ActorUnattributed},
		"the admin with kubectl":                {entry("kwok-admin", "kubectl/v1.37.2", ""), ledger.ActorUnattributed},
		"another service account":               {entry("system:serviceaccount:shop:default", "x", ""), ledger.ActorUnattributed},
		"someone":                               {entry("alice", "kubectl/v1.37.2", ""), ledger.ActorUnattributed},
		"the remediator impersonating admin":    {entry("kwok-admin", "interlock-harness/v1", remediator), ledger.ActorUnattributed},
		"the remediator impersonating a node":   {entry("system:node:n1", "x", remediator), ledger.ActorUnattributed},
		"the harness impersonating":             {entry(remediator, "interlock-harness/v1", "kwok-admin"), ledger.ActorHarness},
		"a component prefix is not a substring": {entry("system:serviceaccount:chaos-meshy:x", "x", ""), ledger.ActorUnattributed},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := actors.Attribute(tc.entry); got != tc.want {
				t.Errorf("Attribute = %s, want %s", got, tc.want)
			}
		})
	}
}
