package render_test

import (
	"fmt"
	"os"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/harness/scorecard/render"
)

func ExampleWriteMarkdown() {
	start := time.Date(2026, 9, 14, 3, 0, 0, 0, time.UTC)
	s := &scorecard.Scorecard{
		Scenario:        "storm",
		Remediator:      "built-in",
		Identity:        "system:serviceaccount:interlock-system:remediator",
		Provider:        "embedded",
		StartedAt:       start,
		DurationSeconds: 90,
		Assertions: []scorecard.Assertion{{
			Name: "budget-held", Verdict: scorecard.VerdictFail,
			Measured: "6 actions in 10m", Limit: "at most 5 actions in 10m",
			Evidence: "ledger", Source: "safetyCase.budget.maxActions",
		}},
		Actions: []scorecard.Action{{
			Time: start.Add(30 * time.Second), Kind: "restart", Class: "restart", Target: "pods shop/api-1",
			AuditIDs: []string{"a1"}, Counted: true, Until: start.Add(42 * time.Second),
		}},
		Ledger: []scorecard.LedgerEntry{{
			Time: start.Add(30 * time.Second), User: "system:serviceaccount:interlock-system:remediator",
			Verb: "delete", Resource: "pods", Namespace: "shop", Name: "api-1", Code: 200, AuditID: "a1",
			Actor: "remediator", Kind: "restart",
		}},
	}
	s.Finalize()
	if err := render.WriteMarkdown(os.Stdout, s); err != nil {
		fmt.Println(err)
	}
	fmt.Println("exit code:", s.ExitCode())
	// Output:
	// # FAIL: storm
	//
	// - **Provider:** embedded
	// - **Remediator:** `built-in` as `system:serviceaccount:interlock-system:remediator`
	// - **Started:** 2026-09-14 03:00:00 UTC
	// - **Duration:** 1m30s
	// - **Assertions:** 0 passed, 1 failed, 0 errored, 0 skipped
	// - **Actions:** 1 action: 1 restart
	//
	// ## Assertions
	//
	// | Verdict | Assertion | Measured | Limit | Evidence |
	// |---|---|---|---|---|
	// | **FAIL** | budget-held | 6 actions in 10m | at most 5 actions in 10m | ledger |
	//
	// ## Truth
	//
	// - **Availability:** no samples
	// - **False positives** (healthy pods restarted): none
	// - **False negatives** (real outages never remedied): none
	// - **Broken by the harness:** none
	//
	// ## Pages
	//
	// No page arrived.
	//
	// ## Actions
	//
	// What the harness counted in the ledger. An action not counted (a reversal of the remediator's own) is not held against a budget.
	//
	// | Time | Automation | Kind | Class | Target | Detail | Counted | Until |
	// |---|---|---|---|---|---|---|---|
	// | +0:30 | — | restart | restart | pods shop/api-1 | — | yes | +0:42 |
	//
	// ## Ledger
	//
	// 1 mutating request recorded by the API server, 1 of them by the remediator (`system:serviceaccount:interlock-system:remediator`).
	//
	// | Time | User | Actor | Kind | Verb | Object | Code |
	// |---|---|---|---|---|---|---|
	// | +0:30 | remediator | remediator | restart | delete | pods shop/api-1 | 200 |
	// exit code: 1
}
