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
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/toolchain"
)

// A cluster started with Metrics runs the real HorizontalPodAutoscaler on
// simulated CPU: a Deployment whose pods use 90% of their request scales
// up, and once SetPodCPU lowers their usage the autoscaler scales it back.
func TestMetricsDriveHorizontalPodAutoscaler(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an embedded cluster")
	}
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
	defer cancel()
	c, err := e.Up(ctx, cluster.UpOptions{Name: name, Nodes: 2, Metrics: true, Wait: 3 * time.Minute, Progress: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cluster with metrics up in %s", c.Elapsed.Round(100*time.Millisecond))
	cs, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}

	const ns = "default"
	labels := map[string]string{"app": "web"}
	dep := &appsv1.Deployment{
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
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
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
	start := time.Now()
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Create(ctx, hpa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	getHPA := func() *autoscalingv2.HorizontalPodAutoscaler {
		h, err := cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			t.Fatalf("failed to get the autoscaler: %v", err)
		}
		return h
	}
	utilization := func(h *autoscalingv2.HorizontalPodAutoscaler) (int32, bool) {
		for _, m := range h.Status.CurrentMetrics {
			if m.Resource != nil && m.Resource.Name == corev1.ResourceCPU && m.Resource.Current.AverageUtilization != nil {
				return *m.Resource.Current.AverageUtilization, true
			}
		}
		return 0, false
	}
	replicas := func() int32 {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			t.Fatalf("failed to get the deployment: %v", err)
		}
		return *d.Spec.Replicas
	}
	// until polls cond until it holds; on timeout it fails with the autoscaler's state.
	until := func(what string, timeout time.Duration, cond func() bool) time.Duration {
		t.Helper()
		err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
			return cond(), nil
		})
		if err != nil {
			h := getHPA()
			status, _ := json.MarshalIndent(h.Status, "", "  ")
			t.Fatalf("timed out after %s waiting for %s; autoscaler status: %s", timeout, what, status)
		}
		return time.Since(start)
	}

	// The metrics API serves the pods' usage.
	firstMetric := until("the metrics API to serve the pods' CPU", 2*time.Minute, func() bool {
		raw, err := cs.CoreV1().RESTClient().Get().AbsPath("/apis/metrics.k8s.io/v1beta1/namespaces", ns, "pods").DoRaw(ctx)
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
	})
	t.Logf("metrics API serves 90m for both pods %s after the Deployment was created", firstMetric.Round(100*time.Millisecond))

	var seen int32
	firstUtil := until("the autoscaler to report CPU utilization", 2*time.Minute, func() bool {
		var ok bool
		seen, ok = utilization(getHPA())
		return ok
	})
	t.Logf("autoscaler reports %d%% CPU utilization %s after the Deployment was created", seen, firstUtil.Round(100*time.Millisecond))
	if seen < 80 || seen > 100 {
		t.Errorf("autoscaler reports %d%% CPU utilization, want about 90%%", seen)
	}

	scaledUp := until("the autoscaler to scale the Deployment above 2 replicas", 2*time.Minute, func() bool {
		return replicas() > 2
	})
	t.Logf("Deployment scaled up to %d replicas %s after it was created", replicas(), scaledUp.Round(100*time.Millisecond))

	// Lower every pod's usage, including pods the scale-up adds, and the
	// autoscaler recommends fewer replicas and scales back down.
	peak := getHPA().Status.DesiredReplicas
	pods := metav1.ListOptions{LabelSelector: "app=web"}
	lowered := time.Now()
	until("the autoscaler to recommend scaling down", 3*time.Minute, func() bool {
		list, err := cs.CoreV1().Pods(ns).List(ctx, pods)
		if err != nil {
			return false
		}
		for _, p := range list.Items {
			if p.Annotations[cluster.CPUUsageAnnotation] != "10m" {
				if err := cluster.SetPodCPU(ctx, cs, ns, p.Name, 10); err != nil {
					t.Logf("%v", err)
				}
			}
		}
		h := getHPA()
		if d := h.Status.DesiredReplicas; d > peak {
			peak = d
		}
		u, ok := utilization(h)
		return ok && u < 50 && h.Status.DesiredReplicas < peak
	})
	t.Logf("autoscaler recommends %d replicas (from %d) %s after usage was lowered", getHPA().Status.DesiredReplicas, peak, time.Since(lowered).Round(100*time.Millisecond))
	until("the Deployment to scale back to 2 replicas", 2*time.Minute, func() bool {
		return replicas() == 2
	})
	t.Logf("Deployment back at 2 replicas %s after usage was lowered", time.Since(lowered).Round(100*time.Millisecond))
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
