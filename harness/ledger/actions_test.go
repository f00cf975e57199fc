package ledger_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

func TestActions(t *testing.T) {
	entries := parseTestdata(t, remediator)
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
			filter:    ledger.NodeCordons,
			wantIDs:   []int{10},
			wantCount: 1,
		},
		"deployment changes": {
			filter:    ledger.DeploymentChanges,
			wantIDs:   []int{15},
			wantCount: 1,
		},
		"restarts or cordons": {
			filter:    ledger.Any(ledger.PodRestarts, ledger.NodeCordons),
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

func TestIsBookkeeping(t *testing.T) {
	tests := map[string]struct {
		entry scorecard.LedgerEntry
		want  bool
	}{
		"automation status":     {scorecard.LedgerEntry{Verb: "update", Resource: "automations", Subresource: "status"}, true},
		"proposal":              {scorecard.LedgerEntry{Verb: "create", Resource: "remediationproposals"}, true},
		"event":                 {scorecard.LedgerEntry{Verb: "create", Resource: "events"}, true},
		"lease":                 {scorecard.LedgerEntry{Verb: "update", Resource: "leases"}, true},
		"self subject review":   {scorecard.LedgerEntry{Verb: "create", Resource: "selfsubjectreviews"}, true},
		"pod deletion":          {scorecard.LedgerEntry{Verb: "delete", Resource: "pods"}, false},
		"configmap (state too)": {scorecard.LedgerEntry{Verb: "update", Resource: "configmaps"}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := ledger.IsBookkeeping(tc.entry); got != tc.want {
				t.Errorf("IsBookkeeping = %v, want %v", got, tc.want)
			}
		})
	}
}
