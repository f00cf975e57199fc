package policy_test

import (
	"errors"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/remediator/policy"
)

const window = 10 * time.Minute

func TestBudgetUsage(t *testing.T) {
	budget := policy.Budget{MaxActions: 3, Window: window, PerTarget: 2}
	tests := map[string]struct {
		budget  policy.Budget
		history []policy.ActionEvent
		target  string
		want    policy.Usage
	}{
		"empty history": {
			budget: budget,
			want:   policy.Usage{Remaining: 3, TargetRemaining: 2},
		},
		"an action exactly Window ago has left the window": {
			budget:  budget,
			history: []policy.ActionEvent{ev("a", window)},
			target:  "a",
			want:    policy.Usage{Remaining: 3, TargetRemaining: 2},
		},
		"an action a nanosecond inside the window counts": {
			budget:  budget,
			history: []policy.ActionEvent{ev("a", window-time.Nanosecond)},
			target:  "a",
			want: policy.Usage{Count: 1, TargetCount: 1, Remaining: 2, TargetRemaining: 1,
				OldestExpiry: now.Add(time.Nanosecond)},
		},
		"an action at now counts": {
			budget:  budget,
			history: []policy.ActionEvent{ev("a", 0)},
			target:  "b",
			want:    policy.Usage{Count: 1, Remaining: 2, TargetRemaining: 2, OldestExpiry: now.Add(window)},
		},
		"an action stamped after now (clock skew) counts": {
			budget:  budget,
			history: []policy.ActionEvent{ev("a", -time.Minute)},
			target:  "b",
			want:    policy.Usage{Count: 1, Remaining: 2, TargetRemaining: 2, OldestExpiry: now.Add(window + time.Minute)},
		},
		"actions before the window are ignored": {
			budget:  budget,
			history: []policy.ActionEvent{ev("a", time.Hour), ev("a", 30*time.Minute), ev("a", 11*time.Minute), ev("b", 5*time.Minute)},
			target:  "a",
			want:    policy.Usage{Count: 1, Remaining: 2, TargetRemaining: 2, OldestExpiry: now.Add(5 * time.Minute)},
		},
		"overall count reaching MaxActions exhausts the budget": {
			budget:  budget,
			history: []policy.ActionEvent{ev("b", 9*time.Minute), ev("c", 8*time.Minute), ev("d", time.Minute)},
			target:  "a",
			want: policy.Usage{Count: 3, Remaining: 0, TargetRemaining: 2, Exhausted: true,
				OldestExpiry: now.Add(time.Minute), FreeAt: now.Add(time.Minute)},
		},
		"overall count above MaxActions frees only when enough have left": {
			budget:  budget,
			history: []policy.ActionEvent{ev("b", 9*time.Minute), ev("c", 8*time.Minute), ev("d", 7*time.Minute), ev("e", time.Minute)},
			target:  "a",
			want: policy.Usage{Count: 4, Remaining: 0, TargetRemaining: 2, Exhausted: true,
				OldestExpiry: now.Add(time.Minute), FreeAt: now.Add(2 * time.Minute)},
		},
		"per-target limit reached while the overall budget is not": {
			budget:  policy.Budget{MaxActions: 10, Window: window, PerTarget: 2},
			history: []policy.ActionEvent{ev("a", 9*time.Minute), ev("b", 5*time.Minute), ev("a", 2*time.Minute)},
			target:  "a",
			want: policy.Usage{Count: 3, TargetCount: 2, Remaining: 7, TargetRemaining: 0, TargetExhausted: true,
				OldestExpiry: now.Add(time.Minute), TargetFreeAt: now.Add(time.Minute)},
		},
		"per-target count above the limit frees only when enough have left": {
			budget:  policy.Budget{MaxActions: 10, Window: window, PerTarget: 2},
			history: []policy.ActionEvent{ev("a", 9*time.Minute), ev("a", 6*time.Minute), ev("a", 3*time.Minute)},
			target:  "a",
			want: policy.Usage{Count: 3, TargetCount: 3, Remaining: 7, TargetRemaining: 0, TargetExhausted: true,
				OldestExpiry: now.Add(time.Minute), TargetFreeAt: now.Add(4 * time.Minute)},
		},
		"per-target counts only the window": {
			budget:  budget,
			history: []policy.ActionEvent{ev("a", window), ev("a", 5*time.Minute)},
			target:  "a",
			want: policy.Usage{Count: 1, TargetCount: 1, Remaining: 2, TargetRemaining: 1,
				OldestExpiry: now.Add(5 * time.Minute)},
		},
		"per-target 0 means no per-target limit": {
			budget:  policy.Budget{MaxActions: 10, Window: window},
			history: []policy.ActionEvent{ev("a", 4*time.Minute), ev("a", 3*time.Minute), ev("a", 2*time.Minute)},
			target:  "a",
			want: policy.Usage{Count: 3, TargetCount: 3, Remaining: 7, TargetRemaining: -1,
				OldestExpiry: now.Add(6 * time.Minute)},
		},
		"MaxActions 0 is exhausted from the start and never frees": {
			budget: policy.Budget{MaxActions: 0, Window: window},
			target: "a",
			want:   policy.Usage{TargetRemaining: -1, Exhausted: true},
		},
		"PerTarget 1 with one action on the target": {
			budget:  policy.Budget{MaxActions: 10, Window: window, PerTarget: 1},
			history: []policy.ActionEvent{ev("a", 30*time.Second)},
			target:  "a",
			want: policy.Usage{Count: 1, TargetCount: 1, Remaining: 9, TargetRemaining: 0, TargetExhausted: true,
				OldestExpiry: now.Add(window - 30*time.Second), TargetFreeAt: now.Add(window - 30*time.Second)},
		},
		"actions at the same instant all count": {
			budget:  budget,
			history: []policy.ActionEvent{ev("a", time.Minute), ev("b", time.Minute), ev("c", time.Minute)},
			target:  "a",
			want: policy.Usage{Count: 3, TargetCount: 1, TargetRemaining: 1, Exhausted: true,
				OldestExpiry: now.Add(9 * time.Minute), FreeAt: now.Add(9 * time.Minute)},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := tc.budget.Usage(tc.history, tc.target, now)
			if got != tc.want {
				t.Errorf("Usage:\n got %+v\nwant %+v", got, tc.want)
			}
			if n := tc.budget.Count(tc.history, now); n != tc.want.Count {
				t.Errorf("Count = %d, want %d", n, tc.want.Count)
			}
			if n := tc.budget.CountTarget(tc.history, tc.target, now); n != tc.want.TargetCount {
				t.Errorf("CountTarget = %d, want %d", n, tc.want.TargetCount)
			}
			if n := tc.budget.Remaining(tc.history, now); n != tc.want.Remaining {
				t.Errorf("Remaining = %d, want %d", n, tc.want.Remaining)
			}
			if ex := tc.budget.Exhausted(tc.history, now); ex != tc.want.Exhausted {
				t.Errorf("Exhausted = %t, want %t", ex, tc.want.Exhausted)
			}
			exp, ok := tc.budget.OldestExpiry(tc.history, now)
			if ok != !tc.want.OldestExpiry.IsZero() || !exp.Equal(tc.want.OldestExpiry) {
				t.Errorf("OldestExpiry = %v, %t; want %v", exp, ok, tc.want.OldestExpiry)
			}
		})
	}
}

func TestBudgetAllow(t *testing.T) {
	tests := map[string]struct {
		budget  policy.Budget
		history []policy.ActionEvent
		target  string
		want    policy.Reason
		retry   time.Duration
	}{
		"within both limits": {
			budget:  policy.Budget{MaxActions: 3, Window: window, PerTarget: 2},
			history: []policy.ActionEvent{ev("a", 5*time.Minute), ev("b", time.Minute)},
			target:  "a",
		},
		"the N-th action is allowed": {
			budget:  policy.Budget{MaxActions: 3, Window: window},
			history: []policy.ActionEvent{ev("a", 5*time.Minute), ev("b", time.Minute)},
			target:  "c",
		},
		"the N+1-th is not": {
			budget:  policy.Budget{MaxActions: 3, Window: window},
			history: []policy.ActionEvent{ev("a", 5*time.Minute), ev("b", time.Minute), ev("c", 0)},
			target:  "d",
			want:    policy.ReasonBudgetExhausted,
		},
		"allowed again once the oldest is exactly Window old": {
			budget:  policy.Budget{MaxActions: 3, Window: window},
			history: []policy.ActionEvent{ev("a", window), ev("b", time.Minute), ev("c", 0)},
			target:  "d",
		},
		"overall exhaustion wins over per-target": {
			budget:  policy.Budget{MaxActions: 2, Window: window, PerTarget: 1},
			history: []policy.ActionEvent{ev("a", 5*time.Minute), ev("a", time.Minute)},
			target:  "a",
			want:    policy.ReasonBudgetExhausted,
		},
		"per-target exhausted retries when its oldest action leaves": {
			budget:  policy.Budget{MaxActions: 10, Window: window, PerTarget: 2},
			history: []policy.ActionEvent{ev("a", 7*time.Minute), ev("b", 5*time.Minute), ev("a", time.Minute)},
			target:  "a",
			want:    policy.ReasonPerTargetBudgetExhausted,
			retry:   3 * time.Minute,
		},
		"another target is not held back by a's limit": {
			budget:  policy.Budget{MaxActions: 10, Window: window, PerTarget: 2},
			history: []policy.ActionEvent{ev("a", 7*time.Minute), ev("a", time.Minute)},
			target:  "b",
		},
		"zero budget": {
			budget: policy.Budget{MaxActions: 0, Window: window},
			target: "a",
			want:   policy.ReasonBudgetExhausted,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			wantViolation(t, tc.budget.Allow(tc.history, tc.target, now), tc.want, tc.retry)
		})
	}
}

func TestBudgetValidate(t *testing.T) {
	tests := map[string]struct {
		budget  policy.Budget
		wantErr bool
	}{
		"valid":                     {budget: policy.Budget{MaxActions: 5, Window: window, PerTarget: 1}},
		"zero MaxActions is valid":  {budget: policy.Budget{Window: window}},
		"zero PerTarget is valid":   {budget: policy.Budget{MaxActions: 5, Window: window}},
		"zero window fails open":    {budget: policy.Budget{MaxActions: 5}, wantErr: true},
		"negative window":           {budget: policy.Budget{MaxActions: 5, Window: -window}, wantErr: true},
		"negative MaxActions":       {budget: policy.Budget{MaxActions: -1, Window: window}, wantErr: true},
		"negative PerTarget":        {budget: policy.Budget{MaxActions: 5, Window: window, PerTarget: -1}, wantErr: true},
		"zero value is not a limit": {wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.budget.Validate()
			if (err != nil) != tc.wantErr {
				t.Fatalf("Validate() = %v, wantErr %t", err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, policy.ErrInvalidLimit) {
				t.Errorf("Validate() = %v, does not wrap ErrInvalidLimit", err)
			}
		})
	}
}

func TestSortHistory(t *testing.T) {
	h := []policy.ActionEvent{ev("c", time.Minute), ev("a", 3*time.Minute), ev("b", time.Minute), ev("d", 2*time.Minute)}
	if policy.HistorySorted(h) {
		t.Fatal("HistorySorted reports an unsorted history as sorted")
	}
	policy.SortHistory(h)
	want := []string{"a", "d", "c", "b"} // c before b: equal times keep their order
	for i, e := range h {
		if e.Target != want[i] {
			t.Fatalf("after SortHistory, h[%d] = %q, want %q (h = %v)", i, e.Target, want[i], h)
		}
	}
	if !policy.HistorySorted(h) {
		t.Error("HistorySorted reports a sorted history as unsorted")
	}
}

func TestInWindow(t *testing.T) {
	b := policy.Budget{MaxActions: 5, Window: window}
	h := []policy.ActionEvent{ev("a", time.Hour), ev("b", window), ev("c", window-time.Nanosecond), ev("d", 0)}
	got := b.InWindow(h, now)
	if len(got) != 2 || got[0].Target != "c" || got[1].Target != "d" {
		t.Errorf("InWindow = %v, want c and d", got)
	}
	if ws := b.WindowStart(now); !ws.Equal(ago(window)) {
		t.Errorf("WindowStart = %v, want %v", ws, ago(window))
	}
}
