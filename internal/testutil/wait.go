package testutil

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/interlock-dev/interlock/internal/kube"
)

// Interval is how often WaitFor and the waits built on it check their
// condition.
const Interval = 200 * time.Millisecond

// Until checks cond at once and then every interval until it holds, it
// returns an error, ctx ends or timeout passes. It returns nil once cond
// holds, and otherwise the error that stopped it (wait's timeout error if
// time ran out). Use it where a test decides itself what a timeout means;
// WaitFor fails the test.
func Until(ctx context.Context, interval, timeout time.Duration, cond func(ctx context.Context) (bool, error)) error {
	return wait.PollUntilContextTimeout(ctx, interval, timeout, true, cond)
}

// WaitFor waits up to timeout for cond to hold, checking it at once and
// then every Interval, and fails t if it does not. The failure names what
// was waited for ("node kwok-node-1 to be Ready"), the error, and what each
// describe function says of the state at that moment, so that a timeout
// explains itself:
//
//	testutil.WaitFor(t, time.Minute, "pods app=web to be Ready", func(ctx context.Context) (bool, error) {
//		...
//	}, testutil.DescribePods(cs, "default", "app=web"))
//
// An error from cond ends the wait at once. The wait ends with t's context.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func(ctx context.Context) (bool, error), describe ...func() string) {
	t.Helper()
	if err := Until(t.Context(), Interval, timeout, cond); err != nil {
		var state []string
		for _, d := range describe {
			state = append(state, d())
		}
		t.Fatalf("timed out after %s waiting for %s: %v\n%s", timeout, what, err, strings.Join(state, "\n"))
	}
}

// PodReady reports whether the pod's Ready condition is True.
func PodReady(p *corev1.Pod) bool { return kube.PodReady(p) }

// NodeReady reports whether the node's Ready condition is True.
func NodeReady(n *corev1.Node) bool { return kube.NodeReady(n) }

// WaitPods waits up to timeout until the pods in ns that match selector
// satisfy ok, and returns them; it fails t with every pod's state if they
// never do. A failed list counts as not yet.
func WaitPods(t testing.TB, cs kubernetes.Interface, ns, selector string, timeout time.Duration, what string, ok func([]corev1.Pod) bool) []corev1.Pod {
	t.Helper()
	var pods []corev1.Pod
	WaitFor(t, timeout, what, func(ctx context.Context) (bool, error) {
		list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return false, nil
		}
		pods = list.Items
		return ok(pods), nil
	}, DescribePods(cs, ns, selector))
	return pods
}

// WaitPodsReady waits up to timeout until exactly want pods in ns match
// selector and every one is Ready, and returns them.
func WaitPodsReady(t testing.TB, cs kubernetes.Interface, ns, selector string, want int, timeout time.Duration) []corev1.Pod {
	t.Helper()
	what := fmt.Sprintf("%d Ready pods %s in %s", want, selector, ns)
	return WaitPods(t, cs, ns, selector, timeout, what, func(pods []corev1.Pod) bool {
		if len(pods) != want {
			return false
		}
		for i := range pods {
			if !PodReady(&pods[i]) {
				return false
			}
		}
		return true
	})
}

// DescribePods describes the pods in ns that match selector (all if it is
// ""), one line a pod and one a container, for a wait that timed out.
func DescribePods(cs kubernetes.Interface, ns, selector string) func() string {
	return func() string {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return fmt.Sprintf("failed to list pods %q in %s: %v", selector, ns, err)
		}
		var b strings.Builder
		for _, p := range list.Items {
			fmt.Fprintf(&b, "pod %s node=%s phase=%s ready=%v deleting=%v labels=%v\n",
				p.Name, p.Spec.NodeName, p.Status.Phase, PodReady(&p), p.DeletionTimestamp != nil, p.Labels)
			for _, c := range p.Status.ContainerStatuses {
				fmt.Fprintf(&b, "  %s ready=%v restarts=%d state=%+v\n", c.Name, c.Ready, c.RestartCount, c.State)
			}
		}
		return b.String()
	}
}

// WaitNode waits up to timeout until the named node satisfies ok, and
// returns it; it fails t with the node's state if it never does. A failed
// get counts as not yet.
func WaitNode(t testing.TB, cs kubernetes.Interface, name string, timeout time.Duration, what string, ok func(*corev1.Node) bool) *corev1.Node {
	t.Helper()
	var node *corev1.Node
	WaitFor(t, timeout, "node "+name+" "+what, func(ctx context.Context) (bool, error) {
		n, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		node = n
		return ok(n), nil
	}, func() string { return describeNode(node) })
	return node
}

// WaitNodeReady waits up to timeout until the named node is Ready.
func WaitNodeReady(t testing.TB, cs kubernetes.Interface, name string, timeout time.Duration) *corev1.Node {
	t.Helper()
	return WaitNode(t, cs, name, timeout, "to be Ready", NodeReady)
}

func describeNode(n *corev1.Node) string {
	if n == nil {
		return "the node was never read"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "node %s unschedulable=%v taints=%v annotations=%v\n", n.Name, n.Spec.Unschedulable, n.Spec.Taints, n.Annotations)
	for _, c := range n.Status.Conditions {
		fmt.Fprintf(&b, "  %s=%s (%s)\n", c.Type, c.Status, c.Reason)
	}
	return b.String()
}

// WaitDeploymentAvailable waits up to timeout until every one of replicas
// of the Deployment ns/name is updated and available, and returns it.
func WaitDeploymentAvailable(t testing.TB, cs kubernetes.Interface, ns, name string, replicas int32, timeout time.Duration) *appsv1.Deployment {
	t.Helper()
	var d *appsv1.Deployment
	what := fmt.Sprintf("deployment %s/%s to have %d available replicas", ns, name, replicas)
	WaitFor(t, timeout, what, func(ctx context.Context) (bool, error) {
		got, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		d = got
		return got.Status.AvailableReplicas == replicas && got.Status.UpdatedReplicas == replicas, nil
	}, func() string {
		if d == nil {
			return "the deployment was never read"
		}
		return fmt.Sprintf("status %+v", d.Status)
	})
	return d
}
