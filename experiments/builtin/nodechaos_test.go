package builtin_test

import (
	"context"
	"strings"
	"testing"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/builtin"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/testutil"
)

func nodeChaos(node string, action experiments.NodeChaosAction) *experiments.NodeChaos {
	return &experiments.NodeChaos{
		TypeMeta: metav1.TypeMeta{APIVersion: experiments.GroupVersion.String(), Kind: experiments.NodeChaosKind},
		Spec: experiments.NodeChaosSpec{
			Action:   action,
			Selector: experiments.NodeSelectorSpec{Nodes: []string{node}},
			Mode:     chaosv1alpha1.AllMode,
		},
	}
}

func TestNodeChaos(t *testing.T) {
	e := newEnv(t)
	t.Run("not-ready", e.testNodeNotReady)
	t.Run("heartbeat-loss", e.testNodeHeartbeatLoss)
	t.Run("condition", e.testNodeCondition)
	t.Run("flap", e.testNodeFlap)
}

func (e env) testNodeNotReady(t *testing.T) {
	t.Parallel()
	const node, ns = "kwok-node-2", "node-not-ready"
	cfg, cs := e.cfg, e.cs
	inj := newInjector(t, cfg)
	workload(t, cs, deployment(ns, "web", 1, node))
	f := experiments.Fault{Name: "not-ready", Object: nodeChaos(node, experiments.NodeNotReadyAction)}
	eff := inject(t, inj, f)
	if !eff.TrulyBroken || !eff.LooksBroken || len(eff.Nodes) != 1 || eff.Nodes[0] != node {
		t.Errorf("effect = %+v, want node %s truly and visibly broken", eff, node)
	}
	testutil.WaitFor(t, effectShows, "the node NotReady and tainted", func(ctx context.Context) (bool, error) {
		n := getNode(ctx, t, cs, node)
		c := nodeCondition(n, corev1.NodeReady)
		return c.Status == corev1.ConditionFalse && c.Reason == "InterlockFault" && hasTaint(n, "node.kubernetes.io/not-ready"), nil
	})
	if pods := listPods(t.Context(), t, cs, ns, "app=web"); len(pods) != 1 || !eff.Affects(&pods[0]) {
		t.Errorf("the node's pod is not affected: %v", pods)
	}
	recoverFault(t, inj, cfg, f)
	waitNodeHealthy(t, cs, node)
	waitPodsHealthy(t, cs, ns, "app=web", 1)
}

func (e env) testNodeHeartbeatLoss(t *testing.T) {
	t.Parallel()
	const node, ns = "kwok-node-3", "node-heartbeat"
	cfg, cs := e.cfg, e.cs
	inj := newInjector(t, cfg)
	workload(t, cs, deployment(ns, "web", 1, node))
	f := experiments.Fault{Name: "heartbeat-loss", Object: nodeChaos(node, experiments.NodeHeartbeatLossAction)}
	eff := inject(t, inj, f)
	if !eff.TrulyBroken || !eff.LooksBroken {
		t.Errorf("effect = %+v, want truly and visibly broken", eff)
	}
	testutil.WaitFor(t, heartbeatLost, "the node lifecycle controller to mark the node Unknown and unreachable, and its pod not ready", func(ctx context.Context) (bool, error) {
		n := getNode(ctx, t, cs, node)
		pods := listPods(ctx, t, cs, ns, "app=web")
		return nodeCondition(n, corev1.NodeReady).Status == corev1.ConditionUnknown && hasTaint(n, "node.kubernetes.io/unreachable") &&
			len(pods) == 1 && eff.Affects(&pods[0]) && !testutil.PodReady(&pods[0]), nil
	})
	recoverFault(t, inj, cfg, f)
	waitNodeHealthy(t, cs, node)
	lease, err := cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).Get(t.Context(), node, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if h := lease.Spec.HolderIdentity; h == nil || strings.HasPrefix(*h, builtin.HolderPrefix) || hasMarker(lease.Labels) {
		t.Errorf("lease after recovery: holder %v labels %v, want kwok's", h, lease.Labels)
	}
	waitPodsHealthy(t, cs, ns, "app=web", 1)
}

func (e env) testNodeCondition(t *testing.T) {
	t.Parallel()
	const node = "kwok-node-4"
	cfg, cs := e.cfg, e.cs
	inj := newInjector(t, cfg)
	obj := nodeChaos(node, experiments.NodeConditionAction)
	obj.Spec.Condition = &experiments.NodeConditionSpec{Type: corev1.NodeDiskPressure}
	f := experiments.Fault{Name: "disk-pressure", Object: obj}
	eff := inject(t, inj, f)
	if eff.TrulyBroken || !eff.LooksBroken {
		t.Errorf("effect = %+v, want LooksBroken only", eff)
	}
	testutil.WaitFor(t, effectShows, "DiskPressure=True and its taint", func(ctx context.Context) (bool, error) {
		n := getNode(ctx, t, cs, node)
		return nodeCondition(n, corev1.NodeDiskPressure).Status == corev1.ConditionTrue && cluster.NodeReady(n) &&
			hasTaint(n, "node.kubernetes.io/disk-pressure"), nil
	})
	recoverFault(t, inj, cfg, f)
	waitNodeHealthy(t, cs, node)
}

func (e env) testNodeFlap(t *testing.T) {
	t.Parallel()
	const node = "kwok-node-5"
	const period = 2 * time.Second
	cfg, cs := e.cfg, e.cs
	inj := newInjector(t, cfg)
	obj := nodeChaos(node, experiments.NodeFlapAction)
	obj.Spec.Period = &metav1.Duration{Duration: period}
	f := experiments.Fault{Name: "flap", Object: obj}
	inject(t, inj, f)
	for i, want := range []corev1.ConditionStatus{corev1.ConditionFalse, corev1.ConditionTrue, corev1.ConditionFalse, corev1.ConditionTrue} {
		testutil.WaitFor(t, 3*period, "flap phase "+string(want), func(ctx context.Context) (bool, error) {
			return nodeCondition(getNode(ctx, t, cs, node), corev1.NodeReady).Status == want, nil
		})
		t.Logf("phase %d: Ready=%s", i, want)
	}
	recoverFault(t, inj, cfg, f)
	waitNodeHealthy(t, cs, node)
	// Stays Ready: no flap stage is left to act. The wait ends early, with
	// no error, only if the node goes NotReady. It reads the node with the
	// test's context, not the wait's, which expires as the wait ends.
	wentNotReady := func(context.Context) (bool, error) {
		return !cluster.NodeReady(getNode(t.Context(), t, cs, node)), nil
	}
	if err := testutil.Until(t.Context(), testutil.Interval, 2*period, wentNotReady); err == nil {
		t.Fatal("the node went NotReady after Recover")
	}
}
