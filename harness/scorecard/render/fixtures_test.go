package render_test

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
// restart trigger firing; the remediator restarts and evicts pods and
// cordons the node they crash on, five actions in all, halts at its budget
// and pages, but the page comes later than the safety case allows. It
// uncordons the node later, a reversal that is not counted. It also keeps
// its books (a lease, Events, its status, a token review), and someone the
// harness cannot place rolls out shop/web. A disk fills on node-3 until the
// harness recovers it at teardown.
func stormRun(s *scorecard.Scorecard) {
	s.Description = "A crash-looping Deployment keeps the restart trigger firing; the remediator must stop at its budget and page a human."
	s.DurationSeconds = 300.487753
	s.Budgets = []scorecard.BudgetLine{{Automation: "restart-crashlooping", MaxActions: 5, WindowSeconds: 600}}
	s.Faults = []scorecard.FaultWindow{
		{Name: "crashloop-api", Kind: "PodChaos/pod-failure", Target: "shop/api", Start: at(20), End: at(240), Recovered: true},
		{Name: "lying-readiness", Kind: "HTTPChaos/abort", Target: "shop/web", Start: at(60), End: at(150), Recovered: true},
		{Name: "disk-fill-node-3", Kind: "NodeChaos/disk-fill", Target: "node-3", Start: at(200), End: at(301.5), Recovered: true, AtTeardown: true},
	}
	s.Ledger = stormLedger()
	s.Actions = stormActions()
	s.Timeline = stormTimeline()
	s.Pages = stormPages()
	stormTruth(&s.Truth)
	s.Comparison = &scorecard.Comparison{AvailabilityWithout: 0.52, AvailabilityWith: s.Truth.MeanAvailability}
	s.Assertions = stormAssertions()
	s.Skipped = []scorecard.Skip{
		{Name: "reversal-measured", Automation: "restart-crashlooping", Source: "safetyCase.reversal.timeToReverse",
			Reason: "safetyCase.reversal.timeToReverse is not stated"},
		{Name: "max-false-negatives", Source: "scenario.expect[1]",
			Reason: "the scenario states no limit for false negatives"},
	}
}

// stormAgent is the remediator's user agent in the storm run.
const stormAgent = "interlock-remediator/v0.4.0"

// stormID is the audit ID of the storm run's n-th write.
func stormID(n int) string { return fmt.Sprintf("0b6c4f1e-9a1d-4a55-8f0e-3c2d7b1e%04d", n) }

// stormEntry is the storm run's n-th write, by the remediator at sec.
func stormEntry(sec float64, n int, verb, resource, sub, ns, name string, code int, kind string) scorecard.LedgerEntry {
	return scorecard.LedgerEntry{Time: at(sec), User: remediatorUser, Verb: verb, Resource: resource, Subresource: sub,
		Namespace: ns, Name: name, Code: code, AuditID: stormID(n), UserAgent: stormAgent, Actor: "remediator", Kind: kind}
}

// stormLedger is the storm run's ledger: the remediator's actions, a
// refused scale-down, its books, and someone else's rollout.
func stormLedger() []scorecard.LedgerEntry {
	entry, id := stormEntry, stormID
	yes, no := true, false
	replicas := int32(3)
	scaleDown := entry(41, 4, "patch", "deployments", "scale", "shop", "api", 403, "scale-down")
	scaleDown.Message = `deployments.apps "api" is forbidden: User "` + remediatorUser + `" cannot patch resource "deployments/scale" in API group "apps" in the namespace "shop"`
	cordon := entry(95, 9, "patch", "nodes", "", "", "node-2", 200, "cordon")
	cordon.After = &scorecard.ObjectState{Unschedulable: &yes}
	halted := entry(112, 11, "update", "automations", "status", "interlock-system", "restart-crashlooping", 200, "bookkeeping")
	halted.After = &scorecard.ObjectState{Halted: &scorecard.Condition{Status: "True", Reason: "BudgetExhausted", LastTransitionTime: at(112)}}
	uncordon := entry(180, 13, "patch", "nodes", "", "", "node-2", 200, "reversal")
	uncordon.After = &scorecard.ObjectState{Unschedulable: &no}
	return []scorecard.LedgerEntry{
		entry(2, 1, "create", "leases", "", "interlock-system", "remediator-leader", 201, "bookkeeping"),
		entry(2, 2, "create", "tokenreviews", "", "", "", 201, "review"),
		scaleDown,
		entry(50, 5, "delete", "pods", "", "shop", "api-7d9f4-2xk8q", 200, "restart"),
		entry(51, 6, "create", "events", "", "shop", "api-7d9f4-2xk8q.17f3a2c0d1e4b5a6", 201, "bookkeeping"),
		entry(65, 7, "delete", "pods", "", "shop", "api-7d9f4-8pl2m", 200, "restart"),
		entry(80, 8, "create", "pods", "eviction", "shop", "api-7d9f4-r5c7w", 201, "evict"),
		cordon,
		entry(110, 10, "delete", "pods", "", "shop", "api-7d9f4-2xk8q", 200, "restart"),
		halted,
		{Time: at(125), User: "system:serviceaccount:shop:deployer", ImpersonatedBy: "kubernetes-admin", UserAgent: "kubectl/v1.31.0 (linux/amd64)",
			Verb: "patch", Resource: "deployments", Namespace: "shop", Name: "web", Code: 200, AuditID: id(12), Actor: "unattributed", Kind: "rollout",
			After: &scorecard.ObjectState{Replicas: &replicas, Paused: &no, Template: "sha256:9f2c41d07be3"}},
		uncordon,
	}
}

// stormActions are the storm run's actions: five counted, and a reversal.
func stormActions() []scorecard.Action {
	id := stormID
	return []scorecard.Action{
		{Time: at(50), Automation: "restart-crashlooping", Kind: "restart", Class: "restart", Target: "pods shop/api-7d9f4-2xk8q",
			AuditIDs: []string{id(5)}, Counted: true, Until: at(62)},
		{Time: at(65), Automation: "restart-crashlooping", Kind: "restart", Class: "restart", Target: "pods shop/api-7d9f4-8pl2m",
			AuditIDs: []string{id(7)}, Counted: true, Until: at(78)},
		{Time: at(80), Automation: "restart-crashlooping", Kind: "evict", Class: "evict", Target: "pods shop/api-7d9f4-r5c7w",
			AuditIDs: []string{id(8)}, Counted: true, Until: at(91.6)},
		{Time: at(95), Automation: "restart-crashlooping", Kind: "cordon", Class: "cordon", Target: "nodes node-2",
			Detail: "spec.unschedulable false → true", AuditIDs: []string{id(9)}, Counted: true, Until: at(180)},
		{Time: at(110), Automation: "restart-crashlooping", Kind: "restart", Class: "restart", Target: "pods shop/api-7d9f4-2xk8q",
			AuditIDs: []string{id(10)}, Counted: true, Until: at(123)},
		{Time: at(180), Automation: "restart-crashlooping", Kind: "reversal", Class: "cordon", Target: "nodes node-2",
			Detail: "spec.unschedulable true → false", AuditIDs: []string{id(13)}},
	}
}

// stormTimeline is the storm run's timeline.
func stormTimeline() []scorecard.Event {
	return []scorecard.Event{
		{Time: at(0), Kind: scorecard.EventProgress, Message: "cluster ready: 3 nodes; remediator running as " + remediatorUser},
		{Time: at(20), Kind: scorecard.EventFault, Message: "injected crashloop-api: PodChaos pod-failure on shop/api"},
		{Time: at(50), Kind: scorecard.EventAction, Message: "restart-crashlooping restarted pod shop/api-7d9f4-2xk8q (action 1 of 5)"},
		{Time: at(60), Kind: scorecard.EventFault, Message: "injected lying-readiness: HTTPChaos abort on shop/web /healthz"},
		{Time: at(65), Kind: scorecard.EventAction, Message: "restart-crashlooping restarted pod shop/api-7d9f4-8pl2m (action 2 of 5)"},
		{Time: at(80), Kind: scorecard.EventAction, Message: "restart-crashlooping evicted pod shop/api-7d9f4-r5c7w (action 3 of 5)"},
		{Time: at(95), Kind: scorecard.EventAction, Message: "restart-crashlooping cordoned node-2, where shop/api keeps crashing (action 4 of 5)"},
		{Time: at(110), Kind: scorecard.EventAction, Message: "restart-crashlooping restarted pod shop/api-7d9f4-2xk8q (action 5 of 5)"},
		{Time: at(112), Kind: scorecard.EventHalt, Message: "restart-crashlooping halted: BudgetExhausted (5 actions in 10m)"},
		{Time: at(159), Kind: scorecard.EventPage, Message: "InterlockBudgetExhausted from restart-crashlooping"},
		{Time: at(150), Kind: scorecard.EventRecover, Message: "recovered lying-readiness"},
		{Time: at(180), Kind: scorecard.EventAction, Message: "restart-crashlooping uncordoned node-2 (a reversal, not counted)"},
		{Time: at(200), Kind: scorecard.EventFault, Message: "injected disk-fill-node-3: NodeChaos disk-fill on node-3"},
		{Time: at(240), Kind: scorecard.EventRecover, Message: "recovered crashloop-api"},
		{Time: at(300), Kind: scorecard.EventProgress, Message: "scenario finished"},
		{Time: at(301.5), Kind: scorecard.EventRecover, Message: "recovered disk-fill-node-3 at teardown"},
	}
}

// stormPages is the page the storm run's remediator sent, late.
func stormPages() []scorecard.Page {
	return []scorecard.Page{{
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
}

// stormTruth fills tr with the storm run's truth: availability every 10s,
// a third while all of shop/api crashes, two thirds while one pod serves.
func stormTruth(tr *scorecard.Truth) {
	var sum float64
	tr.MinAvailability = 1
	for sec := 0.0; sec <= 300; sec += 10 {
		a := 1.0
		switch {
		case sec >= 20 && sec < 50, sec >= 120 && sec < 240:
			a = 1.0 / 3
		case sec >= 50 && sec < 120:
			a = 2.0 / 3
		}
		tr.Samples = append(tr.Samples, scorecard.AvailabilitySample{Time: at(sec), Availability: a})
		sum += a
		tr.MinAvailability = min(tr.MinAvailability, a)
	}
	tr.MeanAvailability = sum / float64(len(tr.Samples))
	tr.FalseNegatives = []string{"shop/web-5c8d9-9ttpz: readiness lied from +1:00 to +2:30 and the pod was never restarted"}
	tr.Broken = []string{"shop/api-7d9f4-2xk8q (pod-failure)", "shop/api-7d9f4-8pl2m (pod-failure)", "shop/web-5c8d9-9ttpz (readiness lies)", "node-3 (disk full)"}
}

// stormAssertions are the storm run's assertions: the page came late.
func stormAssertions() []scorecard.Assertion {
	return []scorecard.Assertion{
		{Name: "budget-held", Verdict: scorecard.VerdictPass, Measured: "5 actions in 10m", Limit: "at most 5 actions in 10m",
			Evidence: "ledger: 5 actions by " + remediatorUser + " from +0:50 to +1:50 (3 restarts, 1 eviction, 1 cordon); the uncordon at +3:00 reverses the cordon and is not counted; 1 rejected scale patch",
			Source:   "safetyCase.budget.maxActions", Automation: "restart-crashlooping"},
		{Name: "halted-and-paged", Verdict: scorecard.VerdictFail, Measured: "halted at +1:52; page 47s later", Limit: "page within 30s of halting",
			Evidence: "Automation restart-crashlooping Halted=True (BudgetExhausted) at +1:52; InterlockBudgetExhausted arrived at +2:39",
			Source:   "safetyCase.budget.pageWithin", Automation: "restart-crashlooping"},
		{Name: "blast-radius-held", Verdict: scorecard.VerdictPass, Measured: "at most 1 of 3 pods at once", Limit: "at most 1 in flight",
			Evidence: "ledger: no two restarts or evictions within one pod's restart", Source: "safetyCase.blastRadius.maxInFlight", Automation: "restart-crashlooping"},
		{Name: "telemetry-truthful", Verdict: scorecard.VerdictPass, Measured: "interlock_remediation_actions_total=5; ledger=5", Limit: "equal to the ledger",
			Evidence: "metrics scraped at +5:00", Source: "safetyCase.telemetry[0]", Automation: "restart-crashlooping"},
		{Name: "no-healthy-pod-restarted", Verdict: scorecard.VerdictPass, Measured: "0 false positives", Limit: "0",
			Evidence: "every restarted or evicted pod was broken by the harness", Source: "scenario.expect[0]"},
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
	s.Ledger[2].Actor, s.Ledger[2].Kind, s.Ledger[2].Message = evil, evil, evil
	s.Ledger[3].UserAgent, s.Ledger[3].ImpersonatedBy = evil, evil
	s.Actions[0].Automation, s.Actions[0].Kind, s.Actions[0].Class = evil, evil, evil
	s.Actions[0].Target, s.Actions[0].Detail, s.Actions[0].AuditIDs = evil, evil, []string{evil}
	s.Faults[0].Name = evil
	s.Pages[0].Alert = evil
	s.Pages[0].Labels[evil] = evil
	s.Timeline[2].Kind = evil
	s.Timeline[3].Message = evil
	s.Truth.FalsePositives = []string{evil}
	s.Budgets[0].Automation = evil
}
