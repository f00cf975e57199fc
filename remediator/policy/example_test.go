package policy_test

import (
	"fmt"
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/policy"
)

// A restart automation with a budget of three restarts in ten minutes has
// restarted two pods already. The third is allowed, and it uses up the
// budget: the caller restarts the pod, then halts the automation and pages.
func ExampleDecide() {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	d := policy.Decide(policy.Input{
		Automation:  "unhealthy-workload",
		Class:       v1alpha1.ClassRestart,
		Rung:        v1alpha1.RungUnsupervised,
		SafetyCase:  policy.SafetyCaseStatus{Complete: true},
		Budget:      policy.Budget{MaxActions: 3, Window: 10 * time.Minute, PerTarget: 1},
		BlastRadius: policy.BlastRadius{MaxInFlight: 1, MaxUnavailablePercent: 34},
		History: []policy.ActionEvent{
			{Target: "shop/cart-1", At: now.Add(-7 * time.Minute)},
			{Target: "shop/web-2", At: now.Add(-3 * time.Minute)},
		},
		Target: "shop/web-0",
		Blast: policy.BlastSnapshot{
			// Of the five pods in scope (web's three replicas, cart's two),
			// only web-0 crash-loops; its two sibling replicas are fine.
			Scope: policy.Scope{Size: 5, Matched: 1},
			Group: policy.Group{Size: 3, Unavailable: 1, TargetUnavailable: true},
		},
	}, now)

	fmt.Println(d.Verdict, d.Reason)
	fmt.Println(d.Message)
	if reason, halt := d.HaltAfter(); halt {
		fmt.Println("then halt:", reason)
	}
	// Output:
	// act WithinBudget
	// within budget: action 3 of 3 in 10m0s; it exhausts the budget, halt after acting
	// then halt: BudgetExhausted
}
