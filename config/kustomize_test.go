package config_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/interlock-dev/interlock/config"
)

// The manifests render with kustomize into the CRDs, the least-privilege
// RBAC, the Deployment and its metrics Service, with its ServiceAccount
// bound to the role.
func TestManifestsRender(t *testing.T) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	rm, err := k.Run(filesys.MakeFsOnDisk(), "default")
	if err != nil {
		t.Fatalf("kustomize build config/default: %v", err)
	}
	got := map[string]bool{}
	for _, r := range rm.Resources() {
		got[r.GetKind()+"/"+r.GetName()] = true
	}
	for _, want := range []string{
		"CustomResourceDefinition/automations.interlock.dev",
		"CustomResourceDefinition/remediationproposals.interlock.dev",
		"CustomResourceDefinition/safetycases.interlock.dev",
		"ClusterRole/interlock-remediator",
		"ClusterRoleBinding/interlock-remediator",
		"ServiceAccount/remediator",
		"Deployment/interlock-remediator",
		"Service/interlock-remediator-metrics",
		"Namespace/interlock-system",
	} {
		if !got[want] {
			t.Errorf("config/default lacks %s; has %v", want, got)
		}
	}
	for _, r := range rm.Resources() {
		if r.GetKind() != "Deployment" {
			continue
		}
		y, err := r.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"--leader-elect", "serviceAccountName: remediator", "readOnlyRootFilesystem: true"} {
			if !strings.Contains(string(y), want) {
				t.Errorf("the Deployment lacks %q", want)
			}
		}
	}
}

// serviceMonitor is the part of the Prometheus Operator's ServiceMonitor
// (monitoring.coreos.com/v1) that config/prometheus sets.
type serviceMonitor struct {
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Metadata   config.Metadata `json:"metadata"`
	Spec       struct {
		Selector          metav1.LabelSelector `json:"selector"`
		NamespaceSelector struct {
			MatchNames []string `json:"matchNames"`
		} `json:"namespaceSelector"`
		Endpoints []struct {
			Port     string `json:"port"`
			Path     string `json:"path"`
			Scheme   string `json:"scheme"`
			Interval string `json:"interval"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// render builds a kustomization under config/ and decodes, strictly, each
// resource of a kind in into: a pointer to a slice of that kind's type.
func render(t *testing.T, dir string, into map[string]any) {
	t.Helper()
	rm, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build config/%s: %v", dir, err)
	}
	for _, r := range rm.Resources() {
		slice, ok := into[r.GetKind()]
		if !ok {
			continue
		}
		y, err := r.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		v := reflect.ValueOf(slice).Elem()
		item := reflect.New(v.Type().Elem())
		if err := yaml.UnmarshalStrict(y, item.Interface()); err != nil {
			t.Fatalf("config/%s: %s %s: %v", dir, r.GetKind(), r.GetName(), err)
		}
		v.Set(reflect.Append(v, item.Elem()))
	}
}

// The ServiceMonitor in config/prometheus selects exactly one Service of
// config/default, in a namespace it looks in; the Service has the port it
// scrapes, and that port reaches the remediator's metrics port.
func TestServiceMonitorSelectsMetricsService(t *testing.T) {
	var (
		monitors    []serviceMonitor
		rules       []config.PrometheusRule
		services    []corev1.Service
		deployments []appsv1.Deployment
	)
	render(t, "prometheus", map[string]any{"ServiceMonitor": &monitors, "PrometheusRule": &rules})
	render(t, "default", map[string]any{"Service": &services, "Deployment": &deployments})
	if len(monitors) != 1 || len(rules) != 1 || len(deployments) != 1 {
		t.Fatalf("config/prometheus renders %d ServiceMonitors and %d PrometheusRules, config/default %d Deployments; want one each",
			len(monitors), len(rules), len(deployments))
	}
	sm := monitors[0]
	if sm.APIVersion != "monitoring.coreos.com/v1" || len(sm.Spec.Endpoints) != 1 {
		t.Fatalf("the ServiceMonitor is %s with %d endpoints, want monitoring.coreos.com/v1 with one", sm.APIVersion, len(sm.Spec.Endpoints))
	}
	selector, err := metav1.LabelSelectorAsSelector(&sm.Spec.Selector)
	if err != nil || selector.Empty() {
		t.Fatalf("the ServiceMonitor's selector %v selects everything or is invalid: %v", sm.Spec.Selector, err)
	}
	var selected []corev1.Service
	for _, s := range services {
		if slices.Contains(sm.Spec.NamespaceSelector.MatchNames, s.Namespace) && selector.Matches(labels.Set(s.Labels)) {
			selected = append(selected, s)
		}
	}
	if len(selected) != 1 {
		t.Fatalf("the ServiceMonitor selects %d Services of config/default, want one", len(selected))
	}
	ep := sm.Spec.Endpoints[0]
	if ep.Path != "/metrics" || ep.Scheme != "http" {
		t.Errorf("the ServiceMonitor scrapes %s://...%s, want http and /metrics, as the remediator serves them", ep.Scheme, ep.Path)
	}
	checkMetricsPort(t, selected[0], ep.Port, deployments[0])
}

// checkMetricsPort checks that the Service's port named port exists and
// leads to the container port the remediator serves /metrics on.
func checkMetricsPort(t *testing.T, svc corev1.Service, port string, d appsv1.Deployment) {
	t.Helper()
	i := slices.IndexFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return p.Name == port })
	if i < 0 {
		t.Fatalf("Service %s has no port named %q, which the ServiceMonitor scrapes", svc.Name, port)
	}
	pod := d.Spec.Template
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(pod.Labels)) || len(svc.Spec.Selector) == 0 {
		t.Errorf("Service %s selects %v, which the remediator's pods (%v) do not match", svc.Name, svc.Spec.Selector, pod.Labels)
	}
	target := svc.Spec.Ports[i].TargetPort
	c := pod.Spec.Containers[0]
	j := slices.IndexFunc(c.Ports, func(p corev1.ContainerPort) bool {
		return p.Name == target.StrVal || p.ContainerPort == target.IntVal
	})
	if j < 0 {
		t.Fatalf("Service %s's port %s targets %s, which the remediator's container does not expose", svc.Name, port, target.String())
	}
	if want := fmt.Sprintf("--metrics-addr=:%d", c.Ports[j].ContainerPort); !slices.Contains(c.Args, want) {
		t.Errorf("the Service reaches container port %d, but the remediator's args %v lack %s", c.Ports[j].ContainerPort, c.Args, want)
	}
}
