package experiments

import (
	"reflect"
	"slices"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// faultKinds are the kinds of fault a scenario may declare, in the order
// its fields list them. This table is the one place a fault kind is added:
// scenarios read their fault kinds, and turn a fault's spec into its
// object, from it; the chaosmesh injector renders every kind of Chaos
// Mesh's group in it. An injector then honours the kinds it implements.
var faultKinds = []FaultKind{
	chaosKind("PodChaos", func(o *chaosv1alpha1.PodChaos) (*metav1.ObjectMeta, *chaosv1alpha1.PodChaosSpec) {
		return &o.ObjectMeta, &o.Spec
	}, func(s *chaosv1alpha1.PodChaosSpec) SpecParts {
		return SpecParts{Selector: &s.PodSelector, Duration: &s.Duration, RemoteCluster: &s.RemoteCluster}
	}),
	chaosKind("HTTPChaos", func(o *chaosv1alpha1.HTTPChaos) (*metav1.ObjectMeta, *chaosv1alpha1.HTTPChaosSpec) {
		return &o.ObjectMeta, &o.Spec
	}, func(s *chaosv1alpha1.HTTPChaosSpec) SpecParts {
		return SpecParts{Selector: &s.PodSelector, Duration: &s.Duration, RemoteCluster: &s.RemoteCluster}
	}),
	chaosKind("TimeChaos", func(o *chaosv1alpha1.TimeChaos) (*metav1.ObjectMeta, *chaosv1alpha1.TimeChaosSpec) {
		return &o.ObjectMeta, &o.Spec
	}, func(s *chaosv1alpha1.TimeChaosSpec) SpecParts {
		return SpecParts{Selector: &s.PodSelector, Duration: &s.Duration, RemoteCluster: &s.RemoteCluster}
	}),
	chaosKind("NetworkChaos", func(o *chaosv1alpha1.NetworkChaos) (*metav1.ObjectMeta, *chaosv1alpha1.NetworkChaosSpec) {
		return &o.ObjectMeta, &o.Spec
	}, func(s *chaosv1alpha1.NetworkChaosSpec) SpecParts {
		return SpecParts{Selector: &s.PodSelector, Duration: &s.Duration, RemoteCluster: &s.RemoteCluster}
	}),
	chaosKind("StressChaos", func(o *chaosv1alpha1.StressChaos) (*metav1.ObjectMeta, *chaosv1alpha1.StressChaosSpec) {
		return &o.ObjectMeta, &o.Spec
	}, func(s *chaosv1alpha1.StressChaosSpec) SpecParts {
		return SpecParts{Selector: &s.PodSelector, Duration: &s.Duration, RemoteCluster: &s.RemoteCluster}
	}),
	newFaultKind(GroupVersion, NodeChaosKind, func(o *NodeChaos) (*metav1.ObjectMeta, *NodeChaosSpec) {
		return &o.ObjectMeta, &o.Spec
	}, func(*NodeChaosSpec) SpecParts { return SpecParts{} }),
}

// FaultKind is one kind of fault: the scenario field that holds its spec,
// the object it becomes, and where that object keeps what scenarios and
// injectors read of every kind.
type FaultKind struct {
	// Field is the name of the scenario field that holds the kind's spec,
	// such as podChaos: FieldName of its object.
	Field string
	// Kind is the object's kind, such as PodChaos.
	Kind string
	// GroupVersion is the object's API group and version, such as
	// chaos-mesh.org/v1alpha1.
	GroupVersion schema.GroupVersion

	// newObject returns an empty object of the kind, its TypeMeta set.
	newObject func() runtime.Object
	// split returns pointers to obj's metadata and spec; false if obj is
	// not of the kind or is a nil pointer.
	split func(obj runtime.Object) (*metav1.ObjectMeta, any, bool)
	// parts returns pointers into spec, a pointer to the kind's spec type;
	// false for any other value.
	parts func(spec any) (SpecParts, bool)
}

// SpecParts are pointers into a fault's spec, to the fields that more
// than one kind has.
type SpecParts struct {
	// Selector is the spec's pod selector; nil for a kind that selects no
	// pods, such as NodeChaos.
	Selector *chaosv1alpha1.PodSelector
	// Duration is spec.duration; nil for a kind without one.
	Duration **string
	// RemoteCluster is spec.remoteCluster; nil for a kind without one.
	RemoteCluster *string
}

// FaultKinds returns every fault kind, in the order a scenario's fault
// lists them.
func FaultKinds() []FaultKind { return slices.Clone(faultKinds) }

// KindByField returns the fault kind whose spec a scenario holds under
// field, such as podChaos.
func KindByField(field string) (FaultKind, bool) {
	for _, k := range faultKinds {
		if k.Field == field {
			return k, true
		}
	}
	return FaultKind{}, false
}

// KindOf returns the fault kind of obj; false for an object of no kind in
// the table, or a nil pointer.
func KindOf(obj runtime.Object) (FaultKind, bool) {
	for _, k := range faultKinds {
		if _, _, ok := k.split(obj); ok {
			return k, true
		}
	}
	return FaultKind{}, false
}

// NewObject returns an object of the kind with meta and a deep copy of
// spec, which must be a pointer to the kind's spec type (a
// *PodChaosSpec for PodChaos); false for anything else.
func (k FaultKind) NewObject(meta metav1.ObjectMeta, spec any) (runtime.Object, bool) {
	obj := k.newObject()
	m, s, _ := k.split(obj)
	sv := reflect.ValueOf(spec)
	if sv.Kind() != reflect.Pointer || sv.IsNil() || sv.Type() != reflect.TypeOf(s) {
		return nil, false
	}
	reflect.ValueOf(s).Elem().Set(sv.Elem())
	*m = meta
	return obj.DeepCopyObject(), true
}

// Parts returns pointers into obj: its metadata, its spec (a pointer to
// the kind's spec type) and the spec's shared fields; false if obj is not
// of the kind.
func (k FaultKind) Parts(obj runtime.Object) (*metav1.ObjectMeta, any, SpecParts, bool) {
	m, s, ok := k.split(obj)
	if !ok {
		return nil, nil, SpecParts{}, false
	}
	p, _ := k.parts(s)
	return m, s, p, true
}

// SpecParts returns pointers into spec, a pointer to the kind's spec
// type; false for any other value.
func (k FaultKind) SpecParts(spec any) (SpecParts, bool) { return k.parts(spec) }

// chaosKind is a Chaos Mesh kind of the table.
func chaosKind[O, S any, P interface {
	*O
	runtime.Object
}](kind string, split func(P) (*metav1.ObjectMeta, *S), parts func(*S) SpecParts) FaultKind {
	return newFaultKind(chaosv1alpha1.SchemeGroupVersion, kind, split, parts)
}

// newFaultKind makes a row of the table from the kind's object type O, its
// spec type S and where they keep what the table reads.
func newFaultKind[O, S any, P interface {
	*O
	runtime.Object
}](gv schema.GroupVersion, kind string, split func(P) (*metav1.ObjectMeta, *S), parts func(*S) SpecParts) FaultKind {
	gvk := gv.WithKind(kind)
	return FaultKind{
		Field:        lowerCamel(kind),
		Kind:         kind,
		GroupVersion: gv,
		newObject: func() runtime.Object {
			obj := P(new(O))
			obj.GetObjectKind().SetGroupVersionKind(gvk)
			return obj
		},
		split: func(obj runtime.Object) (*metav1.ObjectMeta, any, bool) {
			o, ok := obj.(P)
			if !ok || o == nil {
				return nil, nil, false
			}
			m, s := split(o)
			return m, s, true
		},
		parts: func(spec any) (SpecParts, bool) {
			s, ok := spec.(*S)
			if !ok || s == nil {
				return SpecParts{}, false
			}
			return parts(s), true
		},
	}
}
