package controllers_test

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// testNodeTaint keeps the scheduler off the nodes a test makes, so that
// only the pods it binds to them by name run there.
const testNodeTaint = "interlock.dev/test-node"

// longAgo is when the conditions the tests set started to hold: long
// past every trigger's hold.
var longAgo = metav1.NewTime(time.Now().Add(-time.Hour))

// node creates a node with the test's labels, and waits until kwok, which
// plays every node of the embedded cluster, reports it Ready.
func (e *env) node(name string, lbls map[string]string) *corev1.Node {
	e.t.Helper()
	n := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: lbls},
		Spec:       corev1.NodeSpec{Taints: []corev1.Taint{{Key: testNodeTaint, Effect: corev1.TaintEffectNoSchedule}}},
	}
	e.create(n)
	e.t.Cleanup(func() { _ = e.c.Delete(context.Background(), n) })
	e.eventually("kwok never reported node "+name+" Ready", func(context.Context) (bool, error) {
		e.get(n)
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady {
				return c.Status == corev1.ConditionTrue, nil
			}
		}
		return false, nil
	})
	return n
}

// setDiskPressure plays the kubelet: the node reports DiskPressure, or
// not, since longAgo, and stays Ready (so kwok leaves its conditions be:
// it reinitializes a node only when it is not Ready, and its heartbeat
// rewrites them only every ten minutes).
func (e *env) setDiskPressure(n *corev1.Node, pressure corev1.ConditionStatus) {
	e.t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		e.get(n)
		now := metav1.Now()
		n.Status.Conditions = []corev1.NodeCondition{
			{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", LastHeartbeatTime: now, LastTransitionTime: longAgo},
			{Type: corev1.NodeDiskPressure, Status: pressure, Reason: "Test", LastHeartbeatTime: now, LastTransitionTime: longAgo},
		}
		return e.c.Status().Update(context.Background(), n)
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// replicaSet creates a ReplicaSet whose pods are bound to node, and waits
// until kwok runs them all.
func (e *env) replicaSet(name, node string, replicas int32) []corev1.Pod {
	e.t.Helper()
	lbls := map[string]string{"app": name}
	e.create(&appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: e.ns},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: lbls},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: lbls},
				Spec: corev1.PodSpec{
					NodeName:   node,
					Containers: []corev1.Container{{Name: "app", Image: name + ":1"}},
				},
			},
		},
	})
	var pods corev1.PodList
	e.eventually(fmt.Sprintf("replica set %s never ran %d pods", name, replicas), func(ctx context.Context) (bool, error) {
		if err := e.c.List(ctx, &pods, client.InNamespace(e.ns), client.MatchingLabels(lbls)); err != nil {
			return false, err
		}
		running := 0
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning {
				running++
			}
		}
		return len(pods.Items) == int(replicas) && running == len(pods.Items), nil
	})
	return pods.Items
}

// setPodStatus plays the kubelet: the pod runs, Ready or crash looping
// since longAgo. A running pod is one kwok's stages leave be.
func (e *env) setPodStatus(p *corev1.Pod, crashLoop bool) {
	e.t.Helper()
	ready, state := corev1.ConditionTrue, corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: longAgo}}
	if crashLoop {
		ready, state = corev1.ConditionFalse, corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}
	}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		e.get(p)
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: ready, LastTransitionTime: longAgo}}
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", Image: "app:1", Ready: !crashLoop, RestartCount: 5, State: state}}
		return e.c.Status().Update(context.Background(), p)
	})
	if err != nil {
		e.t.Fatal(err)
	}
}
