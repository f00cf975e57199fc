package e2e

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/testutil"
)

// auditEntries reads the shared cluster's audit log through the ledger, for
// user ("" for everyone).
func auditEntries(user string) ([]scorecard.LedgerEntry, error) {
	f, err := os.Open(shared.AuditLog)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ledger.Parse(f, user)
}

// podCreations counts the successful pod creations in ns by user.
func podCreations(ns string) (map[string]int, error) {
	entries, err := auditEntries("")
	if err != nil {
		return nil, err
	}
	users := map[string]int{}
	for _, e := range entries {
		if e.Verb == "create" && e.Resource == "pods" && e.Subresource == "" && e.Namespace == ns && e.Code == 201 {
			users[e.User]++
		}
	}
	return users, nil
}

// deletions counts, from the API server's audit log, the remediator's
// successful pod deletions in ns: the budget is judged on this, not on
// what the remediator says of itself.
func (f *fixture) deletions(t *testing.T, ns string) int {
	t.Helper()
	entries, err := auditEntries(f.identity.Username)
	if err != nil {
		t.Fatal(err)
	}
	return len(ledger.Accepted(ledger.Actions(entries, func(e scorecard.LedgerEntry) bool {
		return ledger.PodDeletions(e) && e.Namespace == ns
	})))
}

// waitDeletions waits until the audit log shows at least want deletions (it
// is flushed in batches) and returns the count.
func (f *fixture) waitDeletions(t *testing.T, ns string, want int) int {
	t.Helper()
	got := 0
	_ = testutil.Until(context.Background(), testutil.Interval, 20*time.Second, func(context.Context) (bool, error) {
		got = f.deletions(t, ns)
		return got >= want, nil
	})
	return got
}

// remediatorWrites returns the remediator's accepted writes to resource
// (with subresource after a slash), from the audit log, as namespace/name.
func (f *fixture) remediatorWrites(t *testing.T, resource, verb string) []string {
	t.Helper()
	entries, err := auditEntries(f.identity.Username)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ledger.Accepted(entries) {
		res := e.Resource
		if e.Subresource != "" {
			res += "/" + e.Subresource
		}
		if res == resource && e.Verb == verb {
			out = append(out, key(e.Namespace, e.Name))
		}
	}
	return out
}

func key(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}
