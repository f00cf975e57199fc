package cluster_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/testutil"
	"github.com/interlock-dev/interlock/internal/toolchain"
)

// A cluster started with Metrics runs the real HorizontalPodAutoscaler on
// simulated CPU: a Deployment whose pods use 90% of their request scales
// up, and once SetPodCPU lowers their usage the autoscaler scales it back.
func TestMetricsDriveHorizontalPodAutoscaler(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded cluster")
	}
	ctx, cs := startMetricsCluster(t)
	const ns = "default"
	w := &autoscaled{t: t, ctx: ctx, cs: cs, ns: ns, start: time.Now()}
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, webDeployment(ns), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Create(ctx, webAutoscaler(ns), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// The metrics API serves the pods' usage.
	firstMetric := w.until("the metrics API to serve the pods' CPU", 2*time.Minute, w.podsUseAbout90m)
	t.Logf("metrics API serves 90m for both pods %s after the Deployment was created", firstMetric.Round(100*time.Millisecond))

	var seen int32
	firstUtil := w.until("the autoscaler to report CPU utilization", 2*time.Minute, func() bool {
		var ok bool
		seen, ok = utilization(w.hpa())
		return ok
	})
	t.Logf("autoscaler reports %d%% CPU utilization %s after the Deployment was created", seen, firstUtil.Round(100*time.Millisecond))
	if seen < 80 || seen > 100 {
		t.Errorf("autoscaler reports %d%% CPU utilization, want about 90%%", seen)
	}

	scaledUp := w.until("the autoscaler to scale the Deployment above 2 replicas", 2*time.Minute, func() bool {
		return w.replicas() > 2
	})
	t.Logf("Deployment scaled up to %d replicas %s after it was created", w.replicas(), scaledUp.Round(100*time.Millisecond))
	w.scaleDown()
}

// startMetricsCluster starts an embedded cluster with Metrics and two
// nodes, stopped when the test ends, and returns a context for the test
// and a client. It skips the test if the cluster components are not built.
func startMetricsCluster(t *testing.T) (context.Context, kubernetes.Interface) {
	tc, err := toolchain.New(toolchain.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if missing := tc.Missing(); len(missing) > 0 {
		var names []string
		for _, c := range missing {
			names = append(names, c.Name)
		}
		t.Skipf("cluster components not built (%s); run 'interlock tools build'", strings.Join(names, ", "))
	}
	home, err := os.MkdirTemp("", "interlock-metrics-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	e := &cluster.Embedded{Home: home, Tools: tc}

	const name = "metrics-hpa"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if t.Failed() {
			dumpLogs(t, e.Dir(name), "metrics-server", "kwok-controller")
		}
		if err := e.Down(ctx, name); err != nil {
			t.Errorf("failed to stop the cluster: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	t.Cleanup(cancel)
	c, err := e.Up(ctx, cluster.UpOptions{Name: name, Nodes: 2, Metrics: true, Wait: 3 * time.Minute, Progress: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cluster with metrics up in %s", c.Elapsed.Round(100*time.Millisecond))
	cs, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, cs
}

// webDeployment is web in ns: two pods, each requesting 100m of CPU and
// using 90m.
func webDeployment(ns string) *appsv1.Deployment {
	labels := map[string]string{"app": "web"}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels:      labels,
					Annotations: map[string]string{cluster.CPUUsageAnnotation: "90m"},
				},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:      "app",
					Image:     "fake",
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}},
				}}},
			},
		},
	}
}

// webAutoscaler scales web in ns between 2 and 6 replicas to keep CPU
// utilization at 50%, and scales down as soon as usage drops.
func webAutoscaler(ns string) *autoscalingv2.HorizontalPodAutoscaler {
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
			MinReplicas:    ptr.To[int32](2),
			MaxReplicas:    6,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{
					Name:   corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](50)},
				},
			}},
			// Scale down as soon as usage drops, not after the default 5 minutes.
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr.To[int32](0)},
			},
		},
	}
}

// autoscaled follows web and its autoscaler in ns, created at start.
type autoscaled struct {
	t     *testing.T
	ctx   context.Context
	cs    kubernetes.Interface
	ns    string
	start time.Time
}

// hpa returns the autoscaler.
func (w *autoscaled) hpa() *autoscalingv2.HorizontalPodAutoscaler {
	h, err := w.cs.AutoscalingV2().HorizontalPodAutoscalers(w.ns).Get(w.ctx, "web", metav1.GetOptions{})
	if err != nil {
		w.t.Fatalf("failed to get the autoscaler: %v", err)
	}
	return h
}

// replicas returns the Deployment's spec.replicas.
func (w *autoscaled) replicas() int32 {
	d, err := w.cs.AppsV1().Deployments(w.ns).Get(w.ctx, "web", metav1.GetOptions{})
	if err != nil {
		w.t.Fatalf("failed to get the deployment: %v", err)
	}
	return *d.Spec.Replicas
}

// until polls cond until it holds and returns the time since start; on
// timeout it fails with the autoscaler's state.
func (w *autoscaled) until(what string, timeout time.Duration, cond func() bool) time.Duration {
	w.t.Helper()
	err := testutil.Until(w.ctx, 250*time.Millisecond, timeout, func(context.Context) (bool, error) {
		return cond(), nil
	})
	if err != nil {
		h := w.hpa()
		status, _ := json.MarshalIndent(h.Status, "", "  ")
		w.t.Fatalf("timed out after %s waiting for %s; autoscaler status: %s", timeout, what, status)
	}
	return time.Since(w.start)
}

// podsUseAbout90m reports whether the metrics API serves a CPU usage of
// about 90m for at least two containers.
func (w *autoscaled) podsUseAbout90m() bool {
	raw, err := w.cs.CoreV1().RESTClient().Get().AbsPath("/apis/metrics.k8s.io/v1beta1/namespaces", w.ns, "pods").DoRaw(w.ctx)
	if err != nil {
		return false
	}
	var list struct {
		Items []struct {
			Containers []struct {
				Usage corev1.ResourceList `json:"usage"`
			} `json:"containers"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return false
	}
	n := 0
	for _, p := range list.Items {
		for _, c := range p.Containers {
			if cpu, ok := c.Usage[corev1.ResourceCPU]; ok && cpu.MilliValue() >= 80 && cpu.MilliValue() <= 100 {
				n++
			}
		}
	}
	return n >= 2
}

// scaleDown lowers every pod's usage, including pods the scale-up adds, and
// waits until the autoscaler recommends fewer replicas and scales back down.
func (w *autoscaled) scaleDown() {
	peak := w.hpa().Status.DesiredReplicas
	pods := metav1.ListOptions{LabelSelector: "app=web"}
	lowered := time.Now()
	w.until("the autoscaler to recommend scaling down", 3*time.Minute, func() bool {
		list, err := w.cs.CoreV1().Pods(w.ns).List(w.ctx, pods)
		if err != nil {
			return false
		}
		for _, p := range list.Items {
			if p.Annotations[cluster.CPUUsageAnnotation] != "10m" {
				if err := cluster.SetPodCPU(w.ctx, w.cs, w.ns, p.Name, 10); err != nil {
					w.t.Logf("%v", err)
				}
			}
		}
		h := w.hpa()
		if d := h.Status.DesiredReplicas; d > peak {
			peak = d
		}
		u, ok := utilization(h)
		return ok && u < 50 && h.Status.DesiredReplicas < peak
	})
	w.t.Logf("autoscaler recommends %d replicas (from %d) %s after usage was lowered", w.hpa().Status.DesiredReplicas, peak, time.Since(lowered).Round(100*time.Millisecond))
	w.until("the Deployment to scale back to 2 replicas", 2*time.Minute, func() bool {
		return w.replicas() == 2
	})
	w.t.Logf("Deployment back at 2 replicas %s after usage was lowered", time.Since(lowered).Round(100*time.Millisecond))
}

// utilization returns the CPU utilization the autoscaler reports, if any.
func utilization(h *autoscalingv2.HorizontalPodAutoscaler) (int32, bool) {
	for _, m := range h.Status.CurrentMetrics {
		if m.Resource != nil && m.Resource.Name == corev1.ResourceCPU && m.Resource.Current.AverageUtilization != nil {
			return *m.Resource.Current.AverageUtilization, true
		}
	}
	return 0, false
}

// dumpLogs logs the tail of each component's log.
func dumpLogs(t *testing.T, dir string, components ...string) {
	for _, comp := range components {
		data, err := os.ReadFile(filepath.Join(dir, "logs", comp+".log"))
		if err != nil {
			t.Logf("no %s log: %v", comp, err)
			continue
		}
		if len(data) > 4000 {
			data = data[len(data)-4000:]
		}
		t.Logf("%s log (tail):\n%s", comp, data)
	}
}

// testWriter sends progress lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
