package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/builtin"
	"github.com/interlock-dev/interlock/internal/testutil"
	"github.com/interlock-dev/interlock/remediator"
	"github.com/interlock-dev/interlock/scenarios"
)

func (f *fixture) injector(t *testing.T) *builtin.Injector {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", shared.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	inj, err := builtin.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return inj
}

// inject injects the fault, recovered at the feature's teardown.
func (f *fixture) inject(t *testing.T, inj *builtin.Injector, fault experiments.Fault) {
	t.Helper()
	if _, err := inj.Inject(context.Background(), fault); err != nil {
		t.Fatal(err)
	}
	f.push(func() { _ = inj.Recover(context.Background(), fault) })
}

func (f *fixture) node(t *testing.T, name string) *corev1.Node {
	t.Helper()
	var n corev1.Node
	if err := f.admin.Get(context.Background(), client.ObjectKey{Name: name}, &n); err != nil {
		t.Fatal(err)
	}
	return &n
}

func nodeChaos(name string, action experiments.NodeChaosAction, node string, cond *experiments.NodeConditionSpec) experiments.Fault {
	return experiments.Fault{Name: name, Object: &experiments.NodeChaos{
		TypeMeta: metav1.TypeMeta{APIVersion: experiments.GroupVersion.String(), Kind: experiments.NodeChaosKind},
		Spec: experiments.NodeChaosSpec{Action: action, Mode: chaosv1alpha1.AllMode,
			Selector: experiments.NodeSelectorSpec{Nodes: []string{node}}, Condition: cond},
	}}
}

// cordonedBy is a node cordoned by the automation.
func cordonedBy(automation string) func(*corev1.Node) bool {
	return func(n *corev1.Node) bool {
		return n.Spec.Unschedulable && n.Annotations[remediator.CordonedByAnnotation] == automation
	}
}

// waitEvicted waits until the remediator has evicted more than before pods,
// and says so if it never does, with what each describe function says.
func (f *fixture) waitEvicted(t *testing.T, before int, what string, describe ...func() string) {
	t.Helper()
	if err := testutil.Until(context.Background(), testutil.Interval, 30*time.Second, func(context.Context) (bool, error) {
		return len(f.remediatorWrites(t, "pods/eviction", "create")) > before, nil
	}); err != nil {
		msg := fmt.Sprintf("no pod was evicted from %s: %v", what, err)
		for _, d := range describe {
			msg += "\n" + d()
		}
		t.Error(msg)
	}
}

// nodeLoss: a NotReady node is cordoned and its pods evicted; the Ready
// nodes are never touched; the node is uncordoned once it is back (the
// stated reversal).
func nodeLoss() features.Feature {
	f := &fixture{}
	var inj *builtin.Injector
	fault := nodeChaos("lose-node-1", experiments.NodeNotReadyAction, "kwok-node-1", nil)
	return features.New("node loss acts only on its trigger").WithLabel("tier", scenarios.TierPR).
		Setup(func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			f.init(t)
			const ns = "nodeloss"
			f.namespace(t, ns)
			f.deployment(t, ns, "spread", 6, nil)
			f.automation(t, "node-loss-test", v1alpha1.NodeLoss, "unsupervised", nil, shipped(t, "node-loss", nil))
			inj = f.injector(t)
			f.startRemediator(t, "http://127.0.0.1:1/")
			f.inject(t, inj, fault)
			return ctx
		}).
		Assess("the lost node is cordoned and its pods evicted", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			testutil.WaitNode(t, f.cs, "kwok-node-1", 90*time.Second, "to be cordoned", cordonedBy("node-loss-test"))
			f.waitEvicted(t, 0, "the lost node")
			return ctx
		}).
		Assess("the Ready nodes are never touched", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			for _, n := range []string{"kwok-node-0", "kwok-node-2"} {
				if f.node(t, n).Spec.Unschedulable {
					t.Errorf("healthy node %s was cordoned", n)
				}
			}
			for _, w := range f.remediatorWrites(t, "nodes", "patch") {
				if w != "kwok-node-1" {
					t.Errorf("the remediator wrote to node %s, which never lost its readiness", w)
				}
			}
			return ctx
		}).
		Assess("the node is uncordoned once it is back", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			if err := inj.Recover(ctx, fault); err != nil {
				t.Fatal(err)
			}
			testutil.WaitNode(t, f.cs, "kwok-node-1", 90*time.Second, "to be uncordoned after recovering", func(n *corev1.Node) bool {
				return !n.Spec.Unschedulable && n.Annotations[remediator.CordonedByAnnotation] == ""
			})
			return ctx
		}).
		Teardown(f.teardown).
		Feature()
}

// pinnedDeployment is a Deployment of 3 pods pinned to node, each the
// heaviest user of ephemeral storage there: the ones to evict.
func pinnedDeployment(ns, node string) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "pinned", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](3),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "pinned"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "pinned"}},
				Spec: corev1.PodSpec{
					NodeSelector: map[string]string{"kubernetes.io/hostname": node},
					Containers: []corev1.Container{{Name: "app", Image: "pinned:1", Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceEphemeralStorage: resource.MustParse("1Gi")},
					}}},
				},
			},
		},
	}
}

// diskPressure: a node under DiskPressure is cordoned and some of its pods
// evicted; no other node is touched.
func diskPressure() features.Feature {
	f := &fixture{}
	const ns = "diskpressure"
	var (
		before int
		p      *proc
	)
	return features.New("disk pressure acts only on its trigger").WithLabel("tier", scenarios.TierPR).
		Setup(func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			f.init(t)
			f.namespace(t, ns)
			// Pods pinned to the node that will fill up, so there is something to evict.
			pinned := pinnedDeployment(ns, "kwok-node-2")
			if err := f.admin.Create(ctx, pinned); err != nil {
				t.Fatal(err)
			}
			f.waitAvailable(t, pinned, 3)
			f.automation(t, "disk-pressure-test", v1alpha1.DiskPressure, "unsupervised", nil, shipped(t, "disk-pressure", nil))
			inj := f.injector(t)
			p = f.startRemediator(t, "http://127.0.0.1:1/")
			before = len(f.remediatorWrites(t, "pods/eviction", "create"))
			f.inject(t, inj, nodeChaos("fill-node-2", experiments.NodeConditionAction, "kwok-node-2",
				&experiments.NodeConditionSpec{Type: corev1.NodeDiskPressure, Status: corev1.ConditionTrue, Reason: "KubeletHasDiskPressure"}))
			return ctx
		}).
		Assess("the node under pressure is cordoned and its pods evicted", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			testutil.WaitNode(t, f.cs, "kwok-node-2", 90*time.Second, "to be cordoned", cordonedBy("disk-pressure-test"))
			f.waitEvicted(t, before, "the node under disk pressure", func() string { return tail(p.out.String()) })
			return ctx
		}).
		Assess("no other node or pod is touched", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			for _, e := range f.remediatorWrites(t, "pods/eviction", "create")[before:] {
				if !strings.HasPrefix(e, ns+"/pinned-") {
					t.Errorf("evicted %s, which is not on the node under disk pressure", e)
				}
			}
			for _, n := range []string{"kwok-node-0", "kwok-node-1"} {
				if f.node(t, n).Spec.Unschedulable {
					t.Errorf("node %s without disk pressure was cordoned", n)
				}
			}
			return ctx
		}).
		Teardown(f.teardown).
		Feature()
}

// badDeploy: a new revision that never becomes available is rolled back to
// the previous one once its health gate fails; a healthy Deployment beside
// it is left alone.
func badDeploy() features.Feature {
	f := &fixture{}
	const ns = "baddeploy"
	var d *appsv1.Deployment
	return features.New("a bad deploy is rolled back").WithLabel("tier", scenarios.TierPR).
		Setup(func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			f.init(t)
			f.namespace(t, ns)
			d = f.deployment(t, ns, "shop", 3, map[string]string{"version": "v1"})
			f.deployment(t, ns, "bystander", 2, nil)
			f.automation(t, "bad-deploy-test", v1alpha1.BadDeploy, "unsupervised", []string{ns}, shipped(t, "bad-deploy", func(s *v1alpha1.SafetyCaseSpec) {
				s.HealthGate.ProgressDeadline = metav1.Duration{Duration: 5 * time.Second}
			}))
			f.crashLoop(ns, "app=shop,version=v2")
			f.startRemediator(t, "http://127.0.0.1:1/")
			return ctx
		}).
		Assess("a v2 that crashes is rolled back to v1", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			f.rollOutCrashingV2(t, d)
			testutil.WaitFor(t, 90*time.Second, "shop to be rolled back to v1", func(ctx context.Context) (bool, error) {
				var got appsv1.Deployment
				if err := f.admin.Get(ctx, client.ObjectKeyFromObject(d), &got); err != nil {
					return false, nil
				}
				return got.Spec.Template.Labels["version"] == "v1" && got.Spec.Template.Spec.Containers[0].Image == "shop:1", nil
			})
			f.waitAvailable(t, d, 3)
			return ctx
		}).
		Assess("the remediator rolled back shop once, and nothing else", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			writes := f.remediatorWrites(t, "deployments", "patch")
			if len(writes) != 1 || writes[0] != ns+"/shop" {
				t.Errorf("remediator deployment writes = %v, want exactly one rollback of %s/shop", writes, ns)
			}
			if !strings.HasPrefix(f.identity.Username, "system:serviceaccount:") {
				t.Errorf("identity %q", f.identity.Username)
			}
			return ctx
		}).
		Teardown(f.teardown).
		Feature()
}

// rollOutCrashingV2 rolls the Deployment out to v2, whose pods crash.
func (f *fixture) rollOutCrashingV2(t *testing.T, d *appsv1.Deployment) {
	t.Helper()
	ctx := context.Background()
	if err := f.admin.Get(ctx, client.ObjectKeyFromObject(d), d); err != nil {
		t.Fatal(err)
	}
	d.Spec.Template.Labels["version"] = "v2"
	d.Spec.Template.Spec.Containers[0].Image = "shop:2"
	if err := f.admin.Update(ctx, d); err != nil {
		t.Fatal(err)
	}
}
