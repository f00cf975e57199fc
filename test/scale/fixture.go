package scale

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/scenarios"
)

// Fixture figures.
const (
	// Namespace holds the fixture's workloads and is the automation's scope.
	Namespace = "bench"
	// Replicas is each workload's size: a fixture of n pods has n/Replicas
	// Deployments.
	Replicas = 10
	// createWorkers is how many Deployments are created at once.
	createWorkers = 32
)

// Size is a cluster's size: its simulated nodes and the pods on them.
type Size struct {
	Nodes int `json:"nodes"`
	Pods  int `json:"pods"`
}

// String names the size as the report does: "1000n/10000p".
func (s Size) String() string { return fmt.Sprintf("%dn/%dp", s.Nodes, s.Pods) }

// ParseSize reads a size written NODESxPODS, such as 1000x10000.
func ParseSize(s string) (Size, error) {
	n, p, ok := strings.Cut(strings.TrimSpace(s), "x")
	nodes, nerr := strconv.Atoi(n)
	pods, perr := strconv.Atoi(p)
	if !ok || nerr != nil || perr != nil || nodes < 1 || pods < Replicas {
		return Size{}, fmt.Errorf("invalid size %q: want NODESxPODS, at least 1 node and %d pods, such as 1000x10000", s, Replicas)
	}
	return Size{Nodes: nodes, Pods: pods}, nil
}

// Workloads is how many Deployments the fixture has.
func (s Size) Workloads() int { return max(1, s.Pods/Replicas) }

// WorkloadName names the i-th workload; its pods carry app=NAME.
func WorkloadName(i int) string { return fmt.Sprintf("w-%05d", i) }

// deployment is the i-th workload: Replicas pods of the scenarios' app,
// probed for readiness, as scenarios.Render renders a workload.
func deployment(i int) *appsv1.Deployment {
	name := WorkloadName(i)
	labels := map[string]string{scenarios.AppLabel: name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: Namespace, Name: name, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](Replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{
						Name:  scenarios.AppContainer,
						Image: scenarios.AppImage,
						Args:  []string{"netexec", fmt.Sprintf("--http-port=%d", scenarios.AppPort)},
						Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: scenarios.AppPort, Protocol: corev1.ProtocolTCP}},
						ReadinessProbe: &corev1.Probe{
							ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
								Path: "/healthz", Port: intstr.FromInt32(scenarios.AppPort), Scheme: corev1.URISchemeHTTP,
							}},
							PeriodSeconds:    5,
							FailureThreshold: 1,
						},
					}},
				},
			},
		},
	}
}

// CreateFixture creates the namespace and size.Workloads() Deployments,
// several at a time and without client-side throttling.
func CreateFixture(ctx context.Context, cfg *rest.Config, size Size) error {
	cs, err := kubernetes.NewForConfig(cluster.Unthrottled(cfg))
	if err != nil {
		return fmt.Errorf("failed to create client: %w", err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: Namespace}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("failed to create namespace %s: %w", Namespace, err)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(createWorkers)
	for i := range size.Workloads() {
		g.Go(func() error {
			_, err := cs.AppsV1().Deployments(Namespace).Create(gctx, deployment(i), metav1.CreateOptions{})
			if err != nil && !apierrors.IsAlreadyExists(err) {
				return fmt.Errorf("failed to create deployment %s: %w", WorkloadName(i), err)
			}
			return nil
		})
	}
	return g.Wait()
}

// WaitPodsReady waits until want pods of the fixture are Ready, as the
// watch sees them, saying how many every 15 s on progress.
func WaitPodsReady(ctx context.Context, w *Watch, want int, progress io.Writer) error {
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	start := time.Now()
	for {
		ready, changed := w.Ready()
		if ready >= want {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("failed waiting for %d Ready pods, %d ready: %w", want, ready, ctx.Err())
		case <-tick.C:
			fmt.Fprintf(progress, "  %d of %d pods Ready after %s\n", ready, want, time.Since(start).Round(time.Second))
		case <-changed:
		}
	}
}
