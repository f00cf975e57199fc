package promote_test

import (
	"fmt"
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/promote"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/safetycases"
	"github.com/interlock-dev/interlock/scenarios"
)

func ExampleDecide() {
	sc, _ := safetycases.Get("unhealthy-workload")
	storm, _ := scenarios.Load("storm")
	now := time.Date(2026, 9, 20, 12, 0, 0, 0, time.UTC)

	// Three nightly runs of storm on the embedded cluster; the latest failed.
	var records []history.Record
	for i, verdict := range []scorecard.Verdict{scorecard.VerdictPass, scorecard.VerdictPass, scorecard.VerdictFail} {
		run := &scorecard.Scorecard{Scenario: "storm", Remediator: history.BuiltInRemediator, Provider: history.ProviderEmbedded,
			StartedAt: now.Add(time.Duration(i-3) * time.Hour), Verdict: verdict}
		for _, name := range promote.RequiredAssertions[v1alpha1.RungSupervised] {
			a := scorecard.Assertion{Name: name, Verdict: scorecard.VerdictPass, Automation: "unhealthy-workload"}
			if name == "no-unattributed-writes" || name == "within-rbac" {
				a.Automation = "" // graded once per run
			}
			run.Assertions = append(run.Assertions, a)
		}
		r, _ := history.FromScorecard(run, history.Meta{Scenario: storm, Suite: history.SuiteNightly})
		r.ID = fmt.Sprintf("run-%d", i+1)
		records = append(records, r)
	}

	d := promote.Decide(promote.Input{
		Automation: v1alpha1.UnhealthyWorkload, Current: v1alpha1.RungAlert, Target: v1alpha1.RungSupervised,
		SafetyCase: &sc.Spec, Records: records, Scenarios: []*scenarios.Scenario{storm}, Now: now,
	}, promote.Options{})
	fmt.Println("allowed:", d.Allowed)
	for _, c := range d.Unmet {
		fmt.Println(c)
	}
	fmt.Println("evidence:", d.Evidence)
	// Output:
	// allowed: false
	// passed: scenario storm: nightly run run-3 failed (verdict fail)
	// evidence: [run-3]
}
