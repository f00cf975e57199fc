package scale_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/test/scale"
)

func TestSampleSplit(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		s                   scale.Sample
		wantDecide, wantAct time.Duration
		wantOK              bool
	}{
		"no intent write": {s: scale.Sample{Holds: t0, Action: t0.Add(60 * time.Millisecond)}},
		"splits at the intent": {
			s:          scale.Sample{Holds: t0, Intent: t0.Add(45 * time.Millisecond), Action: t0.Add(60 * time.Millisecond)},
			wantDecide: 45 * time.Millisecond, wantAct: 15 * time.Millisecond, wantOK: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d, a, ok := tc.s.Split()
			if d != tc.wantDecide || a != tc.wantAct || ok != tc.wantOK {
				t.Errorf("Split() = %v, %v, %v; want %v, %v, %v", d, a, ok, tc.wantDecide, tc.wantAct, tc.wantOK)
			}
			if ok && d+a != tc.s.Latency() {
				t.Errorf("decide %v + act %v != latency %v", d, a, tc.s.Latency())
			}
		})
	}
}

// TestActionsReadsTheAuditLog follows a real audit file: the remediator's
// accepted status writes are found by time, a refused one and another
// user's are not, and a delete of a pod reaches its waiter.
func TestActionsReadsTheAuditLog(t *testing.T) {
	const user = "system:serviceaccount:interlock-system:remediator"
	t0 := time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC)
	line := func(id int, who, verb, resource, sub, ns, name string, code int, at time.Time) string {
		return fmt.Sprintf(`{"kind":"Event","level":"Metadata","auditID":"a%d","stage":"ResponseComplete","verb":%q,"user":{"username":%q},`+
			`"objectRef":{"resource":%q,"subresource":%q,"namespace":%q,"name":%q},"responseStatus":{"code":%d},"requestReceivedTimestamp":%q}`+"\n",
			id, verb, who, resource, sub, ns, name, code, at.Format(time.RFC3339Nano))
	}
	log := line(1, user, "update", "automations", "status", "", "storm", 200, t0.Add(10*time.Millisecond)) +
		line(2, user, "update", "automations", "status", "", "storm", 200, t0.Add(40*time.Millisecond)) +
		line(3, user, "update", "automations", "status", "", "storm", 409, t0.Add(45*time.Millisecond)) +
		line(4, "kwok-admin", "update", "automations", "status", "", "storm", 200, t0.Add(50*time.Millisecond)) +
		line(5, user, "delete", "pods", "", scale.Namespace, "app-0-x", 200, t0.Add(60*time.Millisecond))
	path := filepath.Join(t.TempDir(), "audit.log")
	if err := os.WriteFile(path, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	a, err := scale.FollowActions(ctx, path, user)
	if err != nil {
		t.Fatal(err)
	}
	at, err := a.Await(ctx, "app-0-x", 10*time.Second)
	if err != nil {
		t.Fatalf("Await: %v", err)
	}
	if want := t0.Add(60 * time.Millisecond); !at.Equal(want) {
		t.Errorf("delete at %v, want %v", at, want)
	}
	tests := map[string]struct {
		from, to time.Time
		want     time.Time
	}{
		"the last accepted write in the span": {from: t0, to: at, want: t0.Add(40 * time.Millisecond)},
		"the span's edges count":              {from: t0.Add(10 * time.Millisecond), to: t0.Add(10 * time.Millisecond), want: t0.Add(10 * time.Millisecond)},
		"none in the span":                    {from: t0.Add(41 * time.Millisecond), to: at},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := a.StatusWrite(tc.from, tc.to); !got.Equal(tc.want) {
				t.Errorf("StatusWrite(%v, %v) = %v, want %v", tc.from, tc.to, got, tc.want)
			}
		})
	}
}
