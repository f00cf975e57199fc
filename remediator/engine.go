package remediator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/metrics"
	"github.com/interlock-dev/interlock/remediator/pager"
	"github.com/interlock-dev/interlock/remediator/policy"
	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
)

// Engine turns a candidate action into a policy decision and carries it
// out: it records the action before taking it, halts and pages when the
// budget is spent, and files proposals for actions that need a human.
type Engine struct {
	Client client.Client
	// Live reads straight from the API server, past the informer cache.
	// A target is read through it just before it is acted on, so that an
	// action is never taken on a stale view of it. Defaults to Client.
	Live      client.Reader
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

// resolved is an Automation with its safety case in hand.
type resolved struct {
	*v1alpha1.Automation
	sc       *v1alpha1.SafetyCaseSpec
	complete policy.SafetyCaseStatus
}

// resolve returns the automation's safety case, inline or referenced, and
// whether it is complete.
func (e *Engine) resolve(ctx context.Context, a *v1alpha1.Automation) (*resolved, error) {
	var sc *v1alpha1.SafetyCaseSpec
	switch {
	case a.Spec.SafetyCase != nil:
		sc = a.Spec.SafetyCase
	case a.Spec.SafetyCaseRef != nil:
		var ref v1alpha1.SafetyCase
		if err := e.Client.Get(ctx, client.ObjectKey{Namespace: a.Namespace, Name: a.Spec.SafetyCaseRef.Name}, &ref); err != nil {
			if !apierrors.IsNotFound(err) {
				return nil, fmt.Errorf("failed to get safety case %s: %w", a.Spec.SafetyCaseRef.Name, err)
			}
		} else {
			sc = &ref.Spec
		}
	}
	r := &resolved{Automation: a, sc: sc}
	errs := validation.ValidateAutomation(a, func(string) (*v1alpha1.SafetyCaseSpec, error) {
		if sc == nil {
			return nil, fmt.Errorf("safety case %q not found", a.Spec.SafetyCaseRef.Name)
		}
		return sc, nil
	})
	if sc == nil {
		r.sc = &v1alpha1.SafetyCaseSpec{}
	}
	for _, e := range errs {
		r.complete.Missing = append(r.complete.Missing, e.Error())
	}
	r.complete.Complete = len(errs) == 0
	return r, nil
}

func (r *resolved) class() v1alpha1.ActionClass { return v1alpha1.ActionClass(r.sc.Action.Class) }

func (r *resolved) budget() policy.Budget {
	b := policy.Budget{MaxActions: int(r.sc.Budget.MaxActions), Window: r.sc.Budget.Window.Duration}
	if r.sc.Budget.PerTarget != nil {
		b.PerTarget = int(*r.sc.Budget.PerTarget)
	}
	return b
}

func (r *resolved) history() []policy.ActionEvent {
	var h []policy.ActionEvent
	for _, rec := range r.Status.Actions {
		// A human's resume grants a fresh budget: earlier actions stay on
		// record but no longer count.
		if r.Status.ResumedAt != nil && !rec.Time.After(r.Status.ResumedAt.Time) {
			continue
		}
		h = append(h, policy.ActionEvent{Target: rec.Target, At: rec.Time.Time})
	}
	policy.SortHistory(h)
	return h
}

func (r *resolved) halted() bool {
	return meta.IsStatusConditionTrue(r.Status.Conditions, v1alpha1.ConditionHalted)
}

// killSwitchName is the ConfigMap, in the remediator's namespace, whose
// data key "enabled" set to "true" stops every action.
const killSwitchName = "interlock-kill-switch"

func (e *Engine) killSwitch(ctx context.Context) bool {
	var cm corev1.ConfigMap
	if err := e.Client.Get(ctx, client.ObjectKey{Namespace: e.Namespace, Name: killSwitchName}, &cm); err != nil {
		return false
	}
	return cm.Data["enabled"] == "true"
}

// Consider decides on a candidate and carries the decision out.
func (e *Engine) Consider(ctx context.Context, a *v1alpha1.Automation, c Candidate) (ctrl.Result, error) {
	logger := log.FromContext(ctx).WithValues("automation", a.Name, "target", c.Target)
	r, err := e.resolve(ctx, a)
	if err != nil {
		return ctrl.Result{}, err
	}
	now := e.Clock.Now()
	if hold := r.sc.Trigger.For.Duration; !c.Held && now.Sub(c.Since) < hold {
		return ctrl.Result{RequeueAfter: hold - now.Sub(c.Since)}, nil
	}
	in := policy.Input{
		Automation:  a.Name,
		Class:       r.class(),
		Rung:        v1alpha1.Rung(a.Spec.Rung),
		SafetyCase:  r.complete,
		Budget:      r.budget(),
		History:     r.history(),
		BlastRadius: policy.BlastRadius{MaxInFlight: int(r.sc.BlastRadius.MaxInFlight), MaxUnavailablePercent: int(r.sc.BlastRadius.MaxUnavailablePercent)},
		Blast:       policy.BlastSnapshot{InFlight: c.InFlight, Scope: c.Scope, Group: c.BlastGroup},
		Target:      c.Target,
		KillSwitch:  e.killSwitch(ctx),
		Halted:      r.halted(),
		Rollout:     c.Rollout,
	}
	if r.sc.HealthGate != nil {
		in.HealthGate = healthGate(r.sc)
	}
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
	default: // refuse
		e.Recorder.Eventf(a, nil, corev1.EventTypeNormal, "Refused", string(d.Reason), "%s: %s", c.Target, d.Message)
		if d.RetryAfter > 0 {
			return ctrl.Result{RequeueAfter: d.RetryAfter}, nil
		}
		switch d.Reason {
		case policy.ReasonTargetInFlight, policy.ReasonMaxInFlight, policy.ReasonMaxUnavailable:
			return ctrl.Result{RequeueAfter: requeueSoon}, nil
		case policy.ReasonKillSwitch, policy.ReasonHalted:
			// Look again later: the switch may be turned off, the halt lifted.
			return ctrl.Result{RequeueAfter: recheckStopped}, nil
		}
		return ctrl.Result{}, nil
	}
}

// act records the action in the Automation's status, takes it, and records
// the outcome. Recording first means a crash or restart of the remediator
// can neither reset the budget nor take the action twice.
func (e *Engine) act(ctx context.Context, r *resolved, c Candidate, d policy.Decision, now time.Time) error {
	rec := v1alpha1.ActionRecord{
		ID:         actionID(r.Name, c.Target, now),
		Target:     c.Target,
		Group:      c.Group,
		TargetUID:  string(c.UID),
		Verb:       c.Verb,
		Time:       metav1.NewTime(now),
		Phase:      v1alpha1.ActionIntended,
		ObservedAt: &metav1.Time{Time: c.Since},
	}
	a := r.Automation.DeepCopy()
	a.Status.Actions = append(prune(a.Status.Actions, now, r.sc.Budget.Window.Duration), rec)
	// The update carries the resourceVersion read from the cache: if the
	// cache was stale, the API server refuses it and the reconcile retries
	// with fresh data, so the budget is never judged on an old count.
	if err := e.Client.Status().Update(ctx, a); err != nil {
		return fmt.Errorf("failed to record intended action on %s: %w", c.Target, err)
	}
	actErr := c.Act(ctx)
	phase, outcome := v1alpha1.ActionDone, metrics.OutcomeSucceeded
	if actErr != nil {
		phase, outcome = v1alpha1.ActionFailed, metrics.OutcomeFailed
	}
	e.Metrics.Actions.WithLabelValues(r.Name, string(r.class()), outcome).Inc()
	e.Metrics.TriggerToAction.WithLabelValues(r.Name).Observe(now.Sub(c.Since).Seconds())
	if actErr != nil {
		e.Recorder.Eventf(r.Automation, nil, corev1.EventTypeWarning, "ActionFailed", c.Verb, "%s %s failed: %v", c.Verb, c.Target, actErr)
	} else {
		e.Recorder.Eventf(r.Automation, nil, corev1.EventTypeNormal, "Acted", c.Verb, "%s %s: %s", c.Verb, c.Target, c.Why)
	}
	if err := e.setPhase(ctx, client.ObjectKeyFromObject(a), rec.ID, phase); err != nil {
		return errors.Join(actErr, err)
	}
	if actErr != nil {
		return fmt.Errorf("failed to %s %s: %w", c.Verb, c.Target, actErr)
	}
	return nil
}

func (e *Engine) setPhase(ctx context.Context, key client.ObjectKey, id string, phase v1alpha1.ActionPhase) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var a v1alpha1.Automation
		if err := e.Client.Get(ctx, key, &a); err != nil {
			return err
		}
		for i := range a.Status.Actions {
			if a.Status.Actions[i].ID == id {
				if a.Status.Actions[i].Phase == phase {
					return nil
				}
				a.Status.Actions[i].Phase = phase
				return e.Client.Status().Update(ctx, &a)
			}
		}
		return nil
	})
}

// prune drops records older than the window, keeping at least the window's.
func prune(recs []v1alpha1.ActionRecord, now time.Time, window time.Duration) []v1alpha1.ActionRecord {
	out := recs[:0:0]
	for _, r := range recs {
		if window <= 0 || now.Sub(r.Time.Time) < window {
			out = append(out, r)
		}
	}
	return out
}

func actionID(automation, target string, now time.Time) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%d", automation, target, now.UnixNano())))
	return hex.EncodeToString(sum[:6])
}

// halt stops the automation until a human resumes it: a condition with the
// reason, an event, the halted metric, and a page.
func (e *Engine) halt(ctx context.Context, a *v1alpha1.Automation, reason policy.Reason, message string) error {
	key := client.ObjectKeyFromObject(a)
	now := e.Clock.Now()
	var halted *v1alpha1.Automation
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var cur v1alpha1.Automation
		if err := e.Client.Get(ctx, key, &cur); err != nil {
			return err
		}
		if meta.IsStatusConditionTrue(cur.Status.Conditions, v1alpha1.ConditionHalted) {
			halted = nil
			return nil
		}
		meta.SetStatusCondition(&cur.Status.Conditions, metav1.Condition{
			Type: v1alpha1.ConditionHalted, Status: metav1.ConditionTrue, Reason: string(reason),
			Message: message + "; run 'interlock resume " + a.Name + "' to resume", ObservedGeneration: cur.Generation,
		})
		cur.Status.HaltedAt = &metav1.Time{Time: now}
		halted = &cur
		return e.Client.Status().Update(ctx, &cur)
	})
	if err != nil {
		return fmt.Errorf("failed to halt %s: %w", a.Name, err)
	}
	if halted == nil {
		return nil // already halted; paged then
	}
	e.Metrics.Halted.WithLabelValues(a.Name, string(reason)).Set(1)
	e.Recorder.Eventf(a, nil, corev1.EventTypeWarning, string(reason), "Halt", "automation halted: %s", message)
	alert := pager.Alert{
		Labels: map[string]string{
			"alertname":  "InterlockRemediatorBudgetExhausted",
			"automation": a.Name,
			"namespace":  a.Namespace,
			"reason":     string(reason),
			"severity":   "page",
		},
		Annotations: map[string]string{
			"summary":     fmt.Sprintf("Automation %s halted itself: %s", a.Name, reason),
			"description": message,
			"resume":      "interlock resume " + a.Name,
		},
		StartsAt: now,
	}
	if err := e.Pager.Page(ctx, alert); err != nil {
		e.Metrics.PagesSent.WithLabelValues(a.Name, metrics.OutcomeFailed).Inc()
		e.Recorder.Eventf(a, nil, corev1.EventTypeWarning, "PageFailed", "Page", "failed to page: %v", err)
		return nil
	}
	e.Metrics.PagesSent.WithLabelValues(a.Name, metrics.OutcomeSucceeded).Inc()
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var cur v1alpha1.Automation
		if err := e.Client.Get(ctx, key, &cur); err != nil {
			return err
		}
		cur.Status.PagedAt = &metav1.Time{Time: e.Clock.Now()}
		return e.Client.Status().Update(ctx, &cur)
	})
}

// ProposalName is the deterministic name of the proposal for a target.
func ProposalName(automation, target string) string {
	sum := sha256.Sum256([]byte(target))
	name := automation + "-" + hex.EncodeToString(sum[:5])
	return strings.TrimPrefix(name, "-")
}

func (e *Engine) proposalFor(ctx context.Context, automation, target string) (*v1alpha1.RemediationProposal, error) {
	var p v1alpha1.RemediationProposal
	err := e.Client.Get(ctx, client.ObjectKey{Namespace: e.Namespace, Name: ProposalName(automation, target)}, &p)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("failed to get proposal: %w", err)
	}
	return &p, nil
}

// propose files a proposal for a human, once per target.
func (e *Engine) propose(ctx context.Context, r *resolved, c Candidate, d policy.Decision) error {
	p := &v1alpha1.RemediationProposal{
		ObjectMeta: metav1.ObjectMeta{
			Name: ProposalName(r.Name, c.Target), Namespace: e.Namespace,
			Labels: map[string]string{"interlock.dev/automation": r.Name},
		},
		Spec: v1alpha1.RemediationProposalSpec{
			Automation: r.Name, Class: r.sc.Action.Class, Verb: c.Verb, Target: c.Target,
			Reason: c.Why, Runbook: r.Spec.Runbook, Owner: r.sc.Owner,
		},
	}
	if err := e.Client.Create(ctx, p); err != nil {
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return fmt.Errorf("failed to file proposal for %s: %w", c.Target, err)
	}
	p.Status.Phase = v1alpha1.ProposalPending
	p.Status.Message = d.Message
	if err := e.Client.Status().Update(ctx, p); err != nil {
		return fmt.Errorf("failed to set proposal status: %w", err)
	}
	e.Recorder.Eventf(r.Automation, nil, corev1.EventTypeWarning, "ProposalFiled", c.Verb,
		"%s %s needs approval by a named human (owner %s): proposal %s", c.Verb, c.Target, r.sc.Owner, p.Name)
	return nil
}

func (e *Engine) markProposal(ctx context.Context, p *v1alpha1.RemediationProposal, phase v1alpha1.ProposalPhase, msg string) {
	_ = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var cur v1alpha1.RemediationProposal
		if err := e.Client.Get(ctx, client.ObjectKeyFromObject(p), &cur); err != nil {
			return err
		}
		cur.Status.Phase = phase
		cur.Status.Message = msg
		if phase == v1alpha1.ProposalExecuted {
			cur.Status.ExecutedAt = &metav1.Time{Time: e.Clock.Now()}
		}
		return e.Client.Status().Update(ctx, &cur)
	})
}

// automationsOfType lists, from the cache, the automations of one type.
func (e *Engine) automationsOfType(ctx context.Context, t v1alpha1.AutomationType) ([]v1alpha1.Automation, error) {
	var list v1alpha1.AutomationList
	if err := e.Client.List(ctx, &list, client.InNamespace(e.Namespace), client.MatchingFields{automationTypeIndex: string(t)}); err != nil {
		return nil, fmt.Errorf("failed to list automations: %w", err)
	}
	return list.Items, nil
}

// inFlight returns the targets of actions taken within d whose recovery
// check still fails.
func inFlight(a *v1alpha1.Automation, now time.Time, d time.Duration, recovered func(target string) bool) []string {
	var out []string
	for _, rec := range a.Status.Actions {
		if rec.Phase == v1alpha1.ActionFailed || now.Sub(rec.Time.Time) >= d {
			continue
		}
		if !recovered(rec.Target) && !slices.Contains(out, rec.Target) {
			out = append(out, rec.Target)
		}
	}
	return out
}

// live reads pod from the API server, past the cache; nil if it is gone.
func (e *Engine) live(ctx context.Context, pod *corev1.Pod) (*corev1.Pod, error) {
	r := e.Live
	if r == nil {
		r = e.Client
	}
	var cur corev1.Pod
	if err := r.Get(ctx, client.ObjectKeyFromObject(pod), &cur); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("failed to read pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	if cur.UID != pod.UID || cur.DeletionTimestamp != nil {
		return nil, nil
	}
	return &cur, nil
}

// healthGate is the safety case's health gate as the policy reads it: its
// deadline and minimum, and the trigger's hold.
func healthGate(sc *v1alpha1.SafetyCaseSpec) policy.HealthGate {
	g := policy.HealthGate{Hold: sc.Trigger.For.Duration}
	if sc.HealthGate != nil {
		g.ProgressDeadline = sc.HealthGate.ProgressDeadline.Duration
		g.MinAvailablePercent = int(sc.HealthGate.MinAvailablePercent)
	}
	return g
}
