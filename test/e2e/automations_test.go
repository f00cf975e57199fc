package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/builtin"
	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/remediator"
	"github.com/interlock-dev/interlock/safetycases"
)

// shipped returns a shipped safety case with a short hold, for tests.
func shipped(t *testing.T, name string, edit func(*v1alpha1.SafetyCaseSpec)) *v1alpha1.SafetyCaseSpec {
	t.Helper()
	sc, err := safetycases.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	spec := sc.Spec.DeepCopy()
	spec.Trigger.For = metav1.Duration{Duration: 2 * time.Second}
	if edit != nil {
		edit(spec)
	}
	return spec
}

// remediatorWrites returns the remediator's accepted writes to resource
// (with subresource after a slash), from the audit log, as namespace/name.
func (f *fixture) remediatorWrites(resource, verb string) []string {
	f.t.Helper()
	entries, err := auditEntries(f.identity.Username)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, e := range ledger.Accepted(entries) {
		res := e.Resource
		if e.Subresource != "" {
			res += "/" + e.Subresource
		}
		if res == resource && e.Verb == verb {
			out = append(out, key(e.Namespace, e.Name))
		}
	}
	return out
}

func key(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

func (f *fixture) injector() *builtin.Injector {
	cfg, err := clientcmd.BuildConfigFromFlags("", shared.Kubeconfig)
	if err != nil {
		f.t.Fatal(err)
	}
	inj, err := builtin.New(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return inj
}

func (f *fixture) inject(inj *builtin.Injector, fault experiments.Fault) {
	f.t.Helper()
	if _, err := inj.Inject(context.Background(), fault); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { _ = inj.Recover(context.Background(), fault) })
}

func (f *fixture) node(name string) *corev1.Node {
	var n corev1.Node
	if err := f.admin.Get(context.Background(), client.ObjectKey{Name: name}, &n); err != nil {
		f.t.Fatal(err)
	}
	return &n
}

func (f *fixture) waitNode(name string, what string, cond func(*corev1.Node) bool) {
	f.t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, 90*time.Second, true, func(ctx context.Context) (bool, error) {
		return cond(f.node(name)), nil
	})
	if err != nil {
		f.t.Fatalf("node %s never %s: %v", name, what, err)
	}
}

func nodeChaos(name string, action experiments.NodeChaosAction, node string, cond *experiments.NodeConditionSpec) experiments.Fault {
	return experiments.Fault{Name: name, Object: &experiments.NodeChaos{
		TypeMeta: metav1.TypeMeta{APIVersion: experiments.GroupVersion.String(), Kind: experiments.NodeChaosKind},
		Spec: experiments.NodeChaosSpec{Action: action, Mode: chaosv1alpha1.AllMode,
			Selector: experiments.NodeSelectorSpec{Nodes: []string{node}}, Condition: cond},
	}}
}

// TestNodeLossActsOnlyOnItsTrigger: a NotReady node is cordoned and its pods
// evicted; the Ready nodes are never touched; the node is uncordoned once
// it is back (the stated reversal).
func TestNodeLossActsOnlyOnItsTrigger(t *testing.T) {
	f := newFixture(t)
	const ns = "nodeloss"
	f.namespace(ns)
	f.deployment(ns, "spread", 6, nil)
	f.automation("node-loss-test", v1alpha1.NodeLoss, "unsupervised", nil, shipped(t, "node-loss", nil))
	inj := f.injector()
	f.startRemediator("http://127.0.0.1:1/")
	fault := nodeChaos("lose-node-1", experiments.NodeNotReadyAction, "kwok-node-1", nil)
	f.inject(inj, fault)

	f.waitNode("kwok-node-1", "was cordoned", func(n *corev1.Node) bool {
		return n.Spec.Unschedulable && n.Annotations[remediator.CordonedByAnnotation] == "node-loss-test"
	})
	if err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		return len(f.remediatorWrites("pods/eviction", "create")) > 0, nil
	}); err != nil {
		t.Errorf("no pod was evicted from the lost node: %v", err)
	}
	for _, n := range []string{"kwok-node-0", "kwok-node-2"} {
		if f.node(n).Spec.Unschedulable {
			t.Errorf("healthy node %s was cordoned", n)
		}
	}
	for _, w := range f.remediatorWrites("nodes", "patch") {
		if w != "kwok-node-1" {
			t.Errorf("the remediator wrote to node %s, which never lost its readiness", w)
		}
	}
	if err := inj.Recover(context.Background(), fault); err != nil {
		t.Fatal(err)
	}
	f.waitNode("kwok-node-1", "was uncordoned after recovering", func(n *corev1.Node) bool {
		return !n.Spec.Unschedulable && n.Annotations[remediator.CordonedByAnnotation] == ""
	})
}

// TestDiskPressureActsOnlyOnItsTrigger: a node under DiskPressure is
// cordoned and some of its pods evicted; no other node is touched.
func TestDiskPressureActsOnlyOnItsTrigger(t *testing.T) {
	f := newFixture(t)
	const ns = "diskpressure"
	f.namespace(ns)
	// Pods pinned to the node that will fill up, so there is something to evict.
	pinned := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "pinned", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](3),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "pinned"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "pinned"}},
				Spec: corev1.PodSpec{
					NodeSelector: map[string]string{"kubernetes.io/hostname": "kwok-node-2"},
					// The heaviest users of ephemeral storage on the node: the ones to evict.
					Containers: []corev1.Container{{Name: "app", Image: "pinned:1", Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceEphemeralStorage: resource.MustParse("1Gi")},
					}}},
				},
			},
		},
	}
	if err := f.admin.Create(context.Background(), pinned); err != nil {
		t.Fatal(err)
	}
	f.waitAvailable(pinned, 3)
	f.automation("disk-pressure-test", v1alpha1.DiskPressure, "unsupervised", nil, shipped(t, "disk-pressure", nil))
	inj := f.injector()
	p := f.startRemediator("http://127.0.0.1:1/")
	before := len(f.remediatorWrites("pods/eviction", "create"))
	f.inject(inj, nodeChaos("fill-node-2", experiments.NodeConditionAction, "kwok-node-2",
		&experiments.NodeConditionSpec{Type: corev1.NodeDiskPressure, Status: corev1.ConditionTrue, Reason: "KubeletHasDiskPressure"}))

	f.waitNode("kwok-node-2", "was cordoned", func(n *corev1.Node) bool {
		return n.Spec.Unschedulable && n.Annotations[remediator.CordonedByAnnotation] == "disk-pressure-test"
	})
	if err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		return len(f.remediatorWrites("pods/eviction", "create")) > before, nil
	}); err != nil {
		t.Errorf("no pod was evicted from the node under disk pressure: %v\n%s", err, tail(p.out.String()))
	}
	for _, e := range f.remediatorWrites("pods/eviction", "create")[before:] {
		if !strings.HasPrefix(e, ns+"/pinned-") {
			t.Errorf("evicted %s, which is not on the node under disk pressure", e)
		}
	}
	for _, n := range []string{"kwok-node-0", "kwok-node-1"} {
		if f.node(n).Spec.Unschedulable {
			t.Errorf("node %s without disk pressure was cordoned", n)
		}
	}
}

// TestBadDeployRollsBack: a new revision that never becomes available is
// rolled back to the previous one once its health gate fails; a healthy
// Deployment beside it is left alone.
func TestBadDeployRollsBack(t *testing.T) {
	f := newFixture(t)
	const ns = "baddeploy"
	f.namespace(ns)
	ctx := context.Background()
	d := f.deployment(ns, "shop", 3, map[string]string{"version": "v1"})
	f.deployment(ns, "bystander", 2, nil)
	f.automation("bad-deploy-test", v1alpha1.BadDeploy, "unsupervised", []string{ns}, shipped(t, "bad-deploy", func(s *v1alpha1.SafetyCaseSpec) {
		s.HealthGate.ProgressDeadline = metav1.Duration{Duration: 5 * time.Second}
	}))
	f.crashLoop(ns, "app=shop,version=v2")
	f.startRemediator("http://127.0.0.1:1/")

	// Roll out v2, which crashes.
	if err := f.admin.Get(ctx, client.ObjectKeyFromObject(d), d); err != nil {
		t.Fatal(err)
	}
	d.Spec.Template.Labels["version"] = "v2"
	d.Spec.Template.Spec.Containers[0].Image = "shop:2"
	if err := f.admin.Update(ctx, d); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 90*time.Second, true, func(ctx context.Context) (bool, error) {
		var got appsv1.Deployment
		if err := f.admin.Get(ctx, client.ObjectKeyFromObject(d), &got); err != nil {
			return false, nil
		}
		return got.Spec.Template.Labels["version"] == "v1" && got.Spec.Template.Spec.Containers[0].Image == "shop:1", nil
	})
	if err != nil {
		t.Fatalf("shop was not rolled back to v1: %v", err)
	}
	f.waitAvailable(d, 3)
	writes := f.remediatorWrites("deployments", "patch")
	if len(writes) != 1 || writes[0] != ns+"/shop" {
		t.Errorf("remediator deployment writes = %v, want exactly one rollback of %s/shop", writes, ns)
	}
	if !strings.HasPrefix(f.identity.Username, "system:serviceaccount:") {
		t.Errorf("identity %q", f.identity.Username)
	}
}
