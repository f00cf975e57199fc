package chaosmesh

import (
	"fmt"
	"maps"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/experiments"
)

// Labels on every chaos object the injector creates.
const (
	// FaultLabel names the fault the object carries out. It is the label
	// the builtin injector puts on what it creates, too.
	FaultLabel = "interlock.dev/fault"
	// ManagedByLabel is set to ManagedBy; RecoverAll deletes every chaos
	// object that carries it.
	ManagedByLabel = "app.kubernetes.io/managed-by"
	// ManagedBy is the value of ManagedByLabel.
	ManagedBy = "interlock"
)

// DefaultNamespace is where a chaos object without a namespace of its own
// is created.
const DefaultNamespace = "interlock-system"

// Kinds lists the Chaos Mesh kinds the injector renders: every kind of
// Chaos Mesh's group in the table of fault kinds (experiments.FaultKinds),
// in the order of the scenario's fault kinds. Their CRDs are embedded (see
// CRDs).
var Kinds = chaosKinds()

func chaosKinds() []string {
	var kinds []string
	for _, k := range experiments.FaultKinds() {
		if k.GroupVersion == chaosv1alpha1.SchemeGroupVersion {
			kinds = append(kinds, k.Kind)
		}
	}
	return kinds
}

// Render returns the Chaos Mesh custom resource f becomes: the fault's
// object as apiVersion chaos-mesh.org/v1alpha1, named after the fault, in
// the object's namespace (namespace when it has none, DefaultNamespace
// when that is empty too), with the object's labels and annotations plus
// FaultLabel and ManagedByLabel. Its spec.duration is f.For, left out when
// For is zero (the fault lasts until it is recovered). Nothing else of the
// object's metadata, and none of its status, is kept.
//
// Render refuses a fault that Validate does not accept, NodeChaos among
// them; the error wraps the field errors.
func Render(f experiments.Fault, namespace string) (*unstructured.Unstructured, error) {
	if errs := validate(f, field.NewPath("fault")); len(errs) > 0 {
		return nil, fmt.Errorf("failed to render fault %q: %w", f.Name, errs.ToAggregate())
	}
	obj := f.Object.DeepCopyObject()
	p, _ := partsOf(obj)
	own := *p.meta
	*p.meta = metav1.ObjectMeta{
		Name:        f.Name,
		Namespace:   objectNamespace(own.Namespace, namespace),
		Labels:      maps.Clone(own.Labels),
		Annotations: maps.Clone(own.Annotations),
	}
	if p.meta.Labels == nil {
		p.meta.Labels = map[string]string{}
	}
	p.meta.Labels[FaultLabel] = f.Name
	p.meta.Labels[ManagedByLabel] = ManagedBy
	*p.duration = nil
	if f.For > 0 {
		*p.duration = ptr.To(f.For.String())
	}

	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("failed to render fault %q: %w", f.Name, err)
	}
	delete(m, "status")
	unstructured.RemoveNestedField(m, "metadata", "creationTimestamp")
	u := &unstructured.Unstructured{Object: m}
	u.SetAPIVersion(chaosv1alpha1.SchemeGroupVersion.String())
	u.SetKind(p.kind)
	return u, nil
}

// objectNamespace is the namespace of the chaos object: its own, else the
// injector's, else DefaultNamespace.
func objectNamespace(own, given string) string {
	switch {
	case own != "":
		return own
	case given != "":
		return given
	}
	return DefaultNamespace
}

// chaosParts are the fields every kind of Kinds has, as pointers into
// one object.
type chaosParts struct {
	kind     string
	meta     *metav1.ObjectMeta
	selector *chaosv1alpha1.PodSelector
	// duration is the spec.duration field.
	duration      **string
	remoteCluster string
}

// partsOf returns the common fields of a chaos object of one of Kinds, or
// false for any other object (a nil pointer too).
func partsOf(obj runtime.Object) (chaosParts, bool) {
	k, ok := experiments.KindOf(obj)
	if !ok || k.GroupVersion != chaosv1alpha1.SchemeGroupVersion {
		return chaosParts{}, false
	}
	meta, _, p, _ := k.Parts(obj)
	if p.Selector == nil || p.Duration == nil || p.RemoteCluster == nil {
		return chaosParts{}, false
	}
	return chaosParts{kind: k.Kind, meta: meta, selector: p.Selector, duration: p.Duration, remoteCluster: *p.RemoteCluster}, true
}
