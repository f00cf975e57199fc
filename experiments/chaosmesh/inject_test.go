package chaosmesh_test

import (
	"context"
	"strings"
	"testing"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/chaosmesh"
	"github.com/interlock-dev/interlock/internal/testutil"
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

// injectRecover is what the subtests of TestInjectRecover share, in
// order: pods web-0, web-1 and other-0 in namespace ns, the faults on the
// web pods, and an injector that does not wait for Chaos Mesh to report.
type injectRecover struct {
	c  client.Client
	ns string
	// webFails is a PodChaos on the web pods, webLies an HTTPChaos.
	webFails, webLies experiments.Fault
	inj               *chaosmesh.Injector
	// podChaosKey is where webFails' PodChaos lives.
	podChaosKey types.NamespacedName
}

func newInjectRecover(t *testing.T) *injectRecover {
	t.Helper()
	_, c := testCluster(t)
	const ns = "inject"
	ensureNamespace(t, c, ns)
	for _, p := range []*corev1.Pod{
		pod(ns, "web-0", "web"), pod(ns, "web-1", "web"), pod(ns, "other-0", "other"),
	} {
		// The namespace's default service account, which admission
		// requires, comes a moment after the namespace.
		var last error
		err := testutil.Until(t.Context(), 100*time.Millisecond, accountWithin, func(ctx context.Context) (bool, error) {
			last = c.Create(ctx, p)
			return last == nil, nil
		})
		if err != nil {
			t.Fatalf("failed to create pod %s: %v (%v)", p.Name, last, err)
		}
	}
	e := &injectRecover{c: c, ns: ns}
	e.webFails = fault("web-fails", experiments.Fault{Object: podChaos(func(o *chaosv1alpha1.PodChaos) { e.web(&o.Spec.PodSelector) })})
	e.webLies = fault("web-lies", experiments.Fault{Object: httpChaos(func(o *chaosv1alpha1.HTTPChaos) { e.web(&o.Spec.PodSelector) })})
	e.inj = chaosmesh.New(c, chaosmesh.Options{InjectTimeout: -1, RecoverTimeout: recoverWithin})
	// The fixtures' objects have no namespace of their own: the injector
	// creates them in its own.
	ensureNamespace(t, c, chaosmesh.DefaultNamespace)
	e.podChaosKey = types.NamespacedName{Namespace: chaosmesh.DefaultNamespace, Name: "web-fails"}
	return e
}

// web selects the web pods of the namespace.
func (e *injectRecover) web(o *chaosv1alpha1.PodSelector) {
	o.Selector.Namespaces = []string{e.ns}
	o.Selector.LabelSelectors = map[string]string{"app": "web"}
}

// TestInjectRecover runs the injector against the embedded cluster, which
// serves the CRDs but runs no Chaos Mesh: the test stands in for Chaos
// Mesh where it needs to (a finalizer, the AllInjected condition).
func TestInjectRecover(t *testing.T) {
	e := newInjectRecover(t)
	t.Run("inject creates the chaos object, the effect selects the pods", e.testInjectCreates)
	t.Run("a fault already in the cluster is refused", e.testInjectTwiceRefused)
	t.Run("recover deletes the object, and again does nothing", e.testRecoverDeletes)
	t.Run("a readiness lie looks broken and is not", e.testReadinessLie)
	t.Run("recover waits until Chaos Mesh lets go of the object", e.testRecoverWaitsForFinalizer)
	t.Run("inject waits for Chaos Mesh to report the fault injected", e.testInjectWaitsForReport)
	t.Run("inject takes the object back when Chaos Mesh stays silent", e.testInjectSilent)
	t.Run("a fault that selects no live pod is refused", e.testNoLivePodRefused)
	t.Run("recover all deletes every object of ours and nothing else", e.testRecoverAll)
}

func (e *injectRecover) testInjectCreates(t *testing.T) {
	c, ns, inj, webFails, podChaosKey := e.c, e.ns, e.inj, e.webFails, e.podChaosKey
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
}

func (e *injectRecover) testInjectTwiceRefused(t *testing.T) {
	inj, webFails := e.inj, e.webFails
	_, err := inj.Inject(t.Context(), webFails)
	if err == nil || !strings.Contains(err.Error(), "already in the cluster") {
		t.Fatalf("Inject = %v, want an error saying the fault is already in the cluster", err)
	}
}

func (e *injectRecover) testRecoverDeletes(t *testing.T) {
	c, inj, webFails, podChaosKey := e.c, e.inj, e.webFails, e.podChaosKey
	for range 2 {
		if err := inj.Recover(t.Context(), webFails); err != nil {
			t.Fatalf("Recover: %v", err)
		}
		if u := get(t, c, "PodChaos", podChaosKey); u != nil {
			t.Fatal("PodChaos web-fails is still there")
		}
	}
}

func (e *injectRecover) testReadinessLie(t *testing.T) {
	c, ns, inj, webLies := e.c, e.ns, e.inj, e.webLies
	eff, err := inj.Inject(t.Context(), webLies)
	if err != nil {
		t.Fatalf("Inject: %v", err)
	}
	if eff.TrulyBroken || !eff.LooksBroken || !eff.Affects(getPod(t, c, ns, "web-0")) {
		t.Errorf("effect = %+v; want web pods looking broken, not truly broken", eff)
	}
}

func (e *injectRecover) testRecoverWaitsForFinalizer(t *testing.T) {
	c, inj, webLies := e.c, e.inj, e.webLies
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
}

func (e *injectRecover) testInjectWaitsForReport(t *testing.T) {
	c, webFails, podChaosKey := e.c, e.webFails, e.podChaosKey
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
}

func (e *injectRecover) testInjectSilent(t *testing.T) {
	c, webFails, podChaosKey := e.c, e.webFails, e.podChaosKey
	silent := chaosmesh.New(c, chaosmesh.Options{InjectTimeout: time.Second, RecoverTimeout: recoverWithin})
	_, err := silent.Inject(t.Context(), webFails)
	if err == nil || !strings.Contains(err.Error(), "no report from Chaos Mesh") {
		t.Fatalf("Inject = %v, want an error saying Chaos Mesh did not report the fault injected", err)
	}
	if u := get(t, c, "PodChaos", podChaosKey); u != nil {
		t.Error("PodChaos web-fails was left in the cluster")
	}
}

func (e *injectRecover) testNoLivePodRefused(t *testing.T) {
	c, inj := e.c, e.inj
	nobody := fault("nobody", experiments.Fault{Object: podChaos(func(o *chaosv1alpha1.PodChaos) {
		e.web(&o.Spec.PodSelector)
		o.Spec.Selector.LabelSelectors["app"] = "nobody"
	})})
	if _, err := inj.Inject(t.Context(), nobody); err == nil || !strings.Contains(err.Error(), "no live pod") {
		t.Fatalf("Inject = %v, want an error saying no live pod matches", err)
	}
	if left := managed(t, c); len(left) > 0 {
		t.Errorf("left in the cluster: %v", left)
	}
}

func (e *injectRecover) testRecoverAll(t *testing.T) {
	c, ns, inj, webFails := e.c, e.ns, e.inj, e.webFails
	other := func(o *chaosv1alpha1.PodSelector) {
		o.Selector.Namespaces = []string{ns}
		o.Selector.LabelSelectors = map[string]string{"app": "other"}
	}
	for _, f := range []experiments.Fault{
		webFails,
		fault("other-stress", experiments.Fault{Object: stressChaos(func(o *chaosv1alpha1.StressChaos) { other(&o.Spec.PodSelector) })}),
		fault("web-slow", experiments.Fault{Object: func() *chaosv1alpha1.NetworkChaos {
			o := networkChaos()
			e.web(&o.Spec.PodSelector)
			return o
		}()}),
	} {
		if _, err := inj.Inject(t.Context(), f); err != nil {
			t.Fatalf("Inject %s: %v", f.Name, err)
		}
	}
	typed := podChaos(func(o *chaosv1alpha1.PodChaos) { e.web(&o.Spec.PodSelector) })
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
	err := testutil.Until(ctx, 100*time.Millisecond, recoverWithin, func(ctx context.Context) (bool, error) {
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
