package controllers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/engine"
	"github.com/interlock-dev/interlock/remediator/policy"
)

// +kubebuilder:rbac:groups="",resources=nodes,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups="",resources=pods/eviction,verbs=create

// CordonedByAnnotation marks a node the remediator cordoned, naming the
// automation, so that it uncordons only its own.
const CordonedByAnnotation = "interlock.dev/cordoned-by"

const podNodeIndex = "spec.nodeName"

// NodeReconciler runs the node-loss and disk-pressure automations: a node
// NotReady (or Unknown), or under DiskPressure, for longer than the hold
// time is cordoned and pods are evicted so they reschedule. A node this
// remediator cordoned is uncordoned once healthy again for the hold time:
// that is the stated reversal.
type NodeReconciler struct {
	Engine *engine.Engine
}

// SetupWithManager indexes the cached pods by node and adds the
// reconciler to mgr as the "nodes" controller.
func (r *NodeReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if err := mgr.GetFieldIndexer().IndexField(context.Background(), &corev1.Pod{}, podNodeIndex, func(o client.Object) []string {
		return []string{o.(*corev1.Pod).Spec.NodeName}
	}); err != nil {
		return fmt.Errorf("failed to index pods by node: %w", err)
	}
	if err := ctrl.NewControllerManagedBy(mgr).Named("nodes").
		For(&corev1.Node{}).
		Watches(&v1alpha1.RemediationProposal{}, proposalsFor(r.Engine, v1alpha1.NodeLoss)).
		Watches(&v1alpha1.RemediationProposal{}, proposalsFor(r.Engine, v1alpha1.DiskPressure)).
		Complete(r); err != nil {
		return fmt.Errorf("failed to set up the node controller: %w", err)
	}
	return nil
}

// nodeCondition returns whether the node's trigger holds for automation type t, since when, and why.
func nodeCondition(n *corev1.Node, t v1alpha1.AutomationType) (bool, time.Time, string) {
	for _, c := range n.Status.Conditions {
		switch {
		case t == v1alpha1.NodeLoss && c.Type == corev1.NodeReady && c.Status != corev1.ConditionTrue:
			return true, c.LastTransitionTime.Time, fmt.Sprintf("node %s Ready=%s (%s)", n.Name, c.Status, c.Reason)
		case t == v1alpha1.DiskPressure && c.Type == corev1.NodeDiskPressure && c.Status == corev1.ConditionTrue:
			return true, c.LastTransitionTime.Time, fmt.Sprintf("node %s has DiskPressure (%s)", n.Name, c.Reason)
		}
	}
	return false, time.Time{}, ""
}

// healthySince returns when the node's trigger stopped holding.
func healthySince(n *corev1.Node, t v1alpha1.AutomationType) time.Time {
	want := corev1.NodeReady
	if t == v1alpha1.DiskPressure {
		want = corev1.NodeDiskPressure
	}
	for _, c := range n.Status.Conditions {
		if c.Type == want {
			return c.LastTransitionTime.Time
		}
	}
	return n.CreationTimestamp.Time
}

// Reconcile implements reconcile.Reconciler.
func (r *NodeReconciler) Reconcile(ctx context.Context, req reconcile.Request) (ctrl.Result, error) {
	var node corev1.Node
	if err := r.Engine.Client.Get(ctx, req.NamespacedName, &node); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	var result ctrl.Result
	for _, t := range []v1alpha1.AutomationType{v1alpha1.NodeLoss, v1alpha1.DiskPressure} {
		autos, err := r.Engine.AutomationsOfType(ctx, t)
		if err != nil {
			return ctrl.Result{}, err
		}
		for i := range autos {
			a := &autos[i]
			if !scopeOf(a, false, "", node.Labels) {
				continue
			}
			res, err := r.handle(ctx, a, t, &node)
			if err != nil {
				r.Engine.Metrics.ReconcileErrors.WithLabelValues(string(t)).Inc()
				return ctrl.Result{}, err
			}
			result = earliest(result, res)
		}
	}
	return result, nil
}

func (r *NodeReconciler) handle(ctx context.Context, a *v1alpha1.Automation, t v1alpha1.AutomationType, node *corev1.Node) (ctrl.Result, error) {
	res, err := r.Engine.Resolve(ctx, a)
	if err != nil {
		return ctrl.Result{}, err
	}
	now := r.Engine.Clock.Now()
	hold := res.SafetyCase.Trigger.For.Duration
	bad, since, why := nodeCondition(node, t)
	if !bad {
		// The reversal: uncordon a node this automation cordoned once it has
		// been healthy for the hold time.
		if node.Annotations[CordonedByAnnotation] != a.Name {
			return ctrl.Result{}, nil
		}
		if wait := hold - now.Sub(healthySince(node, t)); wait > 0 {
			return ctrl.Result{RequeueAfter: wait}, nil
		}
		if r.Engine.KillSwitch(ctx) {
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, r.cordon(ctx, node, a.Name, false)
	}
	if now.Sub(since) < hold {
		return ctrl.Result{RequeueAfter: hold - now.Sub(since)}, nil
	}
	if node.Spec.Unschedulable && node.Annotations[CordonedByAnnotation] == a.Name {
		return ctrl.Result{}, nil // already acted on; waiting for recovery
	}
	sel := selectorOf(a)
	scope := policy.Scope{}
	group := policy.Group{TargetUnavailable: t == v1alpha1.NodeLoss}
	var inflight []string
	err = r.Engine.Scan(ctx, &corev1.NodeList{}, "", func(o client.Object) bool {
		n, ok := o.(*corev1.Node)
		if !ok {
			return true
		}
		if n.Name != node.Name && n.Spec.Unschedulable && n.Annotations[CordonedByAnnotation] == a.Name {
			inflight = append(inflight, n.Name)
		}
		if !sel.Matches(labels.Set(n.Labels)) {
			return true
		}
		scope.Size++
		group.Size++
		if b, _, _ := nodeCondition(n, t); b {
			scope.Matched++
		}
		down, _, _ := nodeCondition(n, v1alpha1.NodeLoss)
		if down || (n.Spec.Unschedulable && n.Annotations[CordonedByAnnotation] != "") {
			group.Unavailable++
		}
		return true
	})
	if err != nil {
		return ctrl.Result{}, fmt.Errorf("failed to read the nodes: %w", err)
	}
	sort.Strings(inflight) // the cache's order is a map's
	target := node.Name
	c := engine.Candidate{
		Target: target, UID: node.UID, Since: since, Verb: "cordon-evict", Group: "nodes", Why: why,
		Scope: scope, BlastGroup: group, InFlight: inflight,
		Act: func(ctx context.Context) error {
			if err := r.cordon(ctx, node, a.Name, true); err != nil {
				return err
			}
			return r.evict(ctx, node.Name, t)
		},
	}
	return r.Engine.Consider(ctx, a, c)
}

// cordon marks the node unschedulable (or schedulable again), with the
// annotation that says which automation did it.
func (r *NodeReconciler) cordon(ctx context.Context, node *corev1.Node, automation string, on bool) error {
	patch := client.MergeFrom(node.DeepCopy())
	n := node.DeepCopy()
	n.Spec.Unschedulable = on
	if on {
		if n.Annotations == nil {
			n.Annotations = map[string]string{}
		}
		n.Annotations[CordonedByAnnotation] = automation
	} else {
		delete(n.Annotations, CordonedByAnnotation)
	}
	if err := r.Engine.Client.Patch(ctx, n, patch); err != nil {
		return fmt.Errorf("failed to set unschedulable=%t on node %s: %w", on, node.Name, err)
	}
	return nil
}

// evict evicts the node's pods through the Eviction API, which honours
// PodDisruptionBudgets. For disk pressure only the pods using the most
// ephemeral storage go: the heaviest third, at least one.
func (r *NodeReconciler) evict(ctx context.Context, nodeName string, t v1alpha1.AutomationType) error {
	var pods corev1.PodList
	if err := r.Engine.Client.List(ctx, &pods, client.MatchingFields{podNodeIndex: nodeName}); err != nil {
		return fmt.Errorf("failed to list pods on %s: %w", nodeName, err)
	}
	var victims []corev1.Pod
	for _, p := range pods.Items {
		if p.DeletionTimestamp != nil || metav1.GetControllerOf(&p) == nil {
			continue // bare pods would not come back
		}
		if ref := metav1.GetControllerOf(&p); ref.Kind == "DaemonSet" {
			continue
		}
		victims = append(victims, p)
	}
	if t == v1alpha1.DiskPressure {
		sort.SliceStable(victims, func(i, j int) bool { return ephemeral(&victims[i]) > ephemeral(&victims[j]) })
		victims = victims[:int(math.Ceil(float64(len(victims))/3))]
	}
	var errs []error
	for i := range victims {
		ev := &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: victims[i].Name, Namespace: victims[i].Namespace}}
		err := r.Engine.Client.SubResource("eviction").Create(ctx, &victims[i], ev)
		// A pod already gone, or in a namespace being deleted, is leaving anyway.
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			errs = append(errs, fmt.Errorf("failed to evict %s/%s: %w", victims[i].Namespace, victims[i].Name, err))
		}
	}
	return errors.Join(errs...)
}

// ephemeral is the pod's requested ephemeral storage in bytes.
func ephemeral(p *corev1.Pod) int64 {
	var sum int64
	for _, c := range p.Spec.Containers {
		if q, ok := c.Resources.Requests[corev1.ResourceEphemeralStorage]; ok {
			sum += q.Value()
		}
	}
	return sum
}
