package controllers_test

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/controllers"
	"github.com/interlock-dev/interlock/remediator/engine"
)

// scopeLabel puts a test's nodes, and only them, in its automation's scope.
const scopeLabel = "interlock.dev/test-scope"

// nodeFixture makes three nodes in the scope of a disk-pressure
// automation, the first under disk pressure unless all are, and a pod on
// the first.
func nodeFixture(t *testing.T, allFull, killSwitch bool) (e *env, nodes []*corev1.Node, pod corev1.Pod) {
	e = newEnv(t)
	lbls := map[string]string{scopeLabel: e.ns}
	for i, name := range []string{"a", "b", "c"} {
		n := e.node(e.ns+"-"+name, lbls)
		pressure := corev1.ConditionFalse
		if i == 0 || allFull {
			pressure = corev1.ConditionTrue
		}
		e.setDiskPressure(n, pressure)
		nodes = append(nodes, n)
	}
	pod = e.replicaSet("web", nodes[0].Name, 1)[0]
	if killSwitch {
		e.killSwitch()
	}
	e.automation("full-disks", v1alpha1.DiskPressure, v1alpha1.RungUnsupervised, shipped(t, v1alpha1.DiskPressure, nil),
		func(s *v1alpha1.AutomationSpec) { s.Selector = &metav1.LabelSelector{MatchLabels: lbls} })
	e.start(func(eng *engine.Engine) reconciler { return &controllers.NodeReconciler{Engine: eng} })
	return e, nodes, pod
}

// A node under disk pressure is cordoned, marked as this automation's, and
// its heaviest pods evicted; once the pressure is gone for the hold time
// it is uncordoned, the stated reversal. The other nodes are never touched.
func TestDiskPressureCordonsAndReverses(t *testing.T) {
	e, nodes, pod := nodeFixture(t, false, false)
	full := nodes[0]
	rec := e.waitAction("full-disks", full.Name)
	if rec.Verb != "cordon-evict" || rec.Group != "nodes" {
		t.Errorf("action = %+v, want cordon-evict in group nodes", rec)
	}
	e.get(full)
	if !full.Spec.Unschedulable || full.Annotations[controllers.CordonedByAnnotation] != "full-disks" {
		t.Errorf("node %s: unschedulable %v, cordoned by %q; want cordoned by full-disks",
			full.Name, full.Spec.Unschedulable, full.Annotations[controllers.CordonedByAnnotation])
	}
	e.eventually("the pod on the full node was never evicted", func(ctx context.Context) (bool, error) {
		var p corev1.Pod
		err := e.c.Get(ctx, client.ObjectKeyFromObject(&pod), &p)
		return apierrors.IsNotFound(err) || p.DeletionTimestamp != nil, client.IgnoreNotFound(err)
	})
	for _, n := range nodes[1:] {
		e.get(n)
		if n.Spec.Unschedulable || n.Annotations[controllers.CordonedByAnnotation] != "" {
			t.Errorf("node %s without disk pressure was cordoned", n.Name)
		}
	}

	e.setDiskPressure(full, corev1.ConditionFalse)
	e.eventually("the node was never uncordoned once its disk pressure was gone", func(context.Context) (bool, error) {
		e.get(full)
		return !full.Spec.Unschedulable && full.Annotations[controllers.CordonedByAnnotation] == "", nil
	})
}

// With the kill switch on, a node under disk pressure is left as it is.
func TestDiskPressureKillSwitchIsRefused(t *testing.T) {
	e, nodes, pod := nodeFixture(t, false, true)
	e.waitDecision("full-disks", "refuse", "KillSwitch")
	e.get(nodes[0])
	if nodes[0].Spec.Unschedulable {
		t.Errorf("node %s was cordoned with the kill switch on", nodes[0].Name)
	}
	e.get(&pod)
	if pod.DeletionTimestamp != nil {
		t.Errorf("pod %s was evicted with the kill switch on", pod.Name)
	}
	if acts := e.actions("full-disks"); len(acts) != 0 {
		t.Errorf("actions = %+v, want none", acts)
	}
}

// Every node under disk pressure at once is no node's fault: draining
// them all would remove all capacity.
func TestDiskPressureEverywhereIsRefused(t *testing.T) {
	e, nodes, _ := nodeFixture(t, true, false)
	e.waitDecision("full-disks", "refuse", "AllTargetsMatch")
	for _, n := range nodes {
		e.get(n)
		if n.Spec.Unschedulable {
			t.Errorf("node %s was cordoned", n.Name)
		}
	}
}

// A node reconcile that cannot list the nodes fails, and counts the error
// against the automation's type.
func TestNodeListFails(t *testing.T) {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1"},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionFalse, LastTransitionTime: longAgo}}}}
	a := &v1alpha1.Automation{ObjectMeta: metav1.ObjectMeta{Name: "lost-nodes", Namespace: fakeNamespace},
		Spec: v1alpha1.AutomationSpec{Type: v1alpha1.NodeLoss, Rung: string(v1alpha1.RungUnsupervised), SafetyCase: shipped(t, v1alpha1.NodeLoss, nil)}}
	eng := fakeEngine(t, interceptor.Funcs{
		List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
			if _, ok := list.(*corev1.NodeList); ok {
				return apierrors.NewInternalError(errors.New("etcd is down"))
			}
			return c.List(ctx, list, opts...)
		},
	}, node, a)
	r := &controllers.NodeReconciler{Engine: eng}
	if _, err := r.Reconcile(context.Background(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(node)}); err == nil {
		t.Error("Reconcile succeeded though the nodes could not be listed")
	}
	if got := testutil.ToFloat64(eng.Metrics.ReconcileErrors.WithLabelValues(string(v1alpha1.NodeLoss))); got != 1 {
		t.Errorf("reconcile errors = %v, want 1", got)
	}
}
