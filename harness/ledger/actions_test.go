package ledger_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

// testScope is the bookkeeping scope of testdata/audit.log's remediator.
var testScope = ledger.Scope{Automations: []string{"restart-crashlooping"}}

func TestActions(t *testing.T) {
	entries := ledger.ClassifyAll(parseTestdata(t, remediator), testScope)
	tests := map[string]struct {
		filter    ledger.Filter
		wantIDs   []int // lines of testdata/audit.log
		wantCount int
	}{
		"every action, bookkeeping left out": {
			filter:    nil,
			wantIDs:   []int{5, 8, 9, 10, 12, 15},
			wantCount: 4,
		},
		"pod deletions": {
			filter:    ledger.PodDeletions,
			wantIDs:   []int{5},
			wantCount: 1,
		},
		"pod evictions, one refused by a disruption budget": {
			filter:    ledger.PodEvictions,
			wantIDs:   []int{8, 9},
			wantCount: 1,
		},
		"pod restarts": {
			filter:    ledger.PodRestarts,
			wantIDs:   []int{5, 8, 9},
			wantCount: 2,
		},
		"node cordons": {
			filter:    ledger.NodeWrites,
			wantIDs:   []int{10},
			wantCount: 1,
		},
		"deployment changes": {
			filter:    ledger.DeploymentChanges,
			wantIDs:   []int{15},
			wantCount: 1,
		},
		"restarts or cordons": {
			filter:    ledger.Any(ledger.PodRestarts, ledger.NodeWrites),
			wantIDs:   []int{5, 8, 9, 10},
			wantCount: 3,
		},
		"in a namespace": {
			filter:    ledger.InNamespace("shop"),
			wantIDs:   []int{5, 8, 9, 12, 15},
			wantCount: 3,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, e := range ledger.Actions(entries, tc.filter) {
				got = append(got, e.AuditID)
			}
			var want []string
			for _, n := range tc.wantIDs {
				want = append(want, auditID(n))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Actions (-want +got):\n%s", diff)
			}
			if n := ledger.Count(entries, tc.filter); n != tc.wantCount {
				t.Errorf("Count = %d, want %d", n, tc.wantCount)
			}
		})
	}
}

func TestScopeIsBookkeeping(t *testing.T) {
	own := func(e scorecard.LedgerEntry) scorecard.LedgerEntry { e.Namespace = "interlock-system"; return e }
	tests := map[string]struct {
		entry scorecard.LedgerEntry
		want  bool
	}{
		"its automation's status":     {own(scorecard.LedgerEntry{Verb: "update", Resource: "automations", Subresource: "status", Name: "restart-crashlooping"}), true},
		"another automation's status": {own(scorecard.LedgerEntry{Verb: "update", Resource: "automations", Subresource: "status", Name: "other"}), false},
		"its automation's spec":       {own(scorecard.LedgerEntry{Verb: "patch", Resource: "automations", Name: "restart-crashlooping"}), false},
		"proposal":                    {own(scorecard.LedgerEntry{Verb: "create", Resource: "remediationproposals"}), true},
		"proposal elsewhere":          {scorecard.LedgerEntry{Verb: "create", Resource: "remediationproposals", Namespace: "shop"}, false},
		"event anywhere":              {scorecard.LedgerEntry{Verb: "create", Resource: "events", Namespace: "shop"}, true},
		"every event at once":         {scorecard.LedgerEntry{Verb: "deletecollection", Resource: "events", Namespace: "shop"}, false},
		"its lease":                   {own(scorecard.LedgerEntry{Verb: "update", Resource: "leases"}), true},
		"a lease in kube-system":      {scorecard.LedgerEntry{Verb: "update", Resource: "leases", Namespace: "kube-system"}, false},
		"pod deletion":                {scorecard.LedgerEntry{Verb: "delete", Resource: "pods", Namespace: "shop"}, false},
		"configmap in its namespace":  {own(scorecard.LedgerEntry{Verb: "update", Resource: "configmaps"}), false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := testScope.IsBookkeeping(tc.entry); got != tc.want {
				t.Errorf("IsBookkeeping = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestIsBookkeepingNeedsAClassification(t *testing.T) {
	e := scorecard.LedgerEntry{Verb: "create", Resource: "events"}
	if ledger.IsBookkeeping(e) {
		t.Error("an entry not classified yet is bookkeeping; want it counted as an action")
	}
	e.Kind = ledger.KindBookkeeping
	if !ledger.IsBookkeeping(e) {
		t.Error("a classified event is not bookkeeping")
	}
}
