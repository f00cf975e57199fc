package engine

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/metrics"
	"github.com/interlock-dev/interlock/remediator/pager"
	"github.com/interlock-dev/interlock/remediator/policy"
)

const (
	// requeueSoon is how soon to look again at something about to change.
	requeueSoon = 2 * time.Second
	// recheckStopped is how soon to look again at a target refused because
	// the kill switch was on or the automation halted.
	recheckStopped = 5 * time.Second
)

// Engine turns a candidate action into a policy decision and carries it
// out: it records the action before taking it, halts and pages when the
// budget is spent, and files proposals for actions that need a human.
type Engine struct {
	Client client.Client
	// Live reads straight from the API server, past the informer cache.
	// A target is read through it just before it is acted on, so that an
	// action is never taken on a stale view of it. Defaults to Client.
	Live client.Reader
	// Informers, if set, lets Scan read the informer cache's objects in
	// place and Indexed count them from an index. Without it Scan lists
	// through Client and Indexed reports no index.
	Informers InformerGetter
	Recorder  events.EventRecorder
	Metrics   *metrics.Metrics
	Pager     pager.Pager
	Clock     clock.PassiveClock
	Namespace string
}

// Candidate is one target whose trigger holds, and the action to take on it.
type Candidate struct {
	// Target is namespace/name, or name for cluster-scoped targets.
	Target string
	// UID is the target's UID now.
	UID types.UID
	// Since is when the trigger started to hold for the target.
	Since time.Time
	// Held says the caller judged the trigger's hold itself (a certificate's
	// expiry window, a rollout's deadline), so Since is not checked against
	// the safety case's trigger.for.
	Held bool
	// Verb names the action, for example "delete-pod".
	Verb string
	// Why says what the trigger saw.
	Why string
	// Group names the target's group: its workload, or "nodes".
	Group string
	// Scope is the automation's whole target set now.
	Scope policy.Scope
	// BlastGroup is the target's group as the blast-radius check sees it.
	BlastGroup policy.Group
	// InFlight are the targets acted on and not yet recovered.
	InFlight []string
	// Rollout is the rollout snapshot, for rollbacks.
	Rollout policy.Rollout
	// Act takes the action.
	Act func(ctx context.Context) error
}

// Consider decides on a candidate and carries the decision out.
func (e *Engine) Consider(ctx context.Context, a *v1alpha1.Automation, c Candidate) (ctrl.Result, error) {
	logger := log.FromContext(ctx).WithValues("automation", a.Name, "target", c.Target)
	r, err := e.Resolve(ctx, a)
	if err != nil {
		return ctrl.Result{}, err
	}
	now := e.Clock.Now()
	if hold := r.SafetyCase.Trigger.For.Duration; !c.Held && now.Sub(c.Since) < hold {
		return ctrl.Result{RequeueAfter: hold - now.Sub(c.Since)}, nil
	}
	in := e.input(ctx, r, c)
	proposal, err := e.proposalFor(ctx, a.Name, c.Target)
	if err != nil {
		return ctrl.Result{}, err
	}
	if proposal != nil && proposal.Approval != nil && proposal.Approval.By != "" && proposal.Status.Phase != v1alpha1.ProposalExecuted {
		in.Approval = &policy.Approval{Target: c.Target, By: proposal.Approval.By}
	}
	d := policy.Decide(in, now)
	e.Metrics.Decisions.WithLabelValues(a.Name, string(d.Verdict), string(d.Reason)).Inc()
	e.Metrics.BudgetRemaining.WithLabelValues(a.Name).Set(float64(in.Budget.Remaining(in.History, now)))
	logger.V(1).Info("decided", "verdict", d.Verdict, "reason", d.Reason, "message", d.Message)

	switch d.Verdict {
	case policy.VerdictAct:
		if err := e.act(ctx, r, c, d, now); err != nil {
			return ctrl.Result{}, err
		}
		if proposal != nil && in.Approval != nil {
			e.markProposal(ctx, proposal, v1alpha1.ProposalExecuted, "executed after approval by "+proposal.Approval.By)
		}
		if d.ExhaustsBudget {
			return ctrl.Result{}, e.halt(ctx, a, policy.ReasonBudgetExhausted, d.Message)
		}
		return ctrl.Result{}, nil
	case policy.VerdictHalt:
		return ctrl.Result{}, e.halt(ctx, a, d.Reason, d.Message)
	case policy.VerdictPropose:
		return ctrl.Result{}, e.propose(ctx, r, c, d)
	case policy.VerdictAlertOnly:
		note := d.Message
		if d.Reason == policy.ReasonRungRunbook && a.Spec.Runbook != "" {
			note = fmt.Sprintf("%s; runbook %s would %s %s", d.Message, a.Spec.Runbook, c.Verb, c.Target)
		}
		e.Recorder.Eventf(a, nil, corev1.EventTypeWarning, "TriggerFired", string(d.Reason), "%s: %s", c.Why, note)
		return ctrl.Result{}, nil
	default:
		return e.refused(a, c, d), nil
	}
}

// input is what the policy decides on: the automation's safety case and
// state, and the candidate's snapshot.
func (e *Engine) input(ctx context.Context, r *Resolved, c Candidate) policy.Input {
	sc := r.SafetyCase
	in := policy.Input{
		Automation:  r.Name,
		Class:       r.Class(),
		Rung:        v1alpha1.Rung(r.Spec.Rung),
		SafetyCase:  r.Complete,
		Budget:      r.Budget(),
		History:     r.History(),
		BlastRadius: policy.BlastRadius{MaxInFlight: int(sc.BlastRadius.MaxInFlight), MaxUnavailablePercent: int(sc.BlastRadius.MaxUnavailablePercent)},
		Blast:       policy.BlastSnapshot{InFlight: c.InFlight, Scope: c.Scope, Group: c.BlastGroup},
		Target:      c.Target,
		KillSwitch:  e.KillSwitch(ctx),
		Halted:      r.Halted(),
		Rollout:     c.Rollout,
	}
	if sc.HealthGate != nil {
		in.HealthGate = HealthGate(sc)
	}
	return in
}

// refused records a refusal and says when to look again.
func (e *Engine) refused(a *v1alpha1.Automation, c Candidate, d policy.Decision) ctrl.Result {
	e.Recorder.Eventf(a, nil, corev1.EventTypeNormal, "Refused", string(d.Reason), "%s: %s", c.Target, d.Message)
	if d.RetryAfter > 0 {
		return ctrl.Result{RequeueAfter: d.RetryAfter}
	}
	switch d.Reason {
	case policy.ReasonTargetInFlight, policy.ReasonMaxInFlight, policy.ReasonMaxUnavailable:
		return ctrl.Result{RequeueAfter: requeueSoon}
	case policy.ReasonKillSwitch, policy.ReasonHalted:
		// Look again later: the switch may be turned off, the halt lifted.
		return ctrl.Result{RequeueAfter: recheckStopped}
	}
	return ctrl.Result{}
}
