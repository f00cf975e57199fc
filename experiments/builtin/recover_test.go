package builtin_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/testutil"
)

// TestRecoverAll simulates a run interrupted with faults in place: a new
// injector, as a new process would have, finds and recovers them all.
func TestRecoverAll(t *testing.T) {
	cfg, cs := testCluster(t)
	const ns = "interrupted"
	workload(t, cs, deployment(ns, "web", 2, "kwok-node-1", withSecretVolume("web-tls")))
	secret := tlsSecret(t, ns, "web-tls", 90*24*time.Hour)
	if _, err := cs.CoreV1().Secrets(ns).Create(t.Context(), secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	crashed := newInjector(t, cfg)
	disk := nodeChaos("kwok-node-4", experiments.NodeConditionAction)
	disk.Spec.Condition = &experiments.NodeConditionSpec{Type: corev1.NodeDiskPressure}
	faults := []experiments.Fault{
		{Name: "orphan-crash", Object: podChaos(ns, "web", chaosv1alpha1.PodFailureAction, chaosv1alpha1.AllMode, "")},
		{Name: "orphan-not-ready", Object: nodeChaos("kwok-node-2", experiments.NodeNotReadyAction)},
		{Name: "orphan-heartbeat", Object: nodeChaos("kwok-node-3", experiments.NodeHeartbeatLossAction)},
		{Name: "orphan-disk", Object: disk},
		{Name: "orphan-clock", Object: &chaosv1alpha1.TimeChaos{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns},
			Spec: chaosv1alpha1.TimeChaosSpec{
				ContainerSelector: chaosv1alpha1.ContainerSelector{PodSelector: podSelector("web", chaosv1alpha1.AllMode, "")},
				TimeOffset:        "240h",
			},
		}},
	}
	for _, f := range faults {
		if _, err := crashed.Inject(t.Context(), f); err != nil {
			t.Fatalf("Inject %s: %v", f.Name, err)
		}
	}
	testutil.WaitFor(t, effectShows, "the pods to crash-loop and node 2 to be NotReady", func(ctx context.Context) (bool, error) {
		pods := listPods(ctx, t, cs, ns, "app=web")
		for _, p := range pods {
			if !crashLooping(&p, "app", 1) {
				return false, nil
			}
		}
		return len(pods) == 2 && !cluster.NodeReady(getNode(ctx, t, cs, "kwok-node-2")), nil
	})

	// The run is interrupted here: its injector is gone.
	fresh := newInjector(t, cfg)
	if err := fresh.RecoverAll(t.Context()); err != nil {
		t.Fatalf("RecoverAll: %v", err)
	}
	if left := stagesOf(t, cfg, ""); len(left) > 0 {
		t.Errorf("stages left after RecoverAll: %v", left)
	}
	for _, node := range []string{"kwok-node-2", "kwok-node-3", "kwok-node-4"} {
		waitNodeHealthy(t, cs, node)
	}
	waitPodsHealthy(t, cs, ns, "app=web", 2)
	s, err := cs.CoreV1().Secrets(ns).Get(t.Context(), "web-tls", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Data[corev1.TLSCertKey], secret.Data[corev1.TLSCertKey]) {
		t.Error("RecoverAll did not restore the certificate")
	}
	assertNothingMarked(t, cs)
	if err := fresh.RecoverAll(t.Context()); err != nil {
		t.Errorf("second RecoverAll: %v", err)
	}
}

// assertNothingMarked checks that no pod, node, secret or lease carries a
// fault's marker.
func assertNothingMarked(t *testing.T, cs kubernetes.Interface) {
	t.Helper()
	ctx := t.Context()
	pods, err := cs.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if hasMarker(p.Labels) {
			t.Errorf("pod %s/%s still marked: %v", p.Namespace, p.Name, p.Labels)
		}
	}
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes.Items {
		if hasMarker(n.Labels) {
			t.Errorf("node %s still marked: %v", n.Name, n.Labels)
		}
	}
	secrets, err := cs.CoreV1().Secrets(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets.Items {
		if hasMarker(s.Labels) {
			t.Errorf("secret %s/%s still marked: %v", s.Namespace, s.Name, s.Labels)
		}
	}
	leases, err := cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range leases.Items {
		if hasMarker(l.Labels) {
			t.Errorf("lease %s still marked: %v", l.Name, l.Labels)
		}
	}
}

func TestRecoverIsIdempotent(t *testing.T) {
	cfg, cs := testCluster(t)
	const ns = "idempotent"
	inj := newInjector(t, cfg)
	workload(t, cs, deployment(ns, "web", 1, "kwok-node-1"))
	f := experiments.Fault{Name: "twice", Object: podChaos(ns, "web", chaosv1alpha1.PodFailureAction, chaosv1alpha1.AllMode, "")}

	if err := inj.Recover(t.Context(), f); err != nil {
		t.Errorf("Recover of a fault never injected: %v", err)
	}
	inject(t, inj, f)
	if _, err := inj.Inject(t.Context(), f); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("second Inject of the same fault: err = %v, want it refused", err)
	}
	recoverFault(t, inj, cfg, f)
	if err := inj.Recover(t.Context(), f); err != nil {
		t.Errorf("second Recover: %v", err)
	}
	waitPodsHealthy(t, cs, ns, "app=web", 1)

	invalid := f
	invalid.Object = podChaos(ns, "web", "pod-stress", chaosv1alpha1.AllMode, "")
	if _, err := inj.Inject(t.Context(), invalid); err == nil || !strings.Contains(err.Error(), "spec.action") {
		t.Errorf("Inject of an invalid fault: err = %v, want the field named", err)
	}
}
