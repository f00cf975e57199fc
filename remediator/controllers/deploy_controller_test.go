package controllers_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/remediator/controllers"
	"github.com/interlock-dev/interlock/remediator/engine"
)

// nowhere is a node selector no node matches: a revision with it never
// becomes available.
var nowhere = map[string]string{"interlock.dev/nowhere": "true"}

// deployment creates a Deployment on the kwok nodes (or, with
// nodeSelector, wherever it says), and waits until it is available unless
// it can never be.
func (e *env) deployment(name string, replicas int32, nodeSelector map[string]string) *appsv1.Deployment {
	e.t.Helper()
	if nodeSelector == nil {
		nodeSelector = map[string]string{cluster.NodeTypeLabel: "kwok"}
	}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: e.ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name, "version": "v1"}},
				Spec: corev1.PodSpec{
					NodeSelector: nodeSelector,
					Containers:   []corev1.Container{{Name: "app", Image: name + ":1"}},
				},
			},
		},
	}
	e.create(d)
	if _, never := nodeSelector["interlock.dev/nowhere"]; never {
		return d
	}
	e.eventually("deployment "+name+" never became available", func(context.Context) (bool, error) {
		e.get(d)
		return d.Status.ObservedGeneration == d.Generation && d.Status.AvailableReplicas == replicas, nil
	})
	return d
}

// deployFixture makes a healthy bystander beside the deployments the test
// makes, and a bad-deploy automation with a 2s progress deadline.
func deployFixture(t *testing.T) *env {
	e := newEnv(t)
	e.deployment("bystander", 1, nil)
	e.automation("rollbacks", v1alpha1.BadDeploy, v1alpha1.RungUnsupervised, shipped(t, v1alpha1.BadDeploy, func(sc *v1alpha1.SafetyCaseSpec) {
		sc.Trigger.For = metav1.Duration{Duration: time.Second}
		sc.HealthGate.ProgressDeadline = metav1.Duration{Duration: 2 * time.Second}
	}), nil)
	return e
}

func startDeploys(e *env) {
	e.start(func(eng *engine.Engine) reconciler { return &controllers.DeployReconciler{Engine: eng} })
}

// A revision that never becomes available is rolled back to the previous
// one once its health gate fails; the bystander is left alone.
func TestBadDeployRollsBack(t *testing.T) {
	e := deployFixture(t)
	shop := e.deployment("shop", 2, nil)
	startDeploys(e)

	e.get(shop)
	shop.Spec.Template.Labels["version"] = "v2"
	shop.Spec.Template.Spec.NodeSelector = nowhere
	if err := e.c.Update(context.Background(), shop); err != nil {
		t.Fatal(err)
	}
	rec := e.waitAction("rollbacks", e.ns+"/shop")
	if rec.Verb != "rollback" || rec.TargetUID != string(shop.UID) {
		t.Errorf("action = %+v, want a rollback of %s", rec, shop.UID)
	}
	e.get(shop)
	if v := shop.Spec.Template.Labels["version"]; v != "v1" || shop.Spec.Template.Spec.NodeSelector[cluster.NodeTypeLabel] != "kwok" {
		t.Errorf("shop's template is version %q with node selector %v, want v1's", v, shop.Spec.Template.Spec.NodeSelector)
	}
	for _, rec := range e.actions("rollbacks") {
		if rec.Target != e.ns+"/shop" {
			t.Errorf("acted on %s, which never failed its health gate", rec.Target)
		}
	}
}

// A Deployment whose first revision fails has nothing to roll back to.
func TestBadDeployWithoutPreviousRevisionIsRefused(t *testing.T) {
	e := deployFixture(t)
	fresh := e.deployment("fresh", 2, nowhere)
	startDeploys(e)
	e.waitDecision("rollbacks", "refuse", "NoPreviousRevision")
	e.get(fresh)
	if fresh.Generation != 1 {
		t.Errorf("fresh was changed (generation %d)", fresh.Generation)
	}
	if acts := e.actions("rollbacks"); len(acts) != 0 {
		t.Errorf("actions = %+v, want none", acts)
	}
}

// A reconcile that cannot read the revisions fails, and counts the error.
func TestBadDeployRevisionsUnreadable(t *testing.T) {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "shop", UID: "shop"},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](2)}}
	a := &v1alpha1.Automation{ObjectMeta: metav1.ObjectMeta{Name: "rollbacks", Namespace: fakeNamespace},
		Spec: v1alpha1.AutomationSpec{Type: v1alpha1.BadDeploy, Rung: string(v1alpha1.RungUnsupervised),
			Namespaces: []string{"shop"}, SafetyCase: shipped(t, v1alpha1.BadDeploy, nil)}}
	eng := fakeEngine(t, interceptor.Funcs{
		List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
			if _, ok := list.(*appsv1.ReplicaSetList); ok {
				return apierrors.NewInternalError(errors.New("etcd is down"))
			}
			return c.List(ctx, list, opts...)
		},
	}, d, a)
	r := &controllers.DeployReconciler{Engine: eng}
	if _, err := r.Reconcile(context.Background(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(d)}); err == nil {
		t.Error("Reconcile succeeded though the revisions could not be read")
	}
	if got := testutil.ToFloat64(eng.Metrics.ReconcileErrors.WithLabelValues("bad-deploy")); got != 1 {
		t.Errorf("reconcile errors = %v, want 1", got)
	}
}
