package run

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/rest"
	crcache "sigs.k8s.io/controller-runtime/pkg/cache"

	"github.com/interlock-dev/interlock/harness/observe"
)

// sampler keeps the pods, Deployments and nodes of the cluster from its own
// watches, so that a sample costs no request and no copy: it holds pointers
// to the watched objects, which the watch replaces rather than changes, so
// consecutive samples share every object that did not change. Listing ten
// thousand pods twice a second would load the API server the run measures,
// and keeping a copy of each in every sample would take gigabytes.
type sampler struct {
	stop context.CancelFunc
	// lag is the first lag watchFreshness found; nil while the watches
	// keep up.
	lag     atomic.Pointer[error]
	factory informers.SharedInformerFactory
	pods    corelisters.PodLister
	deps    appslisters.DeploymentLister
	nodes   corelisters.NodeLister
	// mu guards the orders, which keep each kind's order from one sample
	// to the next.
	mu        sync.Mutex
	podOrder  order[*corev1.Pod]
	depOrder  order[*appsv1.Deployment]
	nodeOrder order[*corev1.Node]
}

// startSampler starts the watches and waits until each has listed once.
func startSampler(ctx context.Context, cfg *rest.Config) (*sampler, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("failed to create client: %w", err)
	}
	ctx, stop := context.WithCancel(ctx)
	f := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithTransform(crcache.TransformStripManagedFields()))
	s := &sampler{
		stop:    stop,
		factory: f,
		pods:    f.Core().V1().Pods().Lister(),
		deps:    f.Apps().V1().Deployments().Lister(),
		nodes:   f.Core().V1().Nodes().Lister(),
	}
	f.Start(ctx.Done())
	for typ, synced := range f.WaitForCacheSync(ctx.Done()) {
		if !synced {
			s.close()
			return nil, fmt.Errorf("failed to watch %v: %w", typ, context.Cause(ctx))
		}
	}
	go s.watchFreshness(ctx, cs)
	return s, nil
}

// close stops the watches.
func (s *sampler) close() {
	s.stop()
	s.factory.Shutdown()
}

// sample is the cluster as the watches show it at now, each kind in
// namespace/name order.
func (s *sampler) sample(now time.Time) (observe.Sample, error) {
	if err := s.err(); err != nil {
		return observe.Sample{}, err
	}
	pods, err := s.pods.List(labels.Everything())
	if err != nil {
		return observe.Sample{}, fmt.Errorf("failed to list pods: %w", err)
	}
	deps, err := s.deps.List(labels.Everything())
	if err != nil {
		return observe.Sample{}, fmt.Errorf("failed to list deployments: %w", err)
	}
	nodes, err := s.nodes.List(labels.Everything())
	if err != nil {
		return observe.Sample{}, fmt.Errorf("failed to list nodes: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return observe.Sample{At: now, Pods: s.podOrder.sort(pods), Deployments: s.depOrder.sort(deps), Nodes: s.nodeOrder.sort(nodes)}, nil
}

// lagged records that the watches fell behind, if they had not already.
func (s *sampler) lagged(err error) { s.lag.CompareAndSwap(nil, &err) }

// err is the lag of the watches behind the API server, or nil.
func (s *sampler) err() error {
	if e := s.lag.Load(); e != nil {
		return *e
	}
	return nil
}

// cut splits "kind namespace/name" at its space.
func cut(key string) (kind, nsName string, ok bool) { return strings.Cut(key, " ") }

// splitKey splits namespace/name; a cluster object's key is "/name".
func splitKey(nsName string) (ns, name string) {
	ns, name, _ = strings.Cut(nsName, "/")
	return ns, name
}
