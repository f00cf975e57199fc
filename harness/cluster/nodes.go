package cluster

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	toolswatch "k8s.io/client-go/tools/watch"

	"github.com/interlock-dev/interlock/internal/kube"
)

// Labels and annotations on simulated nodes.
const (
	// KwokNodeAnnotation makes the kwok controller play the node.
	KwokNodeAnnotation = "kwok.x-k8s.io/node"
	// NodeTypeLabel marks nodes interlock created.
	NodeTypeLabel = "type"
	// ZoneLabel spreads nodes over three failure domains.
	ZoneLabel = "topology.kubernetes.io/zone"
)

// Zones are the failure domains simulated nodes are spread over, in turn.
var Zones = []string{"zone-a", "zone-b", "zone-c"}

// NodeName is the name of the i-th simulated node.
func NodeName(i int) string { return fmt.Sprintf("kwok-node-%d", i) }

// NewNode returns the i-th simulated node, shaped like kwokctl's own node
// template (32 CPUs, 256Gi of memory, 110 pods) plus 200Gi of ephemeral
// storage, which the disk-pressure automation ranks pods by.
func NewNode(i int) *corev1.Node {
	name := NodeName(i)
	rl := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("32"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),

		corev1.ResourceEphemeralStorage: resource.MustParse("200Gi"),
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: name,
			Annotations: map[string]string{
				KwokNodeAnnotation:             "fake",
				"node.alpha.kubernetes.io/ttl": "0",
			},
			Labels: map[string]string{
				"kubernetes.io/arch":     "amd64",
				"kubernetes.io/os":       "linux",
				"kubernetes.io/hostname": name,
				"kubernetes.io/role":     "agent",
				NodeTypeLabel:            "kwok",
				ZoneLabel:                Zones[i%len(Zones)],
			},
		},
		Status: corev1.NodeStatus{
			Allocatable: rl,
			Capacity:    rl,
			NodeInfo: corev1.NodeSystemInfo{
				Architecture:    "amd64",
				OperatingSystem: "linux",
				KubeletVersion:  "kwok",
			},
			Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: fmt.Sprintf("10.96.%d.%d", i/250, i%250+1)}},
		},
	}
}

// createWorkers is how many nodes CreateNodes creates at once.
const createWorkers = 32

// CreateNodes creates simulated nodes first..first+count-1, several at a
// time and without client-side throttling, so that a thousand nodes take
// seconds rather than minutes. Nodes that already exist are left as they are.
func CreateNodes(ctx context.Context, cfg *rest.Config, first, count int) error {
	cs, err := kubernetes.NewForConfig(Unthrottled(cfg))
	if err != nil {
		return fmt.Errorf("failed to create client: %w", err)
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(createWorkers)
	for i := first; i < first+count; i++ {
		g.Go(func() error { return createNode(ctx, cs, NewNode(i)) })
	}
	return g.Wait()
}

// createNode creates n, then sets its status, which create ignores.
func createNode(ctx context.Context, cs kubernetes.Interface, n *corev1.Node) error {
	created, err := cs.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("failed to create node %s: %w", n.Name, err)
	}
	created.Status = n.Status
	if _, err := cs.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil && !apierrors.IsConflict(err) {
		return fmt.Errorf("failed to set status of node %s: %w", n.Name, err)
	}
	return nil
}

// Unthrottled returns a copy of cfg without client-side rate limiting, for
// the harness's bulk work: creating a fixture and sampling it.
func Unthrottled(cfg *rest.Config) *rest.Config {
	c := rest.CopyConfig(cfg)
	c.QPS = -1
	c.RateLimiter = nil
	return c
}

// WaitNodesReady waits until at least want nodes made by interlock are Ready.
func WaitNodesReady(ctx context.Context, cfg *rest.Config, want int) error {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("failed to create client: %w", err)
	}
	sel := labels.SelectorFromSet(labels.Set{NodeTypeLabel: "kwok"}).String()
	ready := map[string]bool{}
	lw := cache.NewFilteredListWatchFromClient(cs.CoreV1().RESTClient(), "nodes", metav1.NamespaceAll,
		func(o *metav1.ListOptions) { o.LabelSelector = sel })
	_, err = toolswatch.UntilWithSync(ctx, lw, &corev1.Node{}, nil, func(ev watch.Event) (bool, error) {
		n, ok := ev.Object.(*corev1.Node)
		if !ok {
			return false, nil
		}
		if ev.Type == watch.Deleted {
			delete(ready, n.Name)
		} else {
			ready[n.Name] = NodeReady(n)
		}
		count := 0
		for _, r := range ready {
			if r {
				count++
			}
		}
		return count >= want, nil
	})
	if err != nil {
		count := 0
		for _, r := range ready {
			if r {
				count++
			}
		}
		return fmt.Errorf("failed waiting for %d Ready node(s), %d ready: %w", want, count, err)
	}
	return nil
}

// NodeReady reports whether the node's Ready condition is True.
func NodeReady(n *corev1.Node) bool { return kube.NodeReady(n) }
