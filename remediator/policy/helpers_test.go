package policy_test

import (
	"errors"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/remediator/policy"
)

// now is the fake clock: every test runs at this fixed time.
var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// ago is the time d before now.
func ago(d time.Duration) time.Time { return now.Add(-d) }

// ev is an action on target taken d before now.
func ev(target string, d time.Duration) policy.ActionEvent {
	return policy.ActionEvent{Target: target, At: ago(d)}
}

// wantViolation checks that err is nil when want is "", or a *Violation with
// the wanted reason and RetryAfter.
func wantViolation(t *testing.T, err error, want policy.Reason, retry time.Duration) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("got %v, want no violation", err)
		}
		return
	}
	v, ok := errors.AsType[*policy.Violation](err)
	if !ok {
		t.Fatalf("got %v, want a *Violation with reason %s", err, want)
	}
	if v.Reason != want || v.RetryAfter != retry {
		t.Fatalf("got reason %s, RetryAfter %s (%q); want %s, %s", v.Reason, v.RetryAfter, v.Message, want, retry)
	}
	if v.Message == "" {
		t.Errorf("violation %s has no message", v.Reason)
	}
}
