package scenarios

import (
	"reflect"
	"strings"

	chaosmeshv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/experiments"
)

// kindFields maps each fault kind, the name of the field of Fault that
// holds its spec, to that field's index. The kinds are those of the table
// of fault kinds (experiments.FaultKinds); a test keeps Fault's fields and
// the table in step.
var kindFields = faultKindFields()

// FaultKinds lists the fault kinds, the field names of Fault that hold a
// fault's spec (podChaos, httpChaos, ..., nodeChaos), in the order of the
// table of fault kinds (experiments.FaultKinds), which is Fault's.
var FaultKinds = faultKindNames()

func faultKindFields() map[string]int {
	t := reflect.TypeFor[Fault]()
	out := map[string]int{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if _, ok := experiments.KindByField(name); ok {
			out[name] = i
		}
	}
	return out
}

func faultKindNames() []string {
	var names []string
	for _, k := range experiments.FaultKinds() {
		if _, ok := kindFields[k.Field]; ok {
			names = append(names, k.Field)
		}
	}
	return names
}

// Kinds returns the fault kinds that are set, in the order of FaultKinds.
// A valid fault has exactly one.
func (f *Fault) Kinds() []string {
	var kinds []string
	for _, k := range FaultKinds {
		if f.spec(k) != nil {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// spec returns the spec of the given kind, such as a *PodChaosSpec, or nil
// if it is not set.
func (f *Fault) spec(kind string) any {
	i, ok := kindFields[kind]
	if !ok {
		return nil
	}
	v := reflect.ValueOf(f).Elem().Field(i)
	if v.IsNil() {
		return nil
	}
	return v.Interface()
}

// parts returns pointers into the spec of the fault's first kind set, to
// the fields more than one kind has; empty when no kind is set.
func (f *Fault) parts() experiments.SpecParts {
	for _, kind := range FaultKinds {
		if s := f.spec(kind); s != nil {
			k, _ := experiments.KindByField(kind)
			p, _ := k.SpecParts(s)
			return p
		}
	}
	return experiments.SpecParts{}
}

// podSelector returns the pod selector of a pod fault, or nil for a node
// fault or a fault with no kind set.
func (f *Fault) podSelector() *chaosmeshv1alpha1.PodSelector { return f.parts().Selector }

// chaosDuration returns the duration field of a fault's Chaos Mesh spec.
func chaosDuration(f *Fault) *string {
	if d := f.parts().Duration; d != nil {
		return *d
	}
	return nil
}

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
	kinds := f.Kinds()
	if len(kinds) != 1 {
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
	k, _ := experiments.KindByField(kinds[0])
	obj, ok := k.NewObject(meta, f.spec(kinds[0]))
	if !ok {
		return experiments.Fault{}, false
	}
	// A Chaos Mesh object carries the fault's length as its spec.duration,
	// as Chaos Mesh itself needs it; the scenario sets it only through for.
	if _, _, p, _ := k.Parts(obj); p.Duration != nil && *p.Duration == nil && length > 0 {
		*p.Duration = ptr.To(length.String())
	}
	return experiments.Fault{Name: f.Name, At: f.At.Duration, For: length, Object: obj}, true
}
