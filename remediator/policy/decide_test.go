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
	tests := map[string]decideCase{}
	for _, rule := range decideRules {
		for name, tc := range rule {
			if _, dup := tests[name]; dup {
				t.Fatalf("case %q appears twice", name)
			}
			tests[name] = tc
		}
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
