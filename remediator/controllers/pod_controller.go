package controllers

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	toolscache "k8s.io/client-go/tools/cache"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/engine"
	"github.com/interlock-dev/interlock/remediator/policy"
)

// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list;watch;delete
// +kubebuilder:rbac:groups=apps,resources=replicasets;deployments,verbs=get;list;watch

// PodReconciler runs the unhealthy-workload automation: a pod that crash
// loops, or is not Ready, for longer than the trigger's hold time is
// deleted so that its controller replaces it.
type PodReconciler struct {
	Engine *engine.Engine
}

// SetupWithManager adds the reconciler to mgr as the "unhealthy-workload"
// controller.
func (r *PodReconciler) SetupWithManager(mgr ctrl.Manager) error {
	inf, err := mgr.GetCache().GetInformer(context.Background(), &corev1.Pod{}, cache.BlockUntilSynced(false))
	if err != nil {
		return fmt.Errorf("failed to get the pod informer: %w", err)
	}
	if err := inf.AddIndexers(toolscache.Indexers{PodScopeIndex: podScopeKeys}); err != nil {
		return fmt.Errorf("failed to index pods for the blast-radius scope: %w", err)
	}
	if err := ctrl.NewControllerManagedBy(mgr).Named("unhealthy-workload").
		For(&corev1.Pod{}).
		Watches(&v1alpha1.RemediationProposal{}, proposalsFor(r.Engine, v1alpha1.UnhealthyWorkload)).
		Complete(r); err != nil {
		return fmt.Errorf("failed to set up the unhealthy-workload controller: %w", err)
	}
	return nil
}

// podUnhealthy reports whether the trigger holds for the pod and since when.
func podUnhealthy(p *corev1.Pod) (bool, time.Time, string) {
	if p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
		return false, time.Time{}, ""
	}
	since := p.CreationTimestamp.Time
	ready := false
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			ready = c.Status == corev1.ConditionTrue
			if !ready {
				since = c.LastTransitionTime.Time
			}
		}
	}
	for _, cs := range p.Status.ContainerStatuses {
		if w := cs.State.Waiting; w != nil && w.Reason == "CrashLoopBackOff" {
			return true, since, fmt.Sprintf("container %s in CrashLoopBackOff (%d restarts)", cs.Name, cs.RestartCount)
		}
	}
	if !ready && p.Spec.NodeName != "" {
		return true, since, "pod not Ready"
	}
	return false, time.Time{}, ""
}

// workloadOf returns the pod's controlling ReplicaSet (or other controller)
// as namespace/name and its desired replicas.
func (r *PodReconciler) workloadOf(ctx context.Context, p *corev1.Pod) (string, int, bool) {
	ref := metav1.GetControllerOf(p)
	if ref == nil {
		return "", 0, false // a bare pod is never restarted: nothing would recreate it
	}
	if ref.Kind != "ReplicaSet" {
		return key(p.Namespace, ref.Kind+"/"+ref.Name), 1, true
	}
	var rs appsv1.ReplicaSet
	if err := r.Engine.Client.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: ref.Name}, &rs); err != nil {
		return "", 0, false
	}
	n := 1
	if rs.Spec.Replicas != nil {
		n = int(*rs.Spec.Replicas)
	}
	return key(p.Namespace, rs.Name), n, true
}

// Reconcile implements reconcile.Reconciler.
func (r *PodReconciler) Reconcile(ctx context.Context, req reconcile.Request) (ctrl.Result, error) {
	var pod corev1.Pod
	if err := r.Engine.Client.Get(ctx, req.NamespacedName, &pod); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	bad, since, why := podUnhealthy(&pod)
	if !bad {
		return ctrl.Result{}, nil
	}
	autos, err := r.Engine.AutomationsOfType(ctx, v1alpha1.UnhealthyWorkload)
	if err != nil {
		return ctrl.Result{}, err
	}
	var result ctrl.Result
	for i := range autos {
		a := &autos[i]
		if !scopeOf(a, true, pod.Namespace, pod.Labels) {
			continue
		}
		res, err := r.consider(ctx, a, &pod, since, why)
		if err != nil {
			r.Engine.Metrics.ReconcileErrors.WithLabelValues("unhealthy-workload").Inc()
			return ctrl.Result{}, err
		}
		result = earliest(result, res)
	}
	return result, nil
}

func (r *PodReconciler) consider(ctx context.Context, a *v1alpha1.Automation, pod *corev1.Pod, since time.Time, why string) (ctrl.Result, error) {
	res, err := r.Engine.Resolve(ctx, a)
	if err != nil {
		return ctrl.Result{}, err
	}
	now := r.Engine.Clock.Now()
	if hold := res.SafetyCase.Trigger.For.Duration; now.Sub(since) < hold {
		return ctrl.Result{RequeueAfter: hold - now.Sub(since)}, nil
	}
	// The cache may run behind: judge the pod as the API server has it now.
	live, err := r.Engine.LivePod(ctx, pod)
	if err != nil || live == nil {
		return ctrl.Result{}, err
	}
	if bad, _, _ := podUnhealthy(live); !bad {
		log.FromContext(ctx).Info("stale view: the pod has recovered, nothing to do", "pod", key(pod.Namespace, pod.Name))
		return ctrl.Result{}, nil
	}
	pod = live
	group, replicas, ok := r.workloadOf(ctx, pod)
	if !ok {
		return ctrl.Result{}, nil
	}
	scope, err := r.scope(ctx, a)
	if err != nil {
		return ctrl.Result{}, err
	}
	inflight := engine.InFlight(a, now, res.SafetyCase.Reversal.TimeToReverse.Duration, func(string) bool { return false })
	unavailable := 0
	for _, rec := range a.Status.Actions {
		if rec.Group == group && rec.Phase != v1alpha1.ActionFailed && now.Sub(rec.Time.Time) < res.SafetyCase.Reversal.TimeToReverse.Duration {
			unavailable++
		}
	}
	target := key(pod.Namespace, pod.Name)
	uid := pod.UID
	c := engine.Candidate{
		Target: target, UID: uid, Since: since, Verb: "delete-pod", Group: group, Why: why,
		Scope:      scope,
		BlastGroup: policy.Group{Size: replicas, Unavailable: unavailable},
		InFlight:   inflight,
		Act: func(ctx context.Context) error {
			// The UID precondition makes sure only this pod goes, never its replacement.
			return client.IgnoreNotFound(r.Engine.Client.Delete(ctx, pod, client.Preconditions{UID: &uid}))
		},
	}
	return r.Engine.Consider(ctx, a, c)
}

// PodScopeIndex names the index of the pods the informer cache holds, for
// the blast-radius scope: under "NAMESPACE/live" every pod not being deleted,
// and under "NAMESPACE/unhealthy" those of them the trigger fires for.
const PodScopeIndex = "interlock.dev/pod-scope"

// podScopeKeys is PodScopeIndex's index function.
func podScopeKeys(obj any) ([]string, error) {
	p, ok := obj.(*corev1.Pod)
	if !ok || p.DeletionTimestamp != nil {
		return nil, nil
	}
	if bad, _, _ := podUnhealthy(p); bad {
		return []string{p.Namespace + "/live", p.Namespace + "/unhealthy"}, nil
	}
	return []string{p.Namespace + "/live"}, nil
}

// scope counts the pods in the automation's scope and those its trigger
// fires for. An automation without a label selector is counted from
// PodScopeIndex, whatever the number of pods; one with a selector walks
// its namespaces' pods in the cache.
func (r *PodReconciler) scope(ctx context.Context, a *v1alpha1.Automation) (policy.Scope, error) {
	nss := a.Spec.Namespaces
	if len(nss) == 0 {
		nss = []string{a.Namespace}
	}
	sel := selectorOf(a)
	var s policy.Scope
	for _, ns := range nss {
		if a.Spec.Selector == nil {
			// Two reads: a pod that changes between them is seen as by a
			// cache a moment behind, and the trigger never counts more
			// pods than the scope has.
			matched, ok, err := r.Engine.Indexed(ctx, &corev1.Pod{}, PodScopeIndex, ns+"/unhealthy")
			if err != nil {
				return s, err
			}
			size, ok2, err := r.Engine.Indexed(ctx, &corev1.Pod{}, PodScopeIndex, ns+"/live")
			if err != nil {
				return s, err
			}
			if ok && ok2 {
				s.Size += size
				s.Matched += min(matched, size)
				continue
			}
		}
		err := r.Engine.Scan(ctx, &corev1.PodList{}, ns, func(o client.Object) bool {
			p, ok := o.(*corev1.Pod)
			if !ok || p.DeletionTimestamp != nil || !sel.Matches(labels.Set(p.Labels)) {
				return true
			}
			s.Size++
			if bad, _, _ := podUnhealthy(p); bad {
				s.Matched++
			}
			return true
		})
		if err != nil {
			return s, fmt.Errorf("failed to read the pods in %s: %w", ns, err)
		}
	}
	return s, nil
}
