package controllers_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/controllers"
	"github.com/interlock-dev/interlock/remediator/engine"
)

// podFixture makes a ReplicaSet of three pods, of which crashLoops crash
// loop, and an unhealthy-workload automation for the test's namespace.
func podFixture(t *testing.T, crashLoops int, edit func(*v1alpha1.SafetyCaseSpec)) (*env, []corev1.Pod) {
	e := newEnv(t)
	node := e.node(e.ns+"-node", nil)
	pods := e.replicaSet("web", node.Name, 3)
	for i := range pods {
		e.setPodStatus(&pods[i], i < crashLoops)
	}
	e.automation("restarts", v1alpha1.UnhealthyWorkload, v1alpha1.RungUnsupervised, shipped(t, v1alpha1.UnhealthyWorkload, edit), nil)
	e.start(func(eng *engine.Engine) reconciler { return &controllers.PodReconciler{Engine: eng} })
	return e, pods
}

// A crash-looping pod of a healthy workload is deleted, so its ReplicaSet
// replaces it; the action is recorded first and done after. It was the
// last of the budget, so the automation halts and pages.
func TestPodCrashLoopIsRestarted(t *testing.T) {
	e, pods := podFixture(t, 1, func(sc *v1alpha1.SafetyCaseSpec) {
		sc.Budget.MaxActions, sc.Budget.PerTarget = 1, ptr.To[int32](1)
	})
	victim := pods[0]
	rec := e.waitAction("restarts", e.ns+"/"+victim.Name)
	if rec.Verb != "delete-pod" || rec.TargetUID != string(victim.UID) || rec.Group != e.ns+"/web" {
		t.Errorf("action = %+v, want delete-pod of %s in group %s/web", rec, victim.UID, e.ns)
	}
	e.eventually("the crash-looping pod was never deleted", func(ctx context.Context) (bool, error) {
		var p corev1.Pod
		err := e.c.Get(ctx, client.ObjectKeyFromObject(&victim), &p)
		return apierrors.IsNotFound(err) || p.UID != victim.UID || p.DeletionTimestamp != nil, client.IgnoreNotFound(err)
	})
	for _, p := range pods[1:] {
		e.get(&p)
		if p.DeletionTimestamp != nil {
			t.Errorf("healthy pod %s was deleted", p.Name)
		}
	}
	a := &v1alpha1.Automation{ObjectMeta: metav1.ObjectMeta{Name: "restarts", Namespace: e.ns}}
	e.eventually("the automation never halted and paged", func(context.Context) (bool, error) {
		e.get(a)
		return meta.IsStatusConditionTrue(a.Status.Conditions, v1alpha1.ConditionHalted) && a.Status.PagedAt != nil, nil
	})
	if n := e.pages.sent(); n != 1 {
		t.Errorf("%d pages sent, want 1", n)
	}
}

// When every replica crash loops, the cause is shared: restarting them
// all cannot help, so nothing is deleted.
func TestPodAllReplicasCrashingIsRefused(t *testing.T) {
	e, pods := podFixture(t, 3, nil)
	e.waitDecision("restarts", "refuse", "AllTargetsMatch")
	for _, p := range pods {
		e.get(&p)
		if p.DeletionTimestamp != nil {
			t.Errorf("pod %s was deleted", p.Name)
		}
	}
	if acts := e.actions("restarts"); len(acts) != 0 {
		t.Errorf("actions = %+v, want none", acts)
	}
}

// An action that cannot be recorded is not taken: the budget would not
// know of it.
func TestPodActionNotRecordedIsNotTaken(t *testing.T) {
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop", UID: "rs"},
		Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](3)}}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop", UID: "pod",
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web", UID: "rs", Controller: ptr.To(true)}}},
		Spec: corev1.PodSpec{NodeName: "node-1"},
		Status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse, LastTransitionTime: longAgo}}},
	}
	healthy := []client.Object{rs, pod}
	for i := 2; i <= 3; i++ {
		p := pod.DeepCopy()
		p.Name, p.UID = fmt.Sprintf("web-%d", i), "healthy"
		p.Status.Conditions[0].Status = corev1.ConditionTrue
		healthy = append(healthy, p)
	}
	a := &v1alpha1.Automation{ObjectMeta: metav1.ObjectMeta{Name: "restarts", Namespace: fakeNamespace},
		Spec: v1alpha1.AutomationSpec{Type: v1alpha1.UnhealthyWorkload, Rung: string(v1alpha1.RungUnsupervised),
			Namespaces: []string{"shop"}, SafetyCase: shipped(t, v1alpha1.UnhealthyWorkload, nil)}}
	eng := fakeEngine(t, interceptor.Funcs{
		SubResourceUpdate: func(context.Context, client.Client, string, client.Object, ...client.SubResourceUpdateOption) error {
			return apierrors.NewInternalError(errors.New("etcd is down"))
		},
	}, append(healthy, a)...)
	r := &controllers.PodReconciler{Engine: eng}
	if _, err := r.Reconcile(context.Background(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(pod)}); err == nil {
		t.Error("Reconcile succeeded though the action could not be recorded")
	}
	if err := eng.Client.Get(context.Background(), client.ObjectKeyFromObject(pod), &corev1.Pod{}); err != nil {
		t.Errorf("the pod is gone though its deletion was never recorded: %v", err)
	}
	if got := testutil.ToFloat64(eng.Metrics.ReconcileErrors.WithLabelValues("unhealthy-workload")); got != 1 {
		t.Errorf("reconcile errors = %v, want 1", got)
	}
}
