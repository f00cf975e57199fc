package policy_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/remediator/policy"
)

var sink policy.Decision

// BenchmarkDecide measures one decision (ns/op) on a restart automation whose
// history holds n actions, one a minute on 50 pods, of which the last 9 fall
// in the 10-minute window: the window start is found by binary search, so the
// cost barely grows with n. The "all-in-window" case is the worst case, where
// every action is in the window and is scanned for the per-target count.
func BenchmarkDecide(b *testing.B) {
	cases := []struct {
		name    string
		n       int
		spacing time.Duration
		budget  int
	}{
		{"history=100", 100, time.Minute, 20},
		{"history=10000", 10_000, time.Minute, 20},
		{"history=10000/all-in-window", 10_000, 10 * time.Millisecond, 20_000},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			h := make([]policy.ActionEvent, c.n)
			for i := range h {
				h[i] = policy.ActionEvent{
					Target: fmt.Sprintf("shop/web-%d", i%50),
					At:     now.Add(-time.Duration(c.n-i) * c.spacing),
				}
			}
			in := input(func(in *policy.Input) {
				in.History = h
				in.Budget = policy.Budget{MaxActions: c.budget, Window: window, PerTarget: c.n}
			})
			if d := policy.Decide(in, now); d.Verdict != policy.VerdictAct {
				b.Fatalf("setup: got %s %s (%s), want act", d.Verdict, d.Reason, d.Message)
			}
			b.ReportAllocs()
			for b.Loop() {
				sink = policy.Decide(in, now)
			}
		})
	}
}
