package controllers

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/engine"
	"github.com/interlock-dev/interlock/remediator/metrics"
)

// RBAC for the remediator's own objects. Each automation's file holds the
// markers for what it touches.
// +kubebuilder:rbac:groups=interlock.dev,resources=automations;safetycases;remediationproposals,verbs=get;list;watch
// +kubebuilder:rbac:groups=interlock.dev,resources=automations/status;remediationproposals/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=interlock.dev,resources=remediationproposals,verbs=create
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch

// intendedTimeout is how long an action may stay Intended before the
// Automation reconciler settles it as Failed: the remediator that recorded
// it stopped before it could say whether it acted.
const intendedTimeout = 30 * time.Second

// AutomationReconciler keeps each Automation's Ready condition and metrics
// true to its safety case and settles actions left Intended by a remediator
// that stopped between recording and acting.
type AutomationReconciler struct {
	Engine *engine.Engine
}

// SetupWithManager adds the reconciler to mgr as the "automation"
// controller.
func (r *AutomationReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if err := ctrl.NewControllerManagedBy(mgr).Named("automation").
		For(&v1alpha1.Automation{}).
		// A proposal filed or decided changes the pending-proposals gauge.
		Watches(&v1alpha1.RemediationProposal{}, handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
			return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: o.GetNamespace(), Name: o.(*v1alpha1.RemediationProposal).Spec.Automation}}}
		})).
		Complete(r); err != nil {
		return fmt.Errorf("failed to set up the automation controller: %w", err)
	}
	return nil
}

// Reconcile implements reconcile.Reconciler.
func (r *AutomationReconciler) Reconcile(ctx context.Context, req reconcile.Request) (ctrl.Result, error) {
	e := r.Engine
	var a v1alpha1.Automation
	if err := e.Client.Get(ctx, req.NamespacedName, &a); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	res, err := e.Resolve(ctx, &a)
	if err != nil {
		e.Metrics.ReconcileErrors.WithLabelValues("automation").Inc()
		return ctrl.Result{}, err
	}
	now := e.Clock.Now()
	before := a.DeepCopy()
	meta.SetStatusCondition(&a.Status.Conditions, r.ready(ctx, res))
	if meta.FindStatusCondition(a.Status.Conditions, v1alpha1.ConditionHalted) == nil {
		meta.SetStatusCondition(&a.Status.Conditions, metav1.Condition{Type: v1alpha1.ConditionHalted, Status: metav1.ConditionFalse,
			Reason: v1alpha1.ReasonActive, Message: "within budget", ObservedGeneration: a.Generation})
	}
	// Settle actions a stopped remediator recorded but may not have taken.
	for i := range a.Status.Actions {
		rec := &a.Status.Actions[i]
		if rec.Phase == v1alpha1.ActionIntended && now.Sub(rec.Time.Time) > intendedTimeout {
			rec.Phase = v1alpha1.ActionFailed
		}
	}
	a.Status.ObservedGeneration = a.Generation
	r.expose(res, now)
	if err := r.countProposals(ctx, a.Name); err != nil {
		return ctrl.Result{}, err
	}
	if !equalStatus(before, &a) {
		if err := e.Client.Status().Update(ctx, &a); err != nil {
			if apierrors.IsConflict(err) {
				return ctrl.Result{Requeue: true}, nil
			}
			e.Metrics.ReconcileErrors.WithLabelValues("automation").Inc()
			return ctrl.Result{}, fmt.Errorf("failed to update status of %s: %w", a.Name, err)
		}
	}
	// Look again when the oldest action leaves the window, so the budget
	// gauge stays true.
	if t, ok := res.Budget().OldestExpiry(res.History(), now); ok {
		return ctrl.Result{RequeueAfter: t.Sub(now) + time.Second}, nil
	}
	return ctrl.Result{}, nil
}

// ready is the automation's Ready condition: True when it may act at its
// rung, else False with the reason it only alerts.
func (r *AutomationReconciler) ready(ctx context.Context, res *engine.Resolved) metav1.Condition {
	rung := v1alpha1.Rung(res.Spec.Rung)
	cond := metav1.Condition{Type: v1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonActive,
		Message: fmt.Sprintf("acts at rung %s within its safety case", rung), ObservedGeneration: res.Generation}
	class := res.Class()
	switch {
	case v1alpha1.CheckRung(class, rung) != nil:
		cond.Status, cond.Reason = metav1.ConditionFalse, v1alpha1.ReasonRungExceedsPosture
		cond.Message = v1alpha1.CheckRung(class, rung).Error() + "; it only alerts"
	case !res.Complete.Complete:
		cond.Status, cond.Reason = metav1.ConditionFalse, v1alpha1.ReasonSafetyCaseIncomplete
		cond.Message = "safety case incomplete, so it only alerts: " + joinMax(res.Complete.Missing, 5)
	case r.Engine.KillSwitch(ctx):
		cond.Status, cond.Reason = metav1.ConditionFalse, v1alpha1.ReasonKillSwitch
		cond.Message = "the global kill switch is on"
	}
	return cond
}

// expose sets the automation's gauges and exposes its action counter.
func (r *AutomationReconciler) expose(res *engine.Resolved, now time.Time) {
	m := r.Engine.Metrics
	halted := 0.0
	haltReason := ""
	if c := meta.FindStatusCondition(res.Status.Conditions, v1alpha1.ConditionHalted); c != nil && c.Status == metav1.ConditionTrue {
		halted, haltReason = 1, c.Reason
	}
	// The action counter is exposed from the start, at 0: an absent series
	// says nothing, and the harness reads it as a failure.
	m.Actions.WithLabelValues(res.Name, string(res.Class()), metrics.OutcomeSucceeded).Add(0)
	// So is the count of pages, so that the first page is an increase.
	m.PagesSent.WithLabelValues(res.Name, metrics.OutcomeSucceeded).Add(0)
	m.Halted.DeletePartialMatch(map[string]string{"automation": res.Name})
	m.Halted.WithLabelValues(res.Name, haltReason).Set(halted)
	m.BudgetRemaining.WithLabelValues(res.Name).Set(float64(res.Budget().Remaining(res.History(), now)))
}

func (r *AutomationReconciler) countProposals(ctx context.Context, automation string) error {
	var list v1alpha1.RemediationProposalList
	if err := r.Engine.Client.List(ctx, &list, client.InNamespace(r.Engine.Namespace),
		client.MatchingLabelsSelector{Selector: labels.SelectorFromSet(labels.Set{engine.AutomationLabel: automation})}); err != nil {
		return fmt.Errorf("failed to list proposals: %w", err)
	}
	pending := 0
	for _, p := range list.Items {
		if p.Status.Phase == v1alpha1.ProposalPending || p.Status.Phase == "" {
			pending++
		}
	}
	r.Engine.Metrics.ProposalsPending.WithLabelValues(automation).Set(float64(pending))
	return nil
}

func equalStatus(a, b *v1alpha1.Automation) bool {
	ja, _ := json.Marshal(a.Status)
	jb, _ := json.Marshal(b.Status)
	return string(ja) == string(jb)
}

func joinMax(xs []string, n int) string {
	if len(xs) > n {
		return fmt.Sprintf("%s; and %d more", strings.Join(xs[:n], "; "), len(xs)-n)
	}
	return strings.Join(xs, "; ")
}
