package scorecard_test

import (
	"fmt"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// t0 is when every fixture run starts.
var t0 = time.Date(2026, 9, 14, 3, 0, 0, 0, time.UTC)

// at is t0 plus sec seconds.
func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

const remediatorUser = "system:serviceaccount:interlock-system:remediator"

// newScorecard returns a finalized scorecard with the fields every run has,
// changed by mods.
func newScorecard(mods ...func(*scorecard.Scorecard)) *scorecard.Scorecard {
	s := &scorecard.Scorecard{
		Scenario:        "restart-storm",
		Remediator:      "built-in",
		Identity:        remediatorUser,
		Provider:        "embedded",
		StartedAt:       t0,
		DurationSeconds: 300,
	}
	for _, m := range mods {
		m(s)
	}
	s.Finalize()
	return s
}

// stormRun is a remediation storm: a crash-looping deployment keeps the
// restart trigger firing; the remediator restarts five pods, halts at its
// budget and pages, but the page comes later than the safety case allows.
func stormRun(s *scorecard.Scorecard) {
	s.Description = "A crash-looping Deployment keeps the restart trigger firing; the remediator must stop at its budget and page a human."
	s.Budgets = []scorecard.BudgetLine{{Automation: "restart-crashlooping", MaxActions: 5, WindowSeconds: 600}}
	s.Faults = []scorecard.FaultWindow{
		{Name: "crashloop-api", Kind: "PodChaos/pod-failure", Target: "shop/api", Start: at(20), End: at(240), Recovered: true},
		{Name: "lying-readiness", Kind: "HTTPChaos/abort", Target: "shop/web", Start: at(60), End: at(150), Recovered: true},
	}
	pods := []string{"api-7d9f4-2xk8q", "api-7d9f4-8pl2m", "api-7d9f4-r5c7w", "api-7d9f4-2xk8q", "api-7d9f4-8pl2m"}
	s.Ledger = append(s.Ledger, scorecard.LedgerEntry{
		Time: at(41), User: remediatorUser, Verb: "patch", Resource: "deployments", Subresource: "scale",
		Namespace: "shop", Name: "api", Code: 403, AuditID: "0b6c4f1e-9a1d-4a55-8f0e-3c2d7b1e0001",
	})
	for i, pod := range pods {
		t := at(50 + 15*float64(i))
		s.Ledger = append(s.Ledger, scorecard.LedgerEntry{
			Time: t, User: remediatorUser, Verb: "delete", Resource: "pods", Namespace: "shop", Name: pod,
			Code: 200, AuditID: fmt.Sprintf("0b6c4f1e-9a1d-4a55-8f0e-3c2d7b1e%04d", i+2),
		})
		s.Timeline = append(s.Timeline, scorecard.Event{Time: t, Kind: scorecard.EventAction,
			Message: fmt.Sprintf("restart-crashlooping deleted pod shop/%s (action %d of 5)", pod, i+1)})
	}
	s.Timeline = append(s.Timeline,
		scorecard.Event{Time: at(0), Kind: scorecard.EventProgress, Message: "cluster ready: 3 nodes; remediator running as " + remediatorUser},
		scorecard.Event{Time: at(20), Kind: scorecard.EventFault, Message: "injected crashloop-api: PodChaos pod-failure on shop/api"},
		scorecard.Event{Time: at(60), Kind: scorecard.EventFault, Message: "injected lying-readiness: HTTPChaos abort on shop/web /healthz"},
		scorecard.Event{Time: at(112), Kind: scorecard.EventHalt, Message: "restart-crashlooping halted: BudgetExhausted (5 actions in 10m)"},
		scorecard.Event{Time: at(159), Kind: scorecard.EventPage, Message: "InterlockBudgetExhausted from restart-crashlooping"},
		scorecard.Event{Time: at(150), Kind: scorecard.EventRecover, Message: "recovered lying-readiness"},
		scorecard.Event{Time: at(240), Kind: scorecard.EventRecover, Message: "recovered crashloop-api"},
		scorecard.Event{Time: at(300), Kind: scorecard.EventProgress, Message: "scenario finished"},
	)
	s.Pages = []scorecard.Page{{
		Time:  at(159),
		Alert: "InterlockBudgetExhausted",
		Labels: map[string]string{
			"automation":  "restart-crashlooping",
			"namespace":   "shop",
			"severity":    "page",
			"runbook_url": "https://runbooks.example.com/interlock/budget-exhausted",
		},
		Summary: "restart-crashlooping exhausted its budget (5 actions in 10m) and halted; a human must resume it.",
	}}

	var sum float64
	s.Truth.MinAvailability = 1
	for sec := 0.0; sec <= 300; sec += 10 {
		a := 1.0
		switch {
		case sec >= 20 && sec < 50, sec >= 120 && sec < 240:
			a = 1.0 / 3
		case sec >= 50 && sec < 120:
			a = 2.0 / 3
		}
		s.Truth.Samples = append(s.Truth.Samples, scorecard.AvailabilitySample{Time: at(sec), Availability: a})
		sum += a
		s.Truth.MinAvailability = min(s.Truth.MinAvailability, a)
	}
	s.Truth.MeanAvailability = sum / float64(len(s.Truth.Samples))
	s.Truth.FalseNegatives = []string{"shop/web-5c8d9-9ttpz: readiness lied from +1:00 to +2:30 and the pod was never restarted"}
	s.Truth.Broken = []string{"shop/api-7d9f4-2xk8q (pod-failure)", "shop/api-7d9f4-8pl2m (pod-failure)", "shop/web-5c8d9-9ttpz (readiness lies)"}
	s.Comparison = &scorecard.Comparison{AvailabilityWithout: 0.52, AvailabilityWith: s.Truth.MeanAvailability}

	s.Assertions = []scorecard.Assertion{
		{Name: "budget-held", Verdict: scorecard.VerdictPass, Measured: "5 actions in 10m", Limit: "at most 5 actions in 10m",
			Evidence: "ledger: 5 pod deletions by " + remediatorUser + " from +0:50 to +1:50; 1 rejected scale patch",
			Source:   "safetyCase.budget.maxActions", Automation: "restart-crashlooping"},
		{Name: "halted-and-paged", Verdict: scorecard.VerdictFail, Measured: "halted at +1:52; page 47s later", Limit: "page within 30s of halting",
			Evidence: "Automation restart-crashlooping Halted=True (BudgetExhausted) at +1:52; InterlockBudgetExhausted arrived at +2:39",
			Source:   "safetyCase.budget.pageWithin", Automation: "restart-crashlooping"},
		{Name: "blast-radius-held", Verdict: scorecard.VerdictPass, Measured: "at most 1 of 3 pods at once", Limit: "at most 1 in flight",
			Evidence: "ledger: no two deletions within one pod's restart", Source: "safetyCase.blastRadius.maxInFlight", Automation: "restart-crashlooping"},
		{Name: "telemetry-truthful", Verdict: scorecard.VerdictPass, Measured: "interlock_remediation_actions_total=5; ledger=5", Limit: "equal to the ledger",
			Evidence: "metrics scraped at +5:00", Source: "safetyCase.telemetry[0]", Automation: "restart-crashlooping"},
		{Name: "no-healthy-pod-restarted", Verdict: scorecard.VerdictPass, Measured: "0 false positives", Limit: "0",
			Evidence: "every deleted pod was broken by the harness", Source: "scenario.expect[0]"},
	}
	s.Skipped = []scorecard.Skip{
		{Name: "reversal-measured", Automation: "restart-crashlooping", Source: "safetyCase.reversal.timeToReverse",
			Reason: "safetyCase.reversal.timeToReverse is not stated"},
		{Name: "max-false-negatives", Source: "scenario.expect[1]",
			Reason: "the scenario states no limit for false negatives"},
	}
}

// errorRun is a run that never got going: the cluster did not come up.
func errorRun(s *scorecard.Scorecard) {
	s.Scenario = "node-notready"
	s.Identity = ""
	s.DurationSeconds = 121.4
	s.Error = "failed to start cluster: kube-apiserver did not become ready within 2m0s: dial tcp 127.0.0.1:6443: connect: connection refused"
	s.Skipped = []scorecard.Skip{{Name: "did-no-harm", Reason: "no baseline run to compare with (run with --baseline)"}}
}

// hostileRun fills every text field with markup, separators, URLs and
// characters XML cannot hold.
func hostileRun(s *scorecard.Scorecard) {
	stormRun(s)
	const evil = "<script src=\"https://evil.example/x.js\">alert('x')</script> | a & b ]]> `tick` *bold* \x00\x1b[31m \n second line http://evil.example/"
	s.Scenario = "storm" + evil
	s.Description = evil
	s.Remediator = evil
	s.Error = evil
	for i := range s.Assertions {
		s.Assertions[i].Name += evil
		s.Assertions[i].Measured = evil
		s.Assertions[i].Evidence = evil
	}
	s.Assertions = append(s.Assertions, scorecard.Assertion{Name: "broken" + evil, Verdict: scorecard.VerdictError, Evidence: evil})
	s.Skipped = append(s.Skipped, scorecard.Skip{Name: evil, Automation: evil, Source: evil, Reason: evil})
	s.Ledger[1].Name = evil
	s.Faults[0].Name = evil
	s.Pages[0].Alert = evil
	s.Pages[0].Labels[evil] = evil
	s.Timeline[2].Kind = evil
	s.Timeline[3].Message = evil
	s.Truth.FalsePositives = []string{evil}
	s.Budgets[0].Automation = evil
}
