package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/e2e-framework/klient/wait"
	"sigs.k8s.io/e2e-framework/klient/wait/conditions"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"github.com/interlock-dev/interlock/internal/testutil"
	"github.com/interlock-dev/interlock/scenarios"
)

// embeddedCluster: the shared cluster has three Ready kwok nodes, runs a
// Deployment on them, and its audit log names who created its pods.
func embeddedCluster() features.Feature {
	const ns = "default"
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](3),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "web:1"}}},
			},
		},
	}
	return features.New("embedded cluster").
		WithLabel("tier", scenarios.TierPR).
		Assess("three nodes are Ready", threeNodesReady).
		Assess("a 3-replica Deployment becomes Available on kwok nodes", func(ctx context.Context, t *testing.T, cfg *envconf.Config) context.Context {
			return deploymentAvailable(ctx, t, cfg, dep)
		}).
		Assess("the audit log holds the pod creations with the creating user", func(ctx context.Context, t *testing.T, cfg *envconf.Config) context.Context {
			return podCreationsAudited(ctx, t, ns)
		}).
		Teardown(func(ctx context.Context, t *testing.T, cfg *envconf.Config) context.Context {
			_ = cfg.Client().Resources().Delete(ctx, dep)
			return ctx
		}).Feature()
}

func threeNodesReady(ctx context.Context, t *testing.T, cfg *envconf.Config) context.Context {
	var nodes corev1.NodeList
	if err := cfg.Client().Resources().List(ctx, &nodes); err != nil {
		t.Fatal(err)
	}
	ready := 0
	for i := range nodes.Items {
		if testutil.NodeReady(&nodes.Items[i]) {
			ready++
		}
	}
	if ready != 3 {
		t.Fatalf("got %d Ready nodes of %d, want 3", ready, len(nodes.Items))
	}
	return ctx
}

func deploymentAvailable(ctx context.Context, t *testing.T, cfg *envconf.Config, dep *appsv1.Deployment) context.Context {
	if err := cfg.Client().Resources().Create(ctx, dep); err != nil {
		t.Fatal(err)
	}
	err := wait.For(conditions.New(cfg.Client().Resources()).DeploymentConditionMatch(dep, appsv1.DeploymentAvailable, corev1.ConditionTrue),
		wait.WithTimeout(time.Minute), wait.WithInterval(testutil.Interval))
	if err != nil {
		t.Fatalf("deployment never became Available: %v", err)
	}
	testutil.WaitFor(t, time.Minute, "3 available replicas of deployment web", func(ctx context.Context) (bool, error) {
		if err := cfg.Client().Resources().Get(ctx, dep.Name, dep.Namespace, dep); err != nil {
			return false, err
		}
		return dep.Status.AvailableReplicas == 3, nil
	}, func() string { return fmt.Sprintf("%d available replicas", dep.Status.AvailableReplicas) })
	var pods corev1.PodList
	if err := cfg.Client().Resources(dep.Namespace).List(ctx, &pods, func(o *metav1.ListOptions) { o.LabelSelector = "app=web" }); err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if !strings.HasPrefix(p.Spec.NodeName, "kwok-node-") || p.Status.Phase != corev1.PodRunning {
			t.Errorf("pod %s on node %q in phase %s, want Running on a kwok node", p.Name, p.Spec.NodeName, p.Status.Phase)
		}
	}
	return ctx
}

// podCreationsAudited: the ReplicaSet controller, acting under its own
// service account, created the three pods. The audit log is flushed in
// batches.
func podCreationsAudited(ctx context.Context, t *testing.T, ns string) context.Context {
	const creator = "system:serviceaccount:kube-system:replicaset-controller"
	var byUser map[string]int
	err := testutil.Until(ctx, testutil.Interval, 30*time.Second, func(context.Context) (bool, error) {
		var err error
		byUser, err = podCreations(ns)
		return err == nil && byUser[creator] >= 3, err
	})
	if err != nil {
		t.Fatalf("audit log %s: pod creations by user %v, want 3 by %s: %v", shared.AuditLog, byUser, creator, err)
	}
	if byUser[creator] != 3 {
		t.Errorf("%d pod creations by %s, want 3", byUser[creator], creator)
	}
	return ctx
}
