package controllers_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/controllers"
	"github.com/interlock-dev/interlock/remediator/engine"
)

func startAutomations(e *env) {
	e.start(func(eng *engine.Engine) reconciler { return &controllers.AutomationReconciler{Engine: eng} })
}

// The Automation reconciler says whether each automation may act at its
// rung (Ready), and only alerts when it may not: a rung above its class's
// posture, an incomplete safety case, the kill switch.
func TestAutomationReady(t *testing.T) {
	tests := map[string]struct {
		typ        v1alpha1.AutomationType
		rung       v1alpha1.Rung
		edit       func(*v1alpha1.SafetyCaseSpec)
		killSwitch bool
		status     metav1.ConditionStatus
		reason     string
	}{
		"acts at its rung": {typ: v1alpha1.UnhealthyWorkload, rung: v1alpha1.RungUnsupervised,
			status: metav1.ConditionTrue, reason: v1alpha1.ReasonActive},
		"a rung above its class's posture": {typ: v1alpha1.CertificateExpiry, rung: v1alpha1.RungUnsupervised,
			status: metav1.ConditionFalse, reason: v1alpha1.ReasonRungExceedsPosture},
		"an incomplete safety case": {typ: v1alpha1.NodeLoss, rung: v1alpha1.RungUnsupervised,
			edit:   func(sc *v1alpha1.SafetyCaseSpec) { sc.Owner = "" },
			status: metav1.ConditionFalse, reason: v1alpha1.ReasonSafetyCaseIncomplete},
		"the kill switch on": {typ: v1alpha1.BadDeploy, rung: v1alpha1.RungUnsupervised, killSwitch: true,
			status: metav1.ConditionFalse, reason: v1alpha1.ReasonKillSwitch},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			if tc.killSwitch {
				e.killSwitch()
			}
			a := e.automation("auto", tc.typ, tc.rung, shipped(t, tc.typ, tc.edit), nil)
			startAutomations(e)
			e.eventually("the automation's Ready condition was never set", func(ctx context.Context) (bool, error) {
				e.get(a)
				return a.Status.ObservedGeneration == a.Generation && meta.FindStatusCondition(a.Status.Conditions, v1alpha1.ConditionReady) != nil, nil
			})
			ready := meta.FindStatusCondition(a.Status.Conditions, v1alpha1.ConditionReady)
			if ready.Status != tc.status || ready.Reason != tc.reason {
				t.Errorf("Ready = %s (%s: %s), want %s (%s)", ready.Status, ready.Reason, ready.Message, tc.status, tc.reason)
			}
			if !meta.IsStatusConditionFalse(a.Status.Conditions, v1alpha1.ConditionHalted) {
				t.Errorf("Halted = %v, want False from the start", meta.FindStatusCondition(a.Status.Conditions, v1alpha1.ConditionHalted))
			}
		})
	}
}

// An action a stopped remediator left Intended is settled as Failed, and
// the budget gauge counts it; the action counter is exposed at 0 from the
// start.
func TestAutomationSettlesIntendedActions(t *testing.T) {
	e := newEnv(t)
	a := e.automation("restarts", v1alpha1.UnhealthyWorkload, v1alpha1.RungUnsupervised, shipped(t, v1alpha1.UnhealthyWorkload, nil), nil)
	e.get(a)
	a.Status.Actions = []v1alpha1.ActionRecord{{ID: "abc", Target: e.ns + "/web-1", Verb: "delete-pod",
		Time: metav1.NewTime(time.Now().Add(-time.Minute)), Phase: v1alpha1.ActionIntended}}
	if err := e.c.Status().Update(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	startAutomations(e)
	e.eventually("the Intended action was never settled", func(context.Context) (bool, error) {
		acts := e.actions(a.Name)
		return len(acts) == 1 && acts[0].Phase == v1alpha1.ActionFailed, nil
	})
	m := e.engine.Metrics
	if got := testutil.ToFloat64(m.BudgetRemaining.WithLabelValues(a.Name)); got != 4 {
		t.Errorf("budget remaining = %v, want 4: 5 in the window, less the settled action", got)
	}
	if got := testutil.CollectAndCount(m.Actions); got != 1 {
		t.Errorf("%d action series exposed, want the one at 0", got)
	}
}

// A status update that fails is retried: at once after a conflict, and as
// a reconcile error otherwise.
func TestAutomationStatusUpdateFails(t *testing.T) {
	tests := map[string]struct {
		err         error
		wantRequeue bool
		wantErr     bool
	}{
		"a conflict": {
			err:         apierrors.NewConflict(schema.GroupResource{Group: "interlock.dev", Resource: "automations"}, "auto", errors.New("changed")),
			wantRequeue: true,
		},
		"the API server fails": {err: apierrors.NewInternalError(errors.New("etcd is down")), wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			a := &v1alpha1.Automation{
				ObjectMeta: metav1.ObjectMeta{Name: "auto", Namespace: fakeNamespace, Generation: 1},
				Spec: v1alpha1.AutomationSpec{Type: v1alpha1.UnhealthyWorkload, Rung: string(v1alpha1.RungUnsupervised),
					SafetyCase: shipped(t, v1alpha1.UnhealthyWorkload, nil)},
			}
			eng := fakeEngine(t, interceptor.Funcs{
				SubResourceUpdate: func(context.Context, client.Client, string, client.Object, ...client.SubResourceUpdateOption) error {
					return tc.err
				},
			}, a)
			r := &controllers.AutomationReconciler{Engine: eng}
			res, err := r.Reconcile(context.Background(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(a)})
			if (err != nil) != tc.wantErr || res.Requeue != tc.wantRequeue {
				t.Errorf("Reconcile = %+v, %v; want requeue %v, error %v", res, err, tc.wantRequeue, tc.wantErr)
			}
			want := 0.0
			if tc.wantErr {
				want = 1
			}
			if got := testutil.ToFloat64(eng.Metrics.ReconcileErrors.WithLabelValues("automation")); got != want {
				t.Errorf("reconcile errors = %v, want %v", got, want)
			}
		})
	}
}

// An Automation deleted before its reconcile is no error.
func TestAutomationGone(t *testing.T) {
	r := &controllers.AutomationReconciler{Engine: fakeEngine(t, interceptor.Funcs{})}
	res, err := r.Reconcile(context.Background(), reconcile.Request{NamespacedName: client.ObjectKey{Namespace: fakeNamespace, Name: "gone"}})
	if err != nil || res != (ctrl.Result{}) {
		t.Errorf("Reconcile = %+v, %v; want nothing to do", res, err)
	}
}
