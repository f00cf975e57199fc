package policy_test

import (
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/policy"
)

// decideWant is what Decide must return for a case.
type decideWant struct {
	verdict  policy.Verdict
	reason   policy.Reason
	retry    time.Duration
	exhausts bool
	message  string // a substring the message must contain
}

// decideCase is one case of TestDecide: an input and what Decide returns.
type decideCase struct {
	in   policy.Input
	want decideWant
}

// decideRules are the cases of TestDecide by the rule they exercise, in the
// order Decide applies its rules.
var decideRules = []map[string]decideCase{
	decideStopCases,
	decideFitnessCases,
	decideRungCases,
	decideBudgetCases,
	decideBlastCases,
	decideClassCases,
	decideApprovalCases,
	decideActCases,
}

// decideStopCases are the first two rules: a kill switch or a halt refuses,
// whatever else holds.
var decideStopCases = map[string]decideCase{
	// 1. Kill switch.
	"kill switch refuses": {
		in:   input(func(in *policy.Input) { in.KillSwitch = true }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonKillSwitch},
	},
	"kill switch comes before everything": {
		in: input(class("nuke"), rung(v1alpha1.RungAlert), func(in *policy.Input) {
			in.KillSwitch, in.Halted, in.SafetyCase = true, true, policy.SafetyCaseStatus{}
		}),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonKillSwitch},
	},
	// 2. Halt.
	"halted refuses": {
		in:   input(func(in *policy.Input) { in.Halted = true }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonHalted, message: `"unhealthy-workload"`},
	},
	"halted comes before the rung": {
		in:   input(rung(v1alpha1.RungAlert), func(in *policy.Input) { in.Halted = true }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonHalted},
	},
	"halted even with budget left after the window": {
		in:   input(history(others(5)...), func(in *policy.Input) { in.Halted = true }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonHalted},
	},
}

// decideFitnessCases are rule 3: an automation unfit to act (class, rung,
// posture, safety case, limits) only alerts.
var decideFitnessCases = map[string]decideCase{
	// 3. Fitness: posture, safety case, limits.
	"unknown class": {
		in:   input(class("reboot")),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonUnknownClass, message: "reboot"},
	},
	"unknown rung": {
		in:   input(rung("autopilot")),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonUnknownRung, message: "autopilot"},
	},
	"empty rung is unknown": {
		in:   input(rung("")),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonUnknownRung},
	},
	"rung above the posture": {
		in:   input(class(v1alpha1.ClassDestructive)),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonRungExceedsPosture, message: "destructive"},
	},
	"rung above the posture comes before the safety case": {
		in: input(class(v1alpha1.ClassFailover), func(in *policy.Input) {
			in.SafetyCase = policy.SafetyCaseStatus{Missing: []string{"owner"}}
		}),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonRungExceedsPosture},
	},
	"safety case not complete": {
		in:   input(func(in *policy.Input) { in.SafetyCase.Complete = false }),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonSafetyCaseIncomplete},
	},
	"safety case marked complete but with missing parts": {
		in: input(func(in *policy.Input) {
			in.SafetyCase = policy.SafetyCaseStatus{Complete: true, Missing: []string{"owner", "reversal"}}
		}),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonSafetyCaseIncomplete, message: "owner, reversal"},
	},
	"incomplete safety case at the alert rung": {
		in:   input(rung(v1alpha1.RungAlert), func(in *policy.Input) { in.SafetyCase.Complete = false }),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonSafetyCaseIncomplete},
	},
	"zero budget window would fail open": {
		in:   input(func(in *policy.Input) { in.Budget.Window = 0 }),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonInvalidLimits, message: "window"},
	},
	"several malformed limits are all named": {
		in: input(func(in *policy.Input) {
			in.Budget.PerTarget = -1
			in.BlastRadius.MaxUnavailablePercent = 150
		}),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonInvalidLimits, message: "perTarget must not be negative, got -1; "},
	},
	"rollback without a progress deadline": {
		in:   input(class(v1alpha1.ClassRollback), func(in *policy.Input) { in.HealthGate.ProgressDeadline = 0 }),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonInvalidLimits, message: "progressDeadline"},
	},
	"traffic shift with a negative ramp interval": {
		in:   input(class(v1alpha1.ClassTrafficShift), func(in *policy.Input) { in.Ramp.MinInterval = -time.Second }),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonInvalidLimits, message: "minInterval"},
	},
	"a restart ignores the health gate and ramp": {
		in: input(func(in *policy.Input) {
			in.HealthGate, in.Ramp, in.Rollout = policy.HealthGate{}, policy.Ramp{MinInterval: -1}, policy.Rollout{}
		}),
		want: decideWant{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget},
	},
}

// decideRungCases are rules 4 and 5: the alert and runbook rungs only alert.
var decideRungCases = map[string]decideCase{
	// 4-5. Alert and runbook rungs.
	"alert rung": {
		in:   input(rung(v1alpha1.RungAlert)),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonRungAlert},
	},
	"runbook rung": {
		in:   input(rung(v1alpha1.RungRunbook)),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonRungRunbook},
	},
	"alert rung with the budget exhausted still alerts": {
		in:   input(rung(v1alpha1.RungAlert), history(others(5)...)),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonRungAlert},
	},
	"runbook rung with an empty target set still alerts": {
		in:   input(rung(v1alpha1.RungRunbook), scope(policy.Scope{}), group(policy.Group{})),
		want: decideWant{verdict: policy.VerdictAlertOnly, reason: policy.ReasonRungRunbook},
	},
}

// decideBudgetCases are rules 6 and 7: the overall budget halts, the
// per-target budget refuses.
var decideBudgetCases = map[string]decideCase{
	// 6. Overall budget.
	"budget exhausted halts": {
		in:   input(history(others(5)...)),
		want: decideWant{verdict: policy.VerdictHalt, reason: policy.ReasonBudgetExhausted, message: "5 of 5"},
	},
	"zero budget halts at once": {
		in:   input(func(in *policy.Input) { in.Budget.MaxActions = 0 }),
		want: decideWant{verdict: policy.VerdictHalt, reason: policy.ReasonBudgetExhausted},
	},
	"budget exhaustion comes before the per-target limit": {
		in:   input(history(append(others(3), ev(target, 30*time.Second), ev(target, 10*time.Second))...)),
		want: decideWant{verdict: policy.VerdictHalt, reason: policy.ReasonBudgetExhausted},
	},
	"budget exhausted halts at the supervised rung, approved or not": {
		in:   input(rung(v1alpha1.RungSupervised), approval(target, "alice"), history(others(5)...)),
		want: decideWant{verdict: policy.VerdictHalt, reason: policy.ReasonBudgetExhausted},
	},
	"actions exactly Window ago no longer count": {
		in:   input(history(ev("a", window), ev("b", window), ev("c", window), ev("d", window), ev("e", window))),
		want: decideWant{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget, message: "action 1 of 5"},
	},
	"the last action in the budget acts and exhausts it": {
		in:   input(history(others(4)...)),
		want: decideWant{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget, exhausts: true, message: "halt after acting"},
	},
	"the one before the last does not exhaust it": {
		in:   input(history(others(3)...)),
		want: decideWant{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget, message: "action 4 of 5"},
	},
	"a budget of one: the first action exhausts it": {
		in:   input(func(in *policy.Input) { in.Budget = policy.Budget{MaxActions: 1, Window: window} }),
		want: decideWant{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget, exhausts: true},
	},
	// 7. Per-target budget.
	"per-target budget exhausted refuses until its oldest action leaves": {
		in:   input(history(ev(target, 8*time.Minute), ev("shop/web-1", 5*time.Minute), ev(target, 2*time.Minute))),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonPerTargetBudgetExhausted, retry: 2 * time.Minute},
	},
	"per-target budget of 0 means no per-target limit": {
		in: input(history(ev(target, 4*time.Minute), ev(target, 3*time.Minute), ev(target, 2*time.Minute)),
			func(in *policy.Input) { in.Budget.PerTarget = 0 }),
		want: decideWant{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget},
	},
	"per-target budget comes before the blast radius": {
		in: input(history(ev(target, 8*time.Minute), ev(target, 2*time.Minute)),
			scope(policy.Scope{Size: 3, Matched: 3})),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonPerTargetBudgetExhausted, retry: 2 * time.Minute},
	},
}

// decideBlastCases are rule 8: the blast radius refuses.
var decideBlastCases = map[string]decideCase{
	// 8. Blast radius.
	"selector matched nothing": {
		in:   input(scope(policy.Scope{Size: 10})),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonEmptyTargetSet},
	},
	"no target named": {
		in:   input(func(in *policy.Input) { in.Target = "" }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonEmptyTargetSet},
	},
	"every replica crash-looping at once": {
		in: input(scope(policy.Scope{Size: 3, Matched: 3}),
			group(policy.Group{Size: 3, Unavailable: 3, TargetUnavailable: true})),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonAllTargetsMatch},
	},
	"all nodes NotReady": {
		in: input(scope(policy.Scope{Size: 5, Matched: 5}),
			group(policy.Group{Size: 5, Unavailable: 5, TargetUnavailable: true}),
			func(in *policy.Input) { in.BlastRadius.MaxUnavailablePercent = 100 }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonAllTargetsMatch},
	},
	"target already in flight": {
		in:   input(func(in *policy.Input) { in.Blast.InFlight = []string{target} }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonTargetInFlight},
	},
	"as many in flight as allowed": {
		in:   input(func(in *policy.Input) { in.Blast.InFlight = []string{"shop/api-1", "shop/api-2"} }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonMaxInFlight},
	},
	"30% of 3 replicas allows none": {
		in: input(group(policy.Group{Size: 3}),
			func(in *policy.Input) { in.BlastRadius.MaxUnavailablePercent = 30 }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonMaxUnavailable},
	},
	"34% of 3 replicas with another one out": {
		in:   input(group(policy.Group{Size: 3, Unavailable: 1})),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonMaxUnavailable},
	},
	"impossible unavailable count": {
		in:   input(group(policy.Group{Size: 3, Unavailable: 7})),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonInvalidSnapshot},
	},
}

// decideClassCases are rule 9: what a rollback and a traffic shift require.
var decideClassCases = map[string]decideCase{
	// 9. Class requirements.
	"rollback after the gate failed, with a previous revision": {
		in:   input(class(v1alpha1.ClassRollback)),
		want: decideWant{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget},
	},
	"rollback while the gate is pending": {
		in:   input(class(v1alpha1.ClassRollback), func(in *policy.Input) { in.Rollout.Started = ago(4 * time.Minute) }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonHealthGatePending, retry: 6 * time.Minute},
	},
	"rollback when the gate passed": {
		in:   input(class(v1alpha1.ClassRollback), func(in *policy.Input) { in.Rollout.AvailableReplicas = 4 }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonHealthGatePassed},
	},
	"rollback with no previous revision": {
		in:   input(class(v1alpha1.ClassRollback), func(in *policy.Input) { in.Rollout.HasPreviousRevision = false }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonNoPreviousRevision},
	},
	"rollback with an unknown start time": {
		in:   input(class(v1alpha1.ClassRollback), func(in *policy.Input) { in.Rollout.Started = time.Time{} }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonInvalidSnapshot},
	},
	"supervised rollback with a pending gate refuses rather than proposes": {
		in: input(class(v1alpha1.ClassRollback), rung(v1alpha1.RungSupervised),
			func(in *policy.Input) { in.Rollout.Started = ago(time.Minute) }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonHealthGatePending, retry: 9 * time.Minute},
	},
	"traffic shift one step": {
		in:   input(class(v1alpha1.ClassTrafficShift)),
		want: decideWant{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget},
	},
	"traffic shift step too large": {
		in:   input(class(v1alpha1.ClassTrafficShift), func(in *policy.Input) { in.Ramp.ProposedPercent = 100 }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonRampStepTooLarge},
	},
	"traffic shift too soon": {
		in:   input(class(v1alpha1.ClassTrafficShift), func(in *policy.Input) { in.Ramp.LastStepAt = ago(time.Minute) }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonRampTooSoon, retry: 4 * time.Minute},
	},
	"traffic shift to an impossible share": {
		in:   input(class(v1alpha1.ClassTrafficShift), func(in *policy.Input) { in.Ramp.ProposedPercent = -10 }),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonInvalidSnapshot},
	},
}

// decideApprovalCases are rule 10: the supervised rung and the classes that
// need a human propose until a human approves.
var decideApprovalCases = map[string]decideCase{
	// 10. Supervised and classes that need a human.
	"supervised without approval proposes": {
		in:   input(rung(v1alpha1.RungSupervised)),
		want: decideWant{verdict: policy.VerdictPropose, reason: policy.ReasonAwaitingApproval},
	},
	"supervised with a named approval acts": {
		in:   input(rung(v1alpha1.RungSupervised), approval(target, "alice")),
		want: decideWant{verdict: policy.VerdictAct, reason: policy.ReasonApproved, message: `"alice"`},
	},
	"an approval for another target does not count": {
		in:   input(rung(v1alpha1.RungSupervised), approval("shop/web-1", "alice")),
		want: decideWant{verdict: policy.VerdictPropose, reason: policy.ReasonAwaitingApproval},
	},
	"an approval naming no one does not count": {
		in:   input(rung(v1alpha1.RungSupervised), approval(target, "")),
		want: decideWant{verdict: policy.VerdictPropose, reason: policy.ReasonAwaitingApproval},
	},
	"an approved action can exhaust the budget": {
		in:   input(rung(v1alpha1.RungSupervised), approval(target, "alice"), history(others(4)...)),
		want: decideWant{verdict: policy.VerdictAct, reason: policy.ReasonApproved, exhausts: true},
	},
	"an approval does not lift the blast radius": {
		in:   input(class(v1alpha1.ClassScaleDown), rung(v1alpha1.RungSupervised), approval(target, "alice"), scope(policy.Scope{Size: 3, Matched: 3})),
		want: decideWant{verdict: policy.VerdictRefuse, reason: policy.ReasonAllTargetsMatch},
	},
	"scale-down proposes": {
		in:   input(class(v1alpha1.ClassScaleDown), rung(v1alpha1.RungSupervised)),
		want: decideWant{verdict: policy.VerdictPropose, reason: policy.ReasonAwaitingApproval},
	},
	"failover approved by its owner": {
		in:   input(class(v1alpha1.ClassFailover), rung(v1alpha1.RungSupervised), approval(target, "dba-oncall")),
		want: decideWant{verdict: policy.VerdictAct, reason: policy.ReasonApproved},
	},
}

// decideActCases are rule 11: an action that passes every rule is taken.
var decideActCases = map[string]decideCase{
	// 11. Act.
	"within budget": {
		in:   input(history(ev(target, time.Hour), ev("shop/web-1", time.Minute))),
		want: decideWant{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget, message: "action 2 of 5 in 10m0s"},
	},
	"an approval is not needed when unsupervised": {
		in:   input(approval("shop/web-1", "")),
		want: decideWant{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget},
	},
}
