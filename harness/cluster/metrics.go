package cluster

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	toolswatch "k8s.io/client-go/tools/watch"
	"sigs.k8s.io/yaml"
)

// CPUUsageAnnotation holds the CPU a simulated pod uses, as a quantity per
// container ("90m"), on clusters started with metrics. kwok reads it on every
// metrics-server scrape; a pod without it uses 1m.
const CPUUsageAnnotation = "kwok.x-k8s.io/usage-cpu"

// MetricsAPIService is the APIService under which metrics-server serves the
// resource metrics API.
const MetricsAPIService = "v1beta1.metrics.k8s.io"

// The objects behind UpOptions.Metrics; each file names the upstream source it follows.
var (
	//go:embed metrics-server.yaml
	metricsServerManifest []byte
	//go:embed kwokctl-metrics-config.yaml
	kwokctlMetricsConfig []byte
	//go:embed metrics-resource.yaml
	metricsResource []byte
	//go:embed metrics-usage.yaml
	metricsUsage []byte
	//go:embed metrics-node-stage.yaml
	metricsNodeStage []byte
)

var (
	metricGVR               = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "metrics"}
	clusterResourceUsageGVR = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "clusterresourceusages"}
	apiServiceGVR           = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}
)

// metricsArgs writes the files kwokctl needs to run metrics-server and
// returns the arguments that make `kwokctl create cluster` run it.
func (e *Embedded) metricsArgs(metricsServer string) ([]string, error) {
	// kwokctl reads a local manifest as a kustomize directory and caches it
	// by path, so the directory is named after its content.
	sum := sha256.Sum256(metricsServerManifest)
	dir := "metrics-server-" + hex.EncodeToString(sum[:6])
	if _, err := e.writeFile(filepath.Join(dir, "metrics-server.yaml"), metricsServerManifest); err != nil {
		return nil, err
	}
	kustomization := []byte("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- metrics-server.yaml\n")
	if _, err := e.writeFile(filepath.Join(dir, "kustomization.yaml"), kustomization); err != nil {
		return nil, err
	}
	quoted, err := json.Marshal(filepath.Join(e.workdir(), dir))
	if err != nil {
		return nil, fmt.Errorf("failed to quote the metrics-server manifest path: %w", err)
	}
	config, err := e.writeFile("kwokctl-metrics-config.yaml", bytes.ReplaceAll(kwokctlMetricsConfig, []byte("METRICS_SERVER_MANIFESTS"), quoted))
	if err != nil {
		return nil, err
	}
	return []string{
		"--enable", "metrics-server",
		"--metrics-server-binary", metricsServer,
		"--config", config,
		// Adds to the Stage CRD enabled for every cluster.
		"--enable-crds=Metric,ClusterResourceUsage,ResourceUsage",
	}, nil
}

// ApplyMetrics has kwok simulate resource usage: the kubelet's resource
// metrics endpoint for every node, each pod's CPU and memory from its
// annotations (CPUUsageAnnotation), and the node annotation that tells
// metrics-server where to scrape.
func ApplyMetrics(ctx context.Context, cfg *rest.Config) error {
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("failed to create client: %w", err)
	}
	for _, o := range []struct {
		gvr schema.GroupVersionResource
		raw []byte
	}{
		{metricGVR, metricsResource},
		{clusterResourceUsageGVR, metricsUsage},
		{StageGVR, metricsNodeStage},
	} {
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(o.raw, &obj.Object); err != nil {
			return fmt.Errorf("failed to decode %s: %w", o.gvr.Resource, err)
		}
		if _, err := dc.Resource(o.gvr).Create(ctx, obj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("failed to create %s %s: %w", o.gvr.Resource, obj.GetName(), err)
		}
	}
	return nil
}

// WaitMetricsAvailable waits until the API server reaches metrics-server,
// that is until the resource metrics APIService is Available.
func WaitMetricsAvailable(ctx context.Context, cfg *rest.Config) error {
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("failed to create client: %w", err)
	}
	sel := fields.OneTermEqualSelector("metadata.name", MetricsAPIService).String()
	lw := &cache.ListWatch{
		ListFunc: func(o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = sel
			return dc.Resource(apiServiceGVR).List(ctx, o)
		},
		WatchFunc: func(o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = sel
			return dc.Resource(apiServiceGVR).Watch(ctx, o)
		},
	}
	last := "not created yet"
	_, err = toolswatch.UntilWithSync(ctx, lw, &unstructured.Unstructured{}, nil, func(ev watch.Event) (bool, error) {
		u, ok := ev.Object.(*unstructured.Unstructured)
		if !ok {
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] != "Available" {
				continue
			}
			last = fmt.Sprintf("%v: %v", m["reason"], m["message"])
			if m["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("failed waiting for the metrics API (%s) to be available, last %s: %w", MetricsAPIService, last, err)
	}
	return nil
}

// SetPodCPU sets the CPU a simulated pod uses to milli millicores per
// container, on a cluster started with metrics. It shows in the metrics API
// (and so to HorizontalPodAutoscalers) from metrics-server's next scrape,
// within 10s: kwok evaluates the annotation on each scrape and accounts the
// whole interval since the previous one at the new rate.
func SetPodCPU(ctx context.Context, cs kubernetes.Interface, namespace, name string, milli int64) error {
	if milli < 0 {
		return fmt.Errorf("invalid CPU usage %dm for pod %s/%s: must not be negative", milli, namespace, name)
	}
	patch, err := json.Marshal(map[string]any{
		"metadata": map[string]any{
			"annotations": map[string]string{CPUUsageAnnotation: strconv.FormatInt(milli, 10) + "m"},
		},
	})
	if err != nil {
		return fmt.Errorf("failed to encode the CPU usage patch: %w", err)
	}
	if _, err := cs.CoreV1().Pods(namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("failed to set CPU usage of pod %s/%s: %w", namespace, name, err)
	}
	return nil
}
