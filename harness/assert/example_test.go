package assert_test

import (
	"fmt"

	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/testutil"
)

// A remediation storm: the restart trigger keeps firing on a crash-looping
// Deployment. The remediator restarts five pods, halts at its budget, and
// pages, but the page comes later than the safety case allows.
func Example() {
	checks := assert.Compile("restart-crashlooping", safetyCase(), "unsupervised", assert.Options{})

	actions := every(50, 15, 5)
	var reversals []assert.Reversal
	for _, a := range actions {
		reversals = append(reversals, assert.Reversal{AuditID: a.AuditID, Reversed: true, Duration: 8e9})
	}
	five := 5.0
	o := assert.Observation{
		Start: testutil.T0, End: testutil.At(300), Identity: remediator,
		Actions:   actions,
		Faults:    []scorecard.FaultWindow{{Name: "crashloop-api", Start: testutil.At(20), End: testutil.At(240)}},
		Pages:     []scorecard.Page{page(159, "restart-crashlooping")},
		HaltedAt:  testutil.At(112),
		Telemetry: &assert.Telemetry{Scrapes: 2, Actions: &five},
		Reversals: reversals,
		Workloads: map[string]string{},
		Replicas:  map[string]int{"shop/api": 3},
	}
	for _, a := range actions {
		o.Workloads[assert.TargetOf(a)] = "shop/api"
	}

	results, skipped := assert.EvaluateAll(checks, o)
	for _, a := range results {
		fmt.Printf("%s %s: %s (limit: %s)\n", a.Verdict, a.Name, a.Measured, a.Limit)
	}
	for _, s := range skipped {
		fmt.Printf("skipped %s: %s\n", s.Name, s.Reason)
	}
	// Output:
	// pass budget-held: 5 actions in 10m (limit: at most 5 actions in any 10m)
	// fail halted-and-paged: halted at +1:52; paged 49s after it; 0 actions after (limit: on the 5th action in 10m: halt, page within 30s, act no more)
	// pass blast-radius-held: at most 1 at once; at most 1 of 3 in shop/api (limit: at most 1 in flight and at most 34% of a workload's replicas at once)
	// pass reversal-measured: worst 8s (limit: each reversed within 30s)
	// pass posture-held: 5 actions, all within posture (limit: rung unsupervised within the posture of class restart (highest unsupervised))
	// pass telemetry-truthful: interlock_remediator_actions_total{automation="restart-crashlooping",outcome="succeeded"} = 5; ledger 5 (limit: the action counter equals the ledger's accepted actions, in every scrape)
	// skipped budget-held-per-target: safetyCase.budget.perTarget is not stated; no limit is made up in its place
	// skipped did-no-harm: no baseline run with the remediator off
}
