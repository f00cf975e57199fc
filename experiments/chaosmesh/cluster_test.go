package chaosmesh_test

import (
	"slices"
	"strings"
	"testing"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/chaosmesh"
	"github.com/interlock-dev/interlock/scenarios"
)

// strict makes the API server refuse unknown fields rather than drop them.
var strict = client.FieldValidation(metav1.FieldValidationStrict)

// TestDryRun creates every object Render returns for the shipped scenarios
// and the fixtures, one of each kind, as a server-side dry run against
// the embedded cluster serving the generated CRDs: the API server accepts
// each under Chaos Mesh's schema, with unknown fields refused, and
// persists none.
func TestDryRun(t *testing.T) {
	_, c := testCluster(t)
	objs := map[string]*unstructured.Unstructured{}
	for _, name := range scenarios.Names() {
		s, err := scenarios.Load(name)
		if err != nil {
			t.Errorf("failed to load scenario %s: %v", name, err)
			continue
		}
		rendered, _ := scenarioObjects(t, s)
		for _, u := range rendered {
			objs["scenario "+name+"/"+u.GetName()] = u
		}
	}
	for name, f := range validFaults() {
		u, err := chaosmesh.Render(f, "")
		if err != nil {
			t.Fatalf("fixture %s: %v", name, err)
		}
		objs["fixture "+name] = u
	}
	kinds := map[string]bool{}
	for name, u := range objs {
		kinds[u.GetKind()] = true
		t.Run(name, func(t *testing.T) {
			ensureNamespace(t, c, u.GetNamespace())
			if err := c.Create(t.Context(), u.DeepCopy(), client.DryRunAll, strict); err != nil {
				t.Errorf("the API server refused %s %s/%s: %v", u.GetKind(), u.GetNamespace(), u.GetName(), err)
			}
		})
	}
	for _, kind := range chaosmesh.Kinds {
		if !kinds[kind] {
			t.Errorf("no %s was checked", kind)
		}
	}
	if left := managed(t, c); len(left) > 0 {
		t.Errorf("a dry run left objects: %v", left)
	}
}

// TestDryRunRejects proves the schema is enforced: the API server refuses
// broken chaos objects in a server-side dry run.
func TestDryRunRejects(t *testing.T) {
	_, c := testCluster(t)
	tests := map[string]struct {
		fault  experiments.Fault
		mutate func(spec map[string]any)
		// want is in the error.
		want string
	}{
		"an action outside the enum": {
			fault:  validFaults()["pod-failure"],
			mutate: func(spec map[string]any) { spec["action"] = "explode" },
			want:   `spec.action: Unsupported value: "explode"`,
		},
		"a mode outside the enum": {
			fault:  validFaults()["pod-failure"],
			mutate: func(spec map[string]any) { spec["mode"] = "sometimes" },
			want:   `spec.mode: Unsupported value: "sometimes"`,
		},
		"a duration of the wrong type": {
			fault:  validFaults()["pod-failure"],
			mutate: func(spec map[string]any) { spec["duration"] = int64(42) },
			want:   "spec.duration: Invalid value",
		},
		"no selector": {
			fault:  validFaults()["pod-failure"],
			mutate: func(spec map[string]any) { delete(spec, "selector") },
			want:   "spec.selector: Required value",
		},
		"an unknown field": {
			fault:  validFaults()["pod-failure"],
			mutate: func(spec map[string]any) { spec["explode"] = true },
			want:   `unknown field "spec.explode"`,
		},
		"an HTTP target outside the enum": {
			fault:  validFaults()["http-readiness-lie"],
			mutate: func(spec map[string]any) { spec["target"] = "Sideways" },
			want:   `spec.target: Unsupported value: "Sideways"`,
		},
		"a network action outside the enum": {
			fault:  validFaults()["network-delay"],
			mutate: func(spec map[string]any) { spec["action"] = "teleport" },
			want:   `spec.action: Unsupported value: "teleport"`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			u, err := chaosmesh.Render(tc.fault, "")
			if err != nil {
				t.Fatal(err)
			}
			ensureNamespace(t, c, u.GetNamespace())
			tc.mutate(u.Object["spec"].(map[string]any))
			err = c.Create(t.Context(), u, client.DryRunAll, strict)
			switch {
			case err == nil:
				t.Fatalf("the API server accepted the broken object: %v", u.Object["spec"])
			case !apierrors.IsInvalid(err) && !apierrors.IsBadRequest(err):
				t.Fatalf("error %v is not a validation error", err)
			case !strings.Contains(err.Error(), tc.want):
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

// pod is a pod of app pinned to the cluster's node, whose app container
// has an HTTP readiness probe on /healthz, port 8080.
func pod(ns, name, app string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": app}},
		Spec: corev1.PodSpec{
			NodeName: scenarios.NodeName(0),
			Containers: []corev1.Container{{
				Name: "app", Image: "app:1",
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
					HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")},
				}},
			}},
		},
	}
}

func ensureNamespace(t *testing.T, c client.Client, name string) {
	t.Helper()
	err := c.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatalf("failed to create namespace %s: %v", name, err)
	}
}

func getPod(t *testing.T, c client.Client, ns, name string) *corev1.Pod {
	t.Helper()
	p := &corev1.Pod{}
	if err := c.Get(t.Context(), types.NamespacedName{Namespace: ns, Name: name}, p); err != nil {
		t.Fatalf("failed to get pod %s: %v", name, err)
	}
	return p
}

// get returns the chaos object of kind, or nil if there is none.
func get(t *testing.T, c client.Client, kind string, key types.NamespacedName) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(chaosv1alpha1.SchemeGroupVersion.WithKind(kind))
	switch err := c.Get(t.Context(), key, u); {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		t.Fatalf("failed to get %s %s: %v", kind, key, err)
	}
	return u
}

// managed lists the chaos objects labelled as interlock's, as KIND
// NAMESPACE/NAME.
func managed(t *testing.T, c client.Client) []string {
	t.Helper()
	sel := client.MatchingLabels{chaosmesh.ManagedByLabel: chaosmesh.ManagedBy}
	var out []string
	for _, kind := range chaosmesh.Kinds {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(chaosv1alpha1.SchemeGroupVersion.WithKind(kind + "List"))
		if err := c.List(t.Context(), list, sel); err != nil {
			t.Fatalf("failed to list %s: %v", kind, err)
		}
		for _, u := range list.Items {
			out = append(out, kind+" "+u.GetNamespace()+"/"+u.GetName())
		}
	}
	slices.Sort(out)
	return out
}
