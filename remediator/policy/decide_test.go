package policy_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/policy"
)

const target = "shop/web-0"

// input builds a Decide input that acts: a restart automation at the
// unsupervised rung with room in every limit, its target a crash-looping
// replica of three, the only one of the ten pods in scope the trigger fires
// for. Rollout and Ramp are set so that rollback and traffic
// shift also act. Modifiers change it.
func input(mods ...func(*policy.Input)) policy.Input {
	in := policy.Input{
		Automation:  "unhealthy-workload",
		Class:       v1alpha1.ClassRestart,
		Rung:        v1alpha1.RungUnsupervised,
		SafetyCase:  policy.SafetyCaseStatus{Complete: true},
		Budget:      policy.Budget{MaxActions: 5, Window: window, PerTarget: 2},
		BlastRadius: policy.BlastRadius{MaxInFlight: 2, MaxUnavailablePercent: 34},
		Blast: policy.BlastSnapshot{
			InFlight: []string{"shop/api-1"},
			Scope:    policy.Scope{Size: 10, Matched: 1},
			Group:    policy.Group{Size: 3, Unavailable: 1, TargetUnavailable: true},
		},
		Target:     target,
		HealthGate: policy.HealthGate{ProgressDeadline: 10 * time.Minute, MinAvailablePercent: 50},
		Rollout:    policy.Rollout{DesiredReplicas: 4, AvailableReplicas: 1, Started: ago(15 * time.Minute), HasPreviousRevision: true},
		Ramp: policy.Ramp{MaxStepPercent: 10, MinInterval: 5 * time.Minute,
			CurrentPercent: 20, ProposedPercent: 30, LastStepAt: ago(10 * time.Minute)},
	}
	for _, m := range mods {
		m(&in)
	}
	return in
}

func class(c v1alpha1.ActionClass) func(*policy.Input) {
	return func(in *policy.Input) { in.Class = c }
}
func rung(r v1alpha1.Rung) func(*policy.Input) { return func(in *policy.Input) { in.Rung = r } }
func history(h ...policy.ActionEvent) func(*policy.Input) {
	return func(in *policy.Input) { in.History = h }
}
func scope(s policy.Scope) func(*policy.Input) { return func(in *policy.Input) { in.Blast.Scope = s } }
func group(g policy.Group) func(*policy.Input) { return func(in *policy.Input) { in.Blast.Group = g } }
func approval(t, by string) func(*policy.Input) {
	return func(in *policy.Input) { in.Approval = &policy.Approval{Target: t, By: by} }
}

// others is n actions on other targets, a minute apart, the newest a minute ago.
func others(n int) []policy.ActionEvent {
	h := make([]policy.ActionEvent, n)
	for i := range h {
		h[i] = ev(fmt.Sprintf("shop/other-%d", i), time.Duration(n-i)*time.Minute)
	}
	return h
}

func TestDecide(t *testing.T) {
	type want struct {
		verdict  policy.Verdict
		reason   policy.Reason
		retry    time.Duration
		exhausts bool
		message  string // a substring the message must contain
	}
	tests := map[string]struct {
		in   policy.Input
		want want
	}{
		// 1. Kill switch.
		"kill switch refuses": {
			in:   input(func(in *policy.Input) { in.KillSwitch = true }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonKillSwitch},
		},
		"kill switch comes before everything": {
			in: input(class("nuke"), rung(v1alpha1.RungAlert), func(in *policy.Input) {
				in.KillSwitch, in.Halted, in.SafetyCase = true, true, policy.SafetyCaseStatus{}
			}),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonKillSwitch},
		},
		// 2. Halt.
		"halted refuses": {
			in:   input(func(in *policy.Input) { in.Halted = true }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonHalted, message: `"unhealthy-workload"`},
		},
		"halted comes before the rung": {
			in:   input(rung(v1alpha1.RungAlert), func(in *policy.Input) { in.Halted = true }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonHalted},
		},
		"halted even with budget left after the window": {
			in:   input(history(others(5)...), func(in *policy.Input) { in.Halted = true }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonHalted},
		},
		// 3. Fitness: posture, safety case, limits.
		"unknown class": {
			in:   input(class("reboot")),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonUnknownClass, message: "reboot"},
		},
		"unknown rung": {
			in:   input(rung("autopilot")),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonUnknownRung, message: "autopilot"},
		},
		"empty rung is unknown": {
			in:   input(rung("")),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonUnknownRung},
		},
		"rung above the posture": {
			in:   input(class(v1alpha1.ClassDestructive)),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonRungExceedsPosture, message: "destructive"},
		},
		"rung above the posture comes before the safety case": {
			in: input(class(v1alpha1.ClassFailover), func(in *policy.Input) {
				in.SafetyCase = policy.SafetyCaseStatus{Missing: []string{"owner"}}
			}),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonRungExceedsPosture},
		},
		"safety case not complete": {
			in:   input(func(in *policy.Input) { in.SafetyCase.Complete = false }),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonSafetyCaseIncomplete},
		},
		"safety case marked complete but with missing parts": {
			in: input(func(in *policy.Input) {
				in.SafetyCase = policy.SafetyCaseStatus{Complete: true, Missing: []string{"owner", "reversal"}}
			}),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonSafetyCaseIncomplete, message: "owner, reversal"},
		},
		"incomplete safety case at the alert rung": {
			in:   input(rung(v1alpha1.RungAlert), func(in *policy.Input) { in.SafetyCase.Complete = false }),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonSafetyCaseIncomplete},
		},
		"zero budget window would fail open": {
			in:   input(func(in *policy.Input) { in.Budget.Window = 0 }),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonInvalidLimits, message: "window"},
		},
		"several malformed limits are all named": {
			in: input(func(in *policy.Input) {
				in.Budget.PerTarget = -1
				in.BlastRadius.MaxUnavailablePercent = 150
			}),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonInvalidLimits, message: "perTarget must not be negative, got -1; "},
		},
		"rollback without a progress deadline": {
			in:   input(class(v1alpha1.ClassRollback), func(in *policy.Input) { in.HealthGate.ProgressDeadline = 0 }),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonInvalidLimits, message: "progressDeadline"},
		},
		"traffic shift with a negative ramp interval": {
			in:   input(class(v1alpha1.ClassTrafficShift), func(in *policy.Input) { in.Ramp.MinInterval = -time.Second }),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonInvalidLimits, message: "minInterval"},
		},
		"a restart ignores the health gate and ramp": {
			in: input(func(in *policy.Input) {
				in.HealthGate, in.Ramp, in.Rollout = policy.HealthGate{}, policy.Ramp{MinInterval: -1}, policy.Rollout{}
			}),
			want: want{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget},
		},
		// 4-5. Alert and runbook rungs.
		"alert rung": {
			in:   input(rung(v1alpha1.RungAlert)),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonRungAlert},
		},
		"runbook rung": {
			in:   input(rung(v1alpha1.RungRunbook)),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonRungRunbook},
		},
		"alert rung with the budget exhausted still alerts": {
			in:   input(rung(v1alpha1.RungAlert), history(others(5)...)),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonRungAlert},
		},
		"runbook rung with an empty target set still alerts": {
			in:   input(rung(v1alpha1.RungRunbook), scope(policy.Scope{}), group(policy.Group{})),
			want: want{verdict: policy.VerdictAlertOnly, reason: policy.ReasonRungRunbook},
		},
		// 6. Overall budget.
		"budget exhausted halts": {
			in:   input(history(others(5)...)),
			want: want{verdict: policy.VerdictHalt, reason: policy.ReasonBudgetExhausted, message: "5 of 5"},
		},
		"zero budget halts at once": {
			in:   input(func(in *policy.Input) { in.Budget.MaxActions = 0 }),
			want: want{verdict: policy.VerdictHalt, reason: policy.ReasonBudgetExhausted},
		},
		"budget exhaustion comes before the per-target limit": {
			in:   input(history(append(others(3), ev(target, 30*time.Second), ev(target, 10*time.Second))...)),
			want: want{verdict: policy.VerdictHalt, reason: policy.ReasonBudgetExhausted},
		},
		"budget exhausted halts at the supervised rung, approved or not": {
			in:   input(rung(v1alpha1.RungSupervised), approval(target, "alice"), history(others(5)...)),
			want: want{verdict: policy.VerdictHalt, reason: policy.ReasonBudgetExhausted},
		},
		"actions exactly Window ago no longer count": {
			in:   input(history(ev("a", window), ev("b", window), ev("c", window), ev("d", window), ev("e", window))),
			want: want{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget, message: "action 1 of 5"},
		},
		"the last action in the budget acts and exhausts it": {
			in:   input(history(others(4)...)),
			want: want{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget, exhausts: true, message: "halt after acting"},
		},
		"the one before the last does not exhaust it": {
			in:   input(history(others(3)...)),
			want: want{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget, message: "action 4 of 5"},
		},
		"a budget of one: the first action exhausts it": {
			in:   input(func(in *policy.Input) { in.Budget = policy.Budget{MaxActions: 1, Window: window} }),
			want: want{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget, exhausts: true},
		},
		// 7. Per-target budget.
		"per-target budget exhausted refuses until its oldest action leaves": {
			in:   input(history(ev(target, 8*time.Minute), ev("shop/web-1", 5*time.Minute), ev(target, 2*time.Minute))),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonPerTargetBudgetExhausted, retry: 2 * time.Minute},
		},
		"per-target budget of 0 means no per-target limit": {
			in: input(history(ev(target, 4*time.Minute), ev(target, 3*time.Minute), ev(target, 2*time.Minute)),
				func(in *policy.Input) { in.Budget.PerTarget = 0 }),
			want: want{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget},
		},
		"per-target budget comes before the blast radius": {
			in: input(history(ev(target, 8*time.Minute), ev(target, 2*time.Minute)),
				scope(policy.Scope{Size: 3, Matched: 3})),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonPerTargetBudgetExhausted, retry: 2 * time.Minute},
		},
		// 8. Blast radius.
		"selector matched nothing": {
			in:   input(scope(policy.Scope{Size: 10})),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonEmptyTargetSet},
		},
		"no target named": {
			in:   input(func(in *policy.Input) { in.Target = "" }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonEmptyTargetSet},
		},
		"every replica crash-looping at once": {
			in: input(scope(policy.Scope{Size: 3, Matched: 3}),
				group(policy.Group{Size: 3, Unavailable: 3, TargetUnavailable: true})),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonAllTargetsMatch},
		},
		"all nodes NotReady": {
			in: input(scope(policy.Scope{Size: 5, Matched: 5}),
				group(policy.Group{Size: 5, Unavailable: 5, TargetUnavailable: true}),
				func(in *policy.Input) { in.BlastRadius.MaxUnavailablePercent = 100 }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonAllTargetsMatch},
		},
		"target already in flight": {
			in:   input(func(in *policy.Input) { in.Blast.InFlight = []string{target} }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonTargetInFlight},
		},
		"as many in flight as allowed": {
			in:   input(func(in *policy.Input) { in.Blast.InFlight = []string{"shop/api-1", "shop/api-2"} }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonMaxInFlight},
		},
		"30% of 3 replicas allows none": {
			in: input(group(policy.Group{Size: 3}),
				func(in *policy.Input) { in.BlastRadius.MaxUnavailablePercent = 30 }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonMaxUnavailable},
		},
		"34% of 3 replicas with another one out": {
			in:   input(group(policy.Group{Size: 3, Unavailable: 1})),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonMaxUnavailable},
		},
		"impossible unavailable count": {
			in:   input(group(policy.Group{Size: 3, Unavailable: 7})),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonInvalidSnapshot},
		},
		// 9. Class requirements.
		"rollback after the gate failed, with a previous revision": {
			in:   input(class(v1alpha1.ClassRollback)),
			want: want{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget},
		},
		"rollback while the gate is pending": {
			in:   input(class(v1alpha1.ClassRollback), func(in *policy.Input) { in.Rollout.Started = ago(4 * time.Minute) }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonHealthGatePending, retry: 6 * time.Minute},
		},
		"rollback when the gate passed": {
			in:   input(class(v1alpha1.ClassRollback), func(in *policy.Input) { in.Rollout.AvailableReplicas = 4 }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonHealthGatePassed},
		},
		"rollback with no previous revision": {
			in:   input(class(v1alpha1.ClassRollback), func(in *policy.Input) { in.Rollout.HasPreviousRevision = false }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonNoPreviousRevision},
		},
		"rollback with an unknown start time": {
			in:   input(class(v1alpha1.ClassRollback), func(in *policy.Input) { in.Rollout.Started = time.Time{} }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonInvalidSnapshot},
		},
		"supervised rollback with a pending gate refuses rather than proposes": {
			in: input(class(v1alpha1.ClassRollback), rung(v1alpha1.RungSupervised),
				func(in *policy.Input) { in.Rollout.Started = ago(time.Minute) }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonHealthGatePending, retry: 9 * time.Minute},
		},
		"traffic shift one step": {
			in:   input(class(v1alpha1.ClassTrafficShift)),
			want: want{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget},
		},
		"traffic shift step too large": {
			in:   input(class(v1alpha1.ClassTrafficShift), func(in *policy.Input) { in.Ramp.ProposedPercent = 100 }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonRampStepTooLarge},
		},
		"traffic shift too soon": {
			in:   input(class(v1alpha1.ClassTrafficShift), func(in *policy.Input) { in.Ramp.LastStepAt = ago(time.Minute) }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonRampTooSoon, retry: 4 * time.Minute},
		},
		"traffic shift to an impossible share": {
			in:   input(class(v1alpha1.ClassTrafficShift), func(in *policy.Input) { in.Ramp.ProposedPercent = -10 }),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonInvalidSnapshot},
		},
		// 10. Supervised and classes that need a human.
		"supervised without approval proposes": {
			in:   input(rung(v1alpha1.RungSupervised)),
			want: want{verdict: policy.VerdictPropose, reason: policy.ReasonAwaitingApproval},
		},
		"supervised with a named approval acts": {
			in:   input(rung(v1alpha1.RungSupervised), approval(target, "alice")),
			want: want{verdict: policy.VerdictAct, reason: policy.ReasonApproved, message: `"alice"`},
		},
		"an approval for another target does not count": {
			in:   input(rung(v1alpha1.RungSupervised), approval("shop/web-1", "alice")),
			want: want{verdict: policy.VerdictPropose, reason: policy.ReasonAwaitingApproval},
		},
		"an approval naming no one does not count": {
			in:   input(rung(v1alpha1.RungSupervised), approval(target, "")),
			want: want{verdict: policy.VerdictPropose, reason: policy.ReasonAwaitingApproval},
		},
		"an approved action can exhaust the budget": {
			in:   input(rung(v1alpha1.RungSupervised), approval(target, "alice"), history(others(4)...)),
			want: want{verdict: policy.VerdictAct, reason: policy.ReasonApproved, exhausts: true},
		},
		"an approval does not lift the blast radius": {
			in:   input(class(v1alpha1.ClassScaleDown), rung(v1alpha1.RungSupervised), approval(target, "alice"), scope(policy.Scope{Size: 3, Matched: 3})),
			want: want{verdict: policy.VerdictRefuse, reason: policy.ReasonAllTargetsMatch},
		},
		"scale-down proposes": {
			in:   input(class(v1alpha1.ClassScaleDown), rung(v1alpha1.RungSupervised)),
			want: want{verdict: policy.VerdictPropose, reason: policy.ReasonAwaitingApproval},
		},
		"failover approved by its owner": {
			in:   input(class(v1alpha1.ClassFailover), rung(v1alpha1.RungSupervised), approval(target, "dba-oncall")),
			want: want{verdict: policy.VerdictAct, reason: policy.ReasonApproved},
		},
		// 11. Act.
		"within budget": {
			in:   input(history(ev(target, time.Hour), ev("shop/web-1", time.Minute))),
			want: want{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget, message: "action 2 of 5 in 10m0s"},
		},
		"an approval is not needed when unsupervised": {
			in:   input(approval("shop/web-1", "")),
			want: want{verdict: policy.VerdictAct, reason: policy.ReasonWithinBudget},
		},
	}
	seen := map[policy.Reason]bool{}
	for name, tc := range tests {
		seen[tc.want.reason] = true
		t.Run(name, func(t *testing.T) {
			got := policy.Decide(tc.in, now)
			if got.Verdict != tc.want.verdict || got.Reason != tc.want.reason || got.RetryAfter != tc.want.retry ||
				got.ExhaustsBudget != tc.want.exhausts {
				t.Errorf("Decide:\n got %s %s RetryAfter=%s ExhaustsBudget=%t (%q)\nwant %s %s RetryAfter=%s ExhaustsBudget=%t",
					got.Verdict, got.Reason, got.RetryAfter, got.ExhaustsBudget, got.Message,
					tc.want.verdict, tc.want.reason, tc.want.retry, tc.want.exhausts)
			}
			if got.Message == "" || !strings.Contains(got.Message, tc.want.message) {
				t.Errorf("Message = %q, want it to contain %q", got.Message, tc.want.message)
			}
		})
	}
	t.Run("every reason Decide can give is covered", func(t *testing.T) {
		for _, r := range policy.Reasons {
			if r == policy.ReasonHealthGateFailed { // Evaluate's, never Decide's
				continue
			}
			if !seen[r] {
				t.Errorf("no case yields %s", r)
			}
		}
	})
}

// TestDecideClassRung runs every class at every rung, with and without an
// approval, with every other limit satisfied.
func TestDecideClassRung(t *testing.T) {
	// The posture table, restated: can the class act unsupervised?
	unsupervised := map[v1alpha1.ActionClass]bool{
		v1alpha1.ClassRestart:      true,
		v1alpha1.ClassRollback:     true,
		v1alpha1.ClassTrafficShift: true,
		v1alpha1.ClassScaleDown:    false,
		v1alpha1.ClassDestructive:  false,
		v1alpha1.ClassFailover:     false,
		v1alpha1.ClassIsolate:      false,
	}
	if len(unsupervised) != len(v1alpha1.Postures) {
		t.Fatalf("the test knows %d classes, the table has %d", len(unsupervised), len(v1alpha1.Postures))
	}
	for c, free := range unsupervised {
		for _, r := range v1alpha1.Rungs {
			for _, approved := range []bool{false, true} {
				name := fmt.Sprintf("%s/%s/approved=%t", c, r, approved)
				t.Run(name, func(t *testing.T) {
					in := input(class(c), rung(r))
					if approved {
						in.Approval = &policy.Approval{Target: target, By: "alice"}
					}
					var want policy.Verdict
					var reason policy.Reason
					switch {
					case r == v1alpha1.RungAlert:
						want, reason = policy.VerdictAlertOnly, policy.ReasonRungAlert
					case r == v1alpha1.RungRunbook:
						want, reason = policy.VerdictAlertOnly, policy.ReasonRungRunbook
					case r == v1alpha1.RungUnsupervised && !free:
						want, reason = policy.VerdictAlertOnly, policy.ReasonRungExceedsPosture
					case r == v1alpha1.RungUnsupervised:
						want, reason = policy.VerdictAct, policy.ReasonWithinBudget
					case approved:
						want, reason = policy.VerdictAct, policy.ReasonApproved
					default:
						want, reason = policy.VerdictPropose, policy.ReasonAwaitingApproval
					}
					got := policy.Decide(in, now)
					if got.Verdict != want || got.Reason != reason {
						t.Errorf("Decide = %s %s (%q), want %s %s", got.Verdict, got.Reason, got.Message, want, reason)
					}
					if err := v1alpha1.CheckRung(c, r); (err == nil) != (r != v1alpha1.RungUnsupervised || free) {
						t.Errorf("CheckRung = %v, disagrees with the posture", err)
					}
				})
			}
		}
	}
}

// TestDecideBudgetSequence plays a trigger that keeps firing: the N-th action
// is taken and exhausts the budget, the automation halts, and only a human
// resume after the window lets it act again.
func TestDecideBudgetSequence(t *testing.T) {
	in := input(func(in *policy.Input) { in.Budget = policy.Budget{MaxActions: 3, Window: window, PerTarget: 1} })
	clock := now
	for i := range 3 {
		in.Target = fmt.Sprintf("shop/web-%d", i)
		d := policy.Decide(in, clock)
		if d.Verdict != policy.VerdictAct || d.ExhaustsBudget != (i == 2) {
			t.Fatalf("action %d: got %s %s ExhaustsBudget=%t", i+1, d.Verdict, d.Reason, d.ExhaustsBudget)
		}
		if r, halt := d.HaltAfter(); halt != (i == 2) || (halt && r != policy.ReasonBudgetExhausted) {
			t.Fatalf("action %d: HaltAfter = %s, %t", i+1, r, halt)
		}
		in.History = append(in.History, policy.ActionEvent{Target: in.Target, At: clock})
		clock = clock.Add(time.Minute)
	}
	// The caller failed to record the halt: Decide halts anyway.
	in.Target = "shop/web-9"
	if d := policy.Decide(in, clock); d.Verdict != policy.VerdictHalt || d.Reason != policy.ReasonBudgetExhausted {
		t.Fatalf("4th action: got %s %s, want halt", d.Verdict, d.Reason)
	}
	in.Halted = true
	clock = clock.Add(window)
	if d := policy.Decide(in, clock); d.Reason != policy.ReasonHalted {
		t.Fatalf("halted, after the window: got %s %s, want Halted", d.Verdict, d.Reason)
	}
	in.Halted = false // a human resumes it
	if d := policy.Decide(in, clock); d.Verdict != policy.VerdictAct {
		t.Fatalf("resumed after the window: got %s %s, want act", d.Verdict, d.Reason)
	}
}

func TestDecisionHaltAfter(t *testing.T) {
	tests := map[string]struct {
		d      policy.Decision
		halt   bool
		reason policy.Reason
	}{
		"halt":                      {d: policy.Decision{Verdict: policy.VerdictHalt, Reason: policy.ReasonBudgetExhausted}, halt: true, reason: policy.ReasonBudgetExhausted},
		"act exhausting the budget": {d: policy.Decision{Verdict: policy.VerdictAct, ExhaustsBudget: true}, halt: true, reason: policy.ReasonBudgetExhausted},
		"act within budget":         {d: policy.Decision{Verdict: policy.VerdictAct}},
		"refuse":                    {d: policy.Decision{Verdict: policy.VerdictRefuse, Reason: policy.ReasonPerTargetBudgetExhausted}},
		"propose":                   {d: policy.Decision{Verdict: policy.VerdictPropose, ExhaustsBudget: true}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r, halt := tc.d.HaltAfter()
			if halt != tc.halt || r != tc.reason {
				t.Errorf("HaltAfter = %s, %t; want %s, %t", r, halt, tc.reason, tc.halt)
			}
		})
	}
}

func TestDecideReportsUsage(t *testing.T) {
	d := policy.Decide(input(history(others(2)...)), now)
	if d.Usage.Count != 2 || d.Usage.Remaining != 3 || d.Usage.TargetRemaining != 2 {
		t.Errorf("Usage = %+v, want 2 in the window and 3 remaining", d.Usage)
	}
	if d := policy.Decide(input(rung(v1alpha1.RungAlert), history(others(2)...)), now); d.Usage != (policy.Usage{}) {
		t.Errorf("Usage at the alert rung = %+v, want zero", d.Usage)
	}
}

func TestReasonOf(t *testing.T) {
	b := policy.Budget{Window: window}
	err := fmt.Errorf("failed to decide: %w", b.Allow(nil, target, now))
	if got := policy.ReasonOf(err); got != policy.ReasonBudgetExhausted {
		t.Errorf("ReasonOf(wrapped) = %q, want BudgetExhausted", got)
	}
	if !strings.HasPrefix(err.Error(), "failed to decide: BudgetExhausted: ") {
		t.Errorf("Error() = %q", err)
	}
	if got := policy.ReasonOf(errors.New("other")); got != "" {
		t.Errorf("ReasonOf(other) = %q, want empty", got)
	}
	if got := policy.ReasonOf(nil); got != "" {
		t.Errorf("ReasonOf(nil) = %q, want empty", got)
	}
}

func TestCheckRungErrors(t *testing.T) {
	tests := map[string]struct {
		class   v1alpha1.ActionClass
		rung    v1alpha1.Rung
		want    error
		message string
	}{
		"unknown class": {class: "x", rung: v1alpha1.RungAlert, want: v1alpha1.ErrUnknownClass, message: `unknown action class "x"`},
		"unknown rung":  {class: v1alpha1.ClassRestart, rung: "x", want: v1alpha1.ErrUnknownRung, message: `unknown rung "x"`},
		"above posture": {class: v1alpha1.ClassIsolate, rung: v1alpha1.RungUnsupervised, want: v1alpha1.ErrRungExceedsPosture,
			message: `rung "unsupervised" exceeds the posture of class "isolate" (highest allowed: "supervised")`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := v1alpha1.CheckRung(tc.class, tc.rung)
			if !errors.Is(err, tc.want) || err.Error() != tc.message {
				t.Errorf("CheckRung = %v, want %q wrapping %v", err, tc.message, tc.want)
			}
		})
	}
}
