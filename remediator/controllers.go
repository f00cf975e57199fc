package remediator

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
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/interlock-dev/interlock/api/v1alpha1"
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

const automationTypeIndex = "spec.type"

func setupControllers(mgr ctrl.Manager, e *Engine) error {
	ctx := context.Background()
	if err := mgr.GetFieldIndexer().IndexField(ctx, &v1alpha1.Automation{}, automationTypeIndex, func(o client.Object) []string {
		return []string{string(o.(*v1alpha1.Automation).Spec.Type)}
	}); err != nil {
		return fmt.Errorf("failed to index automations: %w", err)
	}
	if err := ctrl.NewControllerManagedBy(mgr).Named("automation").
		For(&v1alpha1.Automation{}).
		// A proposal filed or decided changes the pending-proposals gauge.
		Watches(&v1alpha1.RemediationProposal{}, handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
			return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: o.GetNamespace(), Name: o.(*v1alpha1.RemediationProposal).Spec.Automation}}}
		})).
		Complete(&automationReconciler{e: e}); err != nil {
		return fmt.Errorf("failed to set up the automation controller: %w", err)
	}
	for _, setup := range []func(ctrl.Manager, *Engine) error{setupUnhealthyWorkload, setupNodeAutomations, setupCertificateExpiry, setupBadDeploy} {
		if err := setup(mgr, e); err != nil {
			return err
		}
	}
	return nil
}

// automationReconciler keeps each Automation's Ready condition and metrics
// true to its safety case and settles actions left Intended by a remediator
// that stopped between recording and acting.
type automationReconciler struct{ e *Engine }

func (r *automationReconciler) Reconcile(ctx context.Context, req reconcile.Request) (ctrl.Result, error) {
	var a v1alpha1.Automation
	if err := r.e.Client.Get(ctx, req.NamespacedName, &a); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	res, err := r.e.resolve(ctx, &a)
	if err != nil {
		r.e.Metrics.ReconcileErrors.WithLabelValues("automation").Inc()
		return ctrl.Result{}, err
	}
	now := r.e.Clock.Now()
	before := a.DeepCopy()
	cond := metav1.Condition{Type: v1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonActive,
		Message: fmt.Sprintf("acts at rung %s within its safety case", a.Spec.Rung), ObservedGeneration: a.Generation}
	class := res.class()
	switch {
	case v1alpha1.CheckRung(class, v1alpha1.Rung(a.Spec.Rung)) != nil:
		cond.Status, cond.Reason = metav1.ConditionFalse, v1alpha1.ReasonRungExceedsPosture
		cond.Message = v1alpha1.CheckRung(class, v1alpha1.Rung(a.Spec.Rung)).Error() + "; it only alerts"
	case !res.complete.Complete:
		cond.Status, cond.Reason = metav1.ConditionFalse, v1alpha1.ReasonSafetyCaseIncomplete
		cond.Message = "safety case incomplete, so it only alerts: " + joinMax(res.complete.Missing, 5)
	case r.e.killSwitch(ctx):
		cond.Status, cond.Reason = metav1.ConditionFalse, v1alpha1.ReasonKillSwitch
		cond.Message = "the global kill switch is on"
	}
	meta.SetStatusCondition(&a.Status.Conditions, cond)
	if !meta.IsStatusConditionPresentAndEqual(a.Status.Conditions, v1alpha1.ConditionHalted, metav1.ConditionTrue) &&
		meta.FindStatusCondition(a.Status.Conditions, v1alpha1.ConditionHalted) == nil {
		meta.SetStatusCondition(&a.Status.Conditions, metav1.Condition{Type: v1alpha1.ConditionHalted, Status: metav1.ConditionFalse,
			Reason: v1alpha1.ReasonActive, Message: "within budget", ObservedGeneration: a.Generation})
	}
	// Settle actions a stopped remediator recorded but may not have taken.
	for i := range a.Status.Actions {
		rec := &a.Status.Actions[i]
		if rec.Phase == v1alpha1.ActionIntended && now.Sub(rec.Time.Time) > 30*time.Second {
			rec.Phase = v1alpha1.ActionFailed
		}
	}
	a.Status.ObservedGeneration = a.Generation
	halted := 0.0
	haltReason := ""
	if c := meta.FindStatusCondition(a.Status.Conditions, v1alpha1.ConditionHalted); c != nil && c.Status == metav1.ConditionTrue {
		halted, haltReason = 1, c.Reason
	}
	// The action counter is exposed from the start, at 0: an absent series
	// says nothing, and the harness reads it as a failure.
	r.e.Metrics.Actions.WithLabelValues(a.Name, string(class), metrics.OutcomeSucceeded).Add(0)
	r.e.Metrics.Halted.DeletePartialMatch(map[string]string{"automation": a.Name})
	r.e.Metrics.Halted.WithLabelValues(a.Name, haltReason).Set(halted)
	r.e.Metrics.BudgetRemaining.WithLabelValues(a.Name).Set(float64(res.budget().Remaining(res.history(), now)))
	if err := r.countProposals(ctx, a.Name); err != nil {
		return ctrl.Result{}, err
	}
	if !equalStatus(before, &a) {
		if err := r.e.Client.Status().Update(ctx, &a); err != nil {
			if apierrors.IsConflict(err) {
				return ctrl.Result{Requeue: true}, nil
			}
			r.e.Metrics.ReconcileErrors.WithLabelValues("automation").Inc()
			return ctrl.Result{}, fmt.Errorf("failed to update status of %s: %w", a.Name, err)
		}
	}
	// Look again when the oldest action leaves the window, so the budget
	// gauge stays true.
	if t, ok := res.budget().OldestExpiry(res.history(), now); ok {
		return ctrl.Result{RequeueAfter: t.Sub(now) + time.Second}, nil
	}
	return ctrl.Result{}, nil
}

func (r *automationReconciler) countProposals(ctx context.Context, automation string) error {
	var list v1alpha1.RemediationProposalList
	if err := r.e.Client.List(ctx, &list, client.InNamespace(r.e.Namespace),
		client.MatchingLabelsSelector{Selector: labels.SelectorFromSet(labels.Set{"interlock.dev/automation": automation})}); err != nil {
		return fmt.Errorf("failed to list proposals: %w", err)
	}
	pending := 0
	for _, p := range list.Items {
		if p.Status.Phase == v1alpha1.ProposalPending || p.Status.Phase == "" {
			pending++
		}
	}
	r.e.Metrics.ProposalsPending.WithLabelValues(automation).Set(float64(pending))
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

// scopeOf reports whether obj is in an automation's scope: its namespaces
// (the automation's own when none are listed) and its label selector.
func scopeOf(a *v1alpha1.Automation, namespaced bool, ns string, lbls map[string]string) bool {
	if namespaced {
		nss := a.Spec.Namespaces
		if len(nss) == 0 {
			nss = []string{a.Namespace}
		}
		found := false
		for _, n := range nss {
			if n == ns {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if a.Spec.Selector == nil {
		return true
	}
	sel, err := metav1.LabelSelectorAsSelector(a.Spec.Selector)
	if err != nil {
		return false
	}
	return sel.Matches(labels.Set(lbls))
}

func key(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

func splitKey(k string) types.NamespacedName {
	for i := 0; i < len(k); i++ {
		if k[i] == '/' {
			return types.NamespacedName{Namespace: k[:i], Name: k[i+1:]}
		}
	}
	return types.NamespacedName{Name: k}
}

// proposalsFor enqueues the target of a proposal filed by an automation of
// type t when the proposal changes, so an approval is acted on at once.
func proposalsFor(e *Engine, t v1alpha1.AutomationType) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
		p, ok := o.(*v1alpha1.RemediationProposal)
		if !ok || p.Approval == nil {
			return nil
		}
		var a v1alpha1.Automation
		if err := e.Client.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: p.Spec.Automation}, &a); err != nil || a.Spec.Type != t {
			return nil
		}
		return []reconcile.Request{{NamespacedName: splitKey(p.Spec.Target)}}
	})
}
