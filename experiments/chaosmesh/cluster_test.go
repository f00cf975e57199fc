package chaosmesh_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/chaosmesh"
	"github.com/interlock-dev/interlock/scenarios"
)

// Named timeouts.
const (
	// recoverWithin bounds Recover in these tests: nothing but the test
	// holds a finalizer, so objects go at once.
	recoverWithin = 20 * time.Second
	// stillWaiting is how long Recover must keep waiting on a finalizer.
	stillWaiting = 1500 * time.Millisecond
	// reportDelay is how long the stand-in for Chaos Mesh takes to report
	// a fault injected.
	reportDelay = time.Second
	// accountWithin bounds a new namespace getting its default service
	// account.
	accountWithin = 30 * time.Second
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

// TestInjectRecover runs the injector against the embedded cluster, which
// serves the CRDs but runs no Chaos Mesh: the test stands in for Chaos
// Mesh where it needs to (a finalizer, the AllInjected condition).
func TestInjectRecover(t *testing.T) {
	_, c := testCluster(t)
	const ns = "inject"
	ensureNamespace(t, c, ns)
	for _, p := range []*corev1.Pod{
		pod(ns, "web-0", "web"), pod(ns, "web-1", "web"), pod(ns, "other-0", "other"),
	} {
		// The namespace's default service account, which admission
		// requires, comes a moment after the namespace.
		var last error
		err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, accountWithin, true, func(ctx context.Context) (bool, error) {
			last = c.Create(ctx, p)
			return last == nil, nil
		})
		if err != nil {
			t.Fatalf("failed to create pod %s: %v (%v)", p.Name, last, err)
		}
	}
	web := func(o *chaosv1alpha1.PodSelector) {
		o.Selector.Namespaces = []string{ns}
		o.Selector.LabelSelectors = map[string]string{"app": "web"}
	}
	webFails := fault("web-fails", experiments.Fault{Object: podChaos(func(o *chaosv1alpha1.PodChaos) { web(&o.Spec.PodSelector) })})
	webLies := fault("web-lies", experiments.Fault{Object: httpChaos(func(o *chaosv1alpha1.HTTPChaos) { web(&o.Spec.PodSelector) })})
	inj := chaosmesh.New(c, chaosmesh.Options{InjectTimeout: -1, RecoverTimeout: recoverWithin})
	// The fixtures' objects have no namespace of their own: the injector
	// creates them in its own.
	ensureNamespace(t, c, chaosmesh.DefaultNamespace)
	podChaosKey := types.NamespacedName{Namespace: chaosmesh.DefaultNamespace, Name: "web-fails"}

	t.Run("inject creates the chaos object, the effect selects the pods", func(t *testing.T) {
		eff, err := inj.Inject(t.Context(), webFails)
		if err != nil {
			t.Fatalf("Inject: %v", err)
		}
		if eff.Namespace != ns || !eff.TrulyBroken || !eff.LooksBroken {
			t.Errorf("effect = %+v; want namespace %s, truly and looks broken", eff, ns)
		}
		for name, want := range map[string]bool{"web-0": true, "web-1": true, "other-0": false} {
			if got := eff.Affects(getPod(t, c, ns, name)); got != want {
				t.Errorf("effect affects %s = %t, want %t", name, got, want)
			}
		}
		u := get(t, c, "PodChaos", podChaosKey)
		if u == nil {
			t.Fatal("no PodChaos web-fails in the cluster")
		}
		if got := u.GetLabels(); got[chaosmesh.FaultLabel] != "web-fails" || got[chaosmesh.ManagedByLabel] != chaosmesh.ManagedBy {
			t.Errorf("labels = %v", got)
		}
		if d, _, _ := unstructured.NestedString(u.Object, "spec", "duration"); d != "1m0s" {
			t.Errorf("spec.duration = %q, want 1m0s", d)
		}
	})

	t.Run("a fault already in the cluster is refused", func(t *testing.T) {
		_, err := inj.Inject(t.Context(), webFails)
		if err == nil || !strings.Contains(err.Error(), "already in the cluster") {
			t.Fatalf("Inject = %v, want an error saying the fault is already in the cluster", err)
		}
	})

	t.Run("recover deletes the object, and again does nothing", func(t *testing.T) {
		for range 2 {
			if err := inj.Recover(t.Context(), webFails); err != nil {
				t.Fatalf("Recover: %v", err)
			}
			if u := get(t, c, "PodChaos", podChaosKey); u != nil {
				t.Fatal("PodChaos web-fails is still there")
			}
		}
	})

	t.Run("a readiness lie looks broken and is not", func(t *testing.T) {
		eff, err := inj.Inject(t.Context(), webLies)
		if err != nil {
			t.Fatalf("Inject: %v", err)
		}
		if eff.TrulyBroken || !eff.LooksBroken || !eff.Affects(getPod(t, c, ns, "web-0")) {
			t.Errorf("effect = %+v; want web pods looking broken, not truly broken", eff)
		}
	})

	t.Run("recover waits until Chaos Mesh lets go of the object", func(t *testing.T) {
		key := types.NamespacedName{Namespace: chaosmesh.DefaultNamespace, Name: "web-lies"}
		setFinalizers(t, c, "HTTPChaos", key, []string{"chaos-mesh/records"})
		impatient := chaosmesh.New(c, chaosmesh.Options{RecoverTimeout: time.Second})
		if err := impatient.Recover(t.Context(), webLies); err == nil || !strings.Contains(err.Error(), "is its controller running?") {
			t.Errorf("Recover with the finalizer held = %v, want an error asking whether Chaos Mesh runs", err)
		}
		done := make(chan error, 1)
		go func() { done <- inj.Recover(context.WithoutCancel(t.Context()), webLies) }()
		select {
		case err := <-done:
			t.Fatalf("Recover returned (%v) while the finalizer held the object", err)
		case <-time.After(stillWaiting):
		}
		setFinalizers(t, c, "HTTPChaos", key, nil)
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Recover: %v", err)
			}
		case <-time.After(recoverWithin):
			t.Fatal("Recover did not return once the finalizer was gone")
		}
		if u := get(t, c, "HTTPChaos", key); u != nil {
			t.Error("HTTPChaos web-lies is still there")
		}
	})

	t.Run("inject waits for Chaos Mesh to report the fault injected", func(t *testing.T) {
		patient := chaosmesh.New(c, chaosmesh.Options{InjectTimeout: recoverWithin, RecoverTimeout: recoverWithin})
		go reportInjected(t, c, podChaosKey)
		start := time.Now()
		if _, err := patient.Inject(t.Context(), webFails); err != nil {
			t.Fatalf("Inject: %v", err)
		}
		if took := time.Since(start); took < reportDelay {
			t.Errorf("Inject returned after %s, before Chaos Mesh reported the fault injected (%s)", took, reportDelay)
		}
		if err := patient.Recover(t.Context(), webFails); err != nil {
			t.Fatalf("Recover: %v", err)
		}
	})

	t.Run("inject takes the object back when Chaos Mesh stays silent", func(t *testing.T) {
		silent := chaosmesh.New(c, chaosmesh.Options{InjectTimeout: time.Second, RecoverTimeout: recoverWithin})
		_, err := silent.Inject(t.Context(), webFails)
		if err == nil || !strings.Contains(err.Error(), "no report from Chaos Mesh") {
			t.Fatalf("Inject = %v, want an error saying Chaos Mesh did not report the fault injected", err)
		}
		if u := get(t, c, "PodChaos", podChaosKey); u != nil {
			t.Error("PodChaos web-fails was left in the cluster")
		}
	})

	t.Run("a fault that selects no live pod is refused", func(t *testing.T) {
		nobody := fault("nobody", experiments.Fault{Object: podChaos(func(o *chaosv1alpha1.PodChaos) {
			web(&o.Spec.PodSelector)
			o.Spec.Selector.LabelSelectors["app"] = "nobody"
		})})
		if _, err := inj.Inject(t.Context(), nobody); err == nil || !strings.Contains(err.Error(), "no live pod") {
			t.Fatalf("Inject = %v, want an error saying no live pod matches", err)
		}
		if left := managed(t, c); len(left) > 0 {
			t.Errorf("left in the cluster: %v", left)
		}
	})

	t.Run("recover all deletes every object of ours and nothing else", func(t *testing.T) {
		other := func(o *chaosv1alpha1.PodSelector) {
			o.Selector.Namespaces = []string{ns}
			o.Selector.LabelSelectors = map[string]string{"app": "other"}
		}
		for _, f := range []experiments.Fault{
			webFails,
			fault("other-stress", experiments.Fault{Object: stressChaos(func(o *chaosv1alpha1.StressChaos) { other(&o.Spec.PodSelector) })}),
			fault("web-slow", experiments.Fault{Object: func() *chaosv1alpha1.NetworkChaos {
				o := networkChaos()
				web(&o.Spec.PodSelector)
				return o
			}()}),
		} {
			if _, err := inj.Inject(t.Context(), f); err != nil {
				t.Fatalf("Inject %s: %v", f.Name, err)
			}
		}
		typed := podChaos(func(o *chaosv1alpha1.PodChaos) { web(&o.Spec.PodSelector) })
		typed.ObjectMeta = metav1.ObjectMeta{Name: "someone-elses", Namespace: ns}
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(typed)
		if err != nil {
			t.Fatal(err)
		}
		foreign := &unstructured.Unstructured{Object: m}
		foreign.SetGroupVersionKind(chaosv1alpha1.SchemeGroupVersion.WithKind("PodChaos"))
		delete(foreign.Object, "status")
		if err := c.Create(t.Context(), foreign); err != nil {
			t.Fatalf("failed to create a PodChaos interlock does not manage: %v", err)
		}
		t.Cleanup(func() { _ = c.Delete(context.WithoutCancel(t.Context()), foreign) })

		if got := managed(t, c); len(got) != 3 {
			t.Fatalf("before RecoverAll: %v, want 3 objects", got)
		}
		if err := inj.RecoverAll(t.Context()); err != nil {
			t.Fatalf("RecoverAll: %v", err)
		}
		if left := managed(t, c); len(left) > 0 {
			t.Errorf("left after RecoverAll: %v", left)
		}
		if u := get(t, c, "PodChaos", types.NamespacedName{Namespace: ns, Name: "someone-elses"}); u == nil {
			t.Error("RecoverAll deleted a PodChaos interlock does not manage")
		}
	})
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

// setFinalizers sets a chaos object's finalizers, as Chaos Mesh does.
func setFinalizers(t *testing.T, c client.Client, kind string, key types.NamespacedName, finalizers []string) {
	t.Helper()
	u := get(t, c, kind, key)
	if u == nil {
		t.Fatalf("no %s %s", kind, key)
	}
	u.SetFinalizers(finalizers)
	if err := c.Update(t.Context(), u); err != nil {
		t.Fatalf("failed to set the finalizers of %s %s: %v", kind, key, err)
	}
}

// reportInjected stands in for Chaos Mesh: once the PodChaos exists, it
// waits reportDelay and sets its AllInjected condition.
func reportInjected(t *testing.T, c client.Client, key types.NamespacedName) {
	ctx := context.WithoutCancel(t.Context())
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, recoverWithin, true, func(ctx context.Context) (bool, error) {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(chaosv1alpha1.SchemeGroupVersion.WithKind("PodChaos"))
		if err := c.Get(ctx, key, u); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		time.Sleep(reportDelay)
		conds := []any{map[string]any{"type": string(chaosv1alpha1.ConditionAllInjected), "status": string(corev1.ConditionTrue)}}
		if err := unstructured.SetNestedSlice(u.Object, conds, "status", "conditions"); err != nil {
			return false, err
		}
		if err := unstructured.SetNestedField(u.Object, map[string]any{}, "status", "experiment"); err != nil {
			return false, err
		}
		return true, c.Update(ctx, u)
	})
	if err != nil {
		t.Errorf("failed to report the PodChaos injected: %v", err)
	}
}
