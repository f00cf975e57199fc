package scenarios

import (
	chaosmeshv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/experiments"
)

// Faults returns the scenario's faults as the injectors take them, in the
// order of spec.faults. Each carries its typed object: a Chaos Mesh object
// (*PodChaos, *HTTPChaos, *TimeChaos, *NetworkChaos, *StressChaos) or an
// *experiments.NodeChaos, named after the fault and labelled with
// ScenarioLabel. Pod faults live in the first namespace of their selector;
// NodeChaos is cluster-scoped. For is resolved: a fault without for lasts
// until the end of the run, and a Chaos Mesh object's spec.duration is set
// to it. Call it on a valid scenario: a fault without exactly one kind is
// left out.
func (s *Scenario) Faults() []experiments.Fault {
	var out []experiments.Fault
	for i := range s.Spec.Faults {
		if f, ok := s.fault(&s.Spec.Faults[i]); ok {
			out = append(out, f)
		}
	}
	return out
}

// fault converts one fault; false if it has not exactly one kind.
func (s *Scenario) fault(f *Fault) (experiments.Fault, bool) {
	if len(f.Kinds()) != 1 {
		return experiments.Fault{}, false
	}
	length := max(s.Spec.Duration.Duration-f.At.Duration, 0)
	if f.For != nil {
		length = f.For.Duration
	}
	meta := metav1.ObjectMeta{Name: f.Name, Labels: map[string]string{ScenarioLabel: s.Name()}}
	if sel := f.podSelector(); sel != nil && len(sel.Selector.Namespaces) > 0 {
		meta.Namespace = sel.Selector.Namespaces[0]
	}
	chaosType := func(kind string) metav1.TypeMeta {
		return metav1.TypeMeta{APIVersion: chaosmeshv1alpha1.SchemeGroupVersion.String(), Kind: kind}
	}
	// A Chaos Mesh object carries the fault's length as its spec.duration,
	// as Chaos Mesh itself needs it; the scenario sets it only through for.
	duration := func(d *string) *string {
		if d != nil || length <= 0 {
			return d
		}
		return ptr.To(length.String())
	}
	var obj runtime.Object
	switch {
	case f.PodChaos != nil:
		spec := f.PodChaos.DeepCopy()
		spec.Duration = duration(spec.Duration)
		obj = &chaosmeshv1alpha1.PodChaos{TypeMeta: chaosType("PodChaos"), ObjectMeta: meta, Spec: *spec}
	case f.HTTPChaos != nil:
		spec := f.HTTPChaos.DeepCopy()
		spec.Duration = duration(spec.Duration)
		obj = &chaosmeshv1alpha1.HTTPChaos{TypeMeta: chaosType("HTTPChaos"), ObjectMeta: meta, Spec: *spec}
	case f.TimeChaos != nil:
		spec := f.TimeChaos.DeepCopy()
		spec.Duration = duration(spec.Duration)
		obj = &chaosmeshv1alpha1.TimeChaos{TypeMeta: chaosType("TimeChaos"), ObjectMeta: meta, Spec: *spec}
	case f.NetworkChaos != nil:
		spec := f.NetworkChaos.DeepCopy()
		spec.Duration = duration(spec.Duration)
		obj = &chaosmeshv1alpha1.NetworkChaos{TypeMeta: chaosType("NetworkChaos"), ObjectMeta: meta, Spec: *spec}
	case f.StressChaos != nil:
		spec := f.StressChaos.DeepCopy()
		spec.Duration = duration(spec.Duration)
		obj = &chaosmeshv1alpha1.StressChaos{TypeMeta: chaosType("StressChaos"), ObjectMeta: meta, Spec: *spec}
	case f.NodeChaos != nil:
		obj = &experiments.NodeChaos{
			TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "NodeChaos"},
			ObjectMeta: meta,
			Spec:       (&experiments.NodeChaos{Spec: *f.NodeChaos}).DeepCopy().Spec,
		}
	}
	return experiments.Fault{Name: f.Name, At: f.At.Duration, For: length, Object: obj}, true
}
