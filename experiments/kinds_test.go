package experiments_test

import (
	"testing"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/experiments"
)

// Every row of the table builds an object of its kind, named as the
// scenario field that holds it, which KindOf finds again.
func TestFaultKinds(t *testing.T) {
	for _, k := range experiments.FaultKinds() {
		t.Run(k.Field, func(t *testing.T) {
			_, spec, _, _ := k.Parts(testObject(t, k))
			obj, ok := k.NewObject(metav1.ObjectMeta{Name: "f", Labels: map[string]string{"a": "b"}}, spec)
			if !ok {
				t.Fatalf("NewObject refused the kind's own spec type %T", spec)
			}
			if got := experiments.FieldName(obj); got != k.Field {
				t.Errorf("FieldName = %q, want %q", got, k.Field)
			}
			if gvk := obj.GetObjectKind().GroupVersionKind(); gvk != k.GroupVersion.WithKind(k.Kind) {
				t.Errorf("object's kind = %s, want %s", gvk, k.GroupVersion.WithKind(k.Kind))
			}
			if got, ok := experiments.KindOf(obj); !ok || got.Field != k.Field {
				t.Errorf("KindOf = %q, %v; want %q", got.Field, ok, k.Field)
			}
			if got, ok := experiments.KindByField(k.Field); !ok || got.Kind != k.Kind {
				t.Errorf("KindByField(%q) = %q, %v; want %q", k.Field, got.Kind, ok, k.Kind)
			}
			meta, _, parts, ok := k.Parts(obj)
			if !ok || meta.Name != "f" || meta.Labels["a"] != "b" {
				t.Errorf("Parts = %v, %v; want the metadata NewObject was given", meta, ok)
			}
			chaos := k.GroupVersion == chaosv1alpha1.SchemeGroupVersion
			if got := parts.Selector != nil && parts.Duration != nil && parts.RemoteCluster != nil; got != chaos {
				t.Errorf("a Chaos Mesh kind has a selector, a duration and a remote cluster: got %v, want %v", got, chaos)
			}
		})
	}
}

// testObject returns an empty object of kind k.
func testObject(t *testing.T, k experiments.FaultKind) runtime.Object {
	t.Helper()
	for _, o := range []runtime.Object{&chaosv1alpha1.PodChaos{}, &chaosv1alpha1.HTTPChaos{}, &chaosv1alpha1.TimeChaos{},
		&chaosv1alpha1.NetworkChaos{}, &chaosv1alpha1.StressChaos{}, &experiments.NodeChaos{}} {
		if _, _, _, ok := k.Parts(o); ok {
			return o
		}
	}
	t.Fatalf("no test object of kind %s: add one here", k.Kind)
	return nil
}

// NewObject copies the spec, so the object and the spec it came from
// never share a field.
func TestNewObjectCopies(t *testing.T) {
	k, ok := experiments.KindByField("podChaos")
	if !ok {
		t.Fatal("no podChaos kind")
	}
	spec := &chaosv1alpha1.PodChaosSpec{Action: chaosv1alpha1.PodFailureAction, ContainerSelector: chaosv1alpha1.ContainerSelector{
		PodSelector: chaosv1alpha1.PodSelector{Selector: chaosv1alpha1.PodSelectorSpec{
			GenericSelectorSpec: chaosv1alpha1.GenericSelectorSpec{Namespaces: []string{"a"}}}}}}
	obj, ok := k.NewObject(metav1.ObjectMeta{Name: "f"}, spec)
	if !ok {
		t.Fatal("NewObject refused a *PodChaosSpec")
	}
	_, _, p, _ := k.Parts(obj)
	p.Selector.Selector.Namespaces[0] = "changed"
	*p.Duration = ptr.To("1m")
	if spec.Selector.Namespaces[0] != "a" || spec.Duration != nil {
		t.Errorf("changing the object changed the spec it came from: %+v", spec)
	}
}

func TestFaultKindRefuses(t *testing.T) {
	pod, _ := experiments.KindByField("podChaos")
	var nilPod *chaosv1alpha1.PodChaos
	tests := map[string]func() bool{
		"a spec of another kind": func() bool { _, ok := pod.NewObject(metav1.ObjectMeta{}, &chaosv1alpha1.HTTPChaosSpec{}); return ok },
		"a spec by value":        func() bool { _, ok := pod.NewObject(metav1.ObjectMeta{}, chaosv1alpha1.PodChaosSpec{}); return ok },
		"a nil spec": func() bool {
			_, ok := pod.NewObject(metav1.ObjectMeta{}, (*chaosv1alpha1.PodChaosSpec)(nil))
			return ok
		},
		"parts of another kind": func() bool { _, _, _, ok := pod.Parts(&chaosv1alpha1.HTTPChaos{}); return ok },
		"parts of a nil object": func() bool { _, _, _, ok := pod.Parts(nilPod); return ok },
		"spec parts of a value": func() bool { _, ok := pod.SpecParts(chaosv1alpha1.PodChaosSpec{}); return ok },
		"an unknown field":      func() bool { _, ok := experiments.KindByField("ioChaos"); return ok },
		"an object of no kind":  func() bool { _, ok := experiments.KindOf(&chaosv1alpha1.IOChaos{}); return ok },
		"a typed nil object":    func() bool { _, ok := experiments.KindOf(nilPod); return ok },
	}
	for name, refused := range tests {
		t.Run(name, func(t *testing.T) {
			if refused() {
				t.Error("accepted")
			}
		})
	}
}
