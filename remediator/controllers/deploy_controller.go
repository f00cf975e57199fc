package controllers

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/engine"
	"github.com/interlock-dev/interlock/remediator/policy"
)

// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;patch

const revisionAnnotation = "deployment.kubernetes.io/revision"

// DeployReconciler runs the bad-deploy automation: a Deployment whose
// newest revision fails its health gate (not enough replicas available by
// the gate's deadline) is rolled back to the previous revision.
type DeployReconciler struct {
	Engine *engine.Engine
}

// SetupWithManager adds the reconciler to mgr as the "bad-deploy"
// controller.
func (r *DeployReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if err := ctrl.NewControllerManagedBy(mgr).Named("bad-deploy").
		For(&appsv1.Deployment{}).
		Watches(&v1alpha1.RemediationProposal{}, proposalsFor(r.Engine, v1alpha1.BadDeploy)).
		Watches(&appsv1.ReplicaSet{}, handler.EnqueueRequestForOwner(mgr.GetScheme(), mgr.GetRESTMapper(), &appsv1.Deployment{}, handler.OnlyControllerOwner())).
		Complete(r); err != nil {
		return fmt.Errorf("failed to set up the bad-deploy controller: %w", err)
	}
	return nil
}

// revisions returns the Deployment's ReplicaSets, newest revision first.
func (r *DeployReconciler) revisions(ctx context.Context, d *appsv1.Deployment) ([]appsv1.ReplicaSet, error) {
	var list appsv1.ReplicaSetList
	if err := r.Engine.Client.List(ctx, &list, client.InNamespace(d.Namespace)); err != nil {
		return nil, fmt.Errorf("failed to list replica sets: %w", err)
	}
	var out []appsv1.ReplicaSet
	for _, rs := range list.Items {
		if ref := metav1.GetControllerOf(&rs); ref != nil && ref.UID == d.UID {
			out = append(out, rs)
		}
	}
	rev := func(rs *appsv1.ReplicaSet) int64 {
		n, _ := strconv.ParseInt(rs.Annotations[revisionAnnotation], 10, 64)
		return n
	}
	sort.Slice(out, func(i, j int) bool { return rev(&out[i]) > rev(&out[j]) })
	return out, nil
}

func (r *DeployReconciler) rollout(ctx context.Context, d *appsv1.Deployment) (policy.Rollout, []appsv1.ReplicaSet, error) {
	revs, err := r.revisions(ctx, d)
	if err != nil || len(revs) == 0 {
		return policy.Rollout{}, nil, err
	}
	desired := 1
	if d.Spec.Replicas != nil {
		desired = int(*d.Spec.Replicas)
	}
	return policy.Rollout{
		DesiredReplicas:     desired,
		AvailableReplicas:   int(revs[0].Status.AvailableReplicas),
		Started:             revs[0].CreationTimestamp.Time,
		HasPreviousRevision: len(revs) > 1,
		ServingReplicas:     int(d.Status.AvailableReplicas),
	}, revs, nil
}

// Reconcile implements reconcile.Reconciler.
func (r *DeployReconciler) Reconcile(ctx context.Context, req reconcile.Request) (ctrl.Result, error) {
	var d appsv1.Deployment
	if err := r.Engine.Client.Get(ctx, req.NamespacedName, &d); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	autos, err := r.Engine.AutomationsOfType(ctx, v1alpha1.BadDeploy)
	if err != nil {
		return ctrl.Result{}, err
	}
	var result ctrl.Result
	for i := range autos {
		a := &autos[i]
		if !scopeOf(a, true, d.Namespace, d.Labels) {
			continue
		}
		res, err := r.handle(ctx, a, &d)
		if err != nil {
			r.Engine.Metrics.ReconcileErrors.WithLabelValues("bad-deploy").Inc()
			return ctrl.Result{}, err
		}
		result = earliest(result, res)
	}
	return result, nil
}

func (r *DeployReconciler) handle(ctx context.Context, a *v1alpha1.Automation, d *appsv1.Deployment) (ctrl.Result, error) {
	res, err := r.Engine.Resolve(ctx, a)
	if err != nil || res.SafetyCase.HealthGate == nil {
		return ctrl.Result{}, err
	}
	gate := engine.HealthGate(res.SafetyCase)
	now := r.Engine.Clock.Now()
	ro, revs, err := r.rollout(ctx, d)
	if err != nil || len(revs) == 0 {
		return ctrl.Result{}, err
	}
	g := gate.Evaluate(ro, now)
	switch g.Status {
	case policy.GatePending:
		return ctrl.Result{RequeueAfter: g.RetryAfter}, nil
	case policy.GatePassed:
		return ctrl.Result{}, nil
	}
	var deps appsv1.DeploymentList
	if err := r.Engine.Client.List(ctx, &deps, client.InNamespace(d.Namespace)); err != nil {
		return ctrl.Result{}, fmt.Errorf("failed to list deployments: %w", err)
	}
	scope := policy.Scope{}
	for i := range deps.Items {
		o := &deps.Items[i]
		if !scopeOf(a, true, o.Namespace, o.Labels) {
			continue
		}
		scope.Size++
		if o.UID == d.UID {
			scope.Matched++
			continue
		}
		if oro, _, err := r.rollout(ctx, o); err == nil && gate.Evaluate(oro, now).Status == policy.GateFailed {
			scope.Matched++
		}
	}
	target := key(d.Namespace, d.Name)
	inflight := engine.InFlight(a, now, res.SafetyCase.Reversal.TimeToReverse.Duration, func(string) bool { return false })
	c := engine.Candidate{
		Target: target, UID: d.UID, Since: ro.Started.Add(gate.ProgressDeadline), Held: true, Verb: "rollback", Group: "deployments",
		Why:        fmt.Sprintf("revision %s of %s has %d of %d replicas available after %s", revs[0].Annotations[revisionAnnotation], target, ro.AvailableReplicas, ro.DesiredReplicas, now.Sub(ro.Started).Round(1e9)),
		Scope:      scope,
		BlastGroup: policy.Group{Size: scope.Size, Unavailable: len(inflight)},
		InFlight:   inflight,
		Rollout:    ro,
		Act: func(ctx context.Context) error {
			return r.rollback(ctx, d, &revs[1])
		},
	}
	return r.Engine.Consider(ctx, a, c)
}

// rollback sets the Deployment's pod template to the previous revision's, as
// `kubectl rollout undo` does.
func (r *DeployReconciler) rollback(ctx context.Context, d *appsv1.Deployment, prev *appsv1.ReplicaSet) error {
	patch := client.MergeFrom(d.DeepCopy())
	n := d.DeepCopy()
	tmpl := prev.Spec.Template.DeepCopy()
	delete(tmpl.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	n.Spec.Template = *tmpl
	if err := r.Engine.Client.Patch(ctx, n, patch); err != nil {
		return fmt.Errorf("failed to roll back %s/%s: %w", d.Namespace, d.Name, err)
	}
	return nil
}
