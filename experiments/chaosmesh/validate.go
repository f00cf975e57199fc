package chaosmesh

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/chaos-mesh/chaos-mesh/api/genericwebhook"
	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/experiments"
)

// noNodeChaos is the detail of the error for a NodeChaos.
var noNodeChaos = "Chaos Mesh has no fault that makes a Kubernetes node NotReady, stops its heartbeat, sets its conditions or flaps it, " +
	"so the chaosmesh injector cannot apply a NodeChaos (it applies " + strings.Join(Kinds, ", ") + "): run this fault with the builtin injector"

// notFollowed is the detail of the error for a selector field the harness
// cannot follow.
const notFollowed = "the harness follows the pods a fault affects by namespace, labels and nodes only, " +
	"so it could not tell which pods this field leaves out: leave it out"

// Validate reports every field of f the chaosmesh injector cannot honour,
// with its path under fldPath; the fault's object is at fldPath.<kind>,
// such as spec.faults[0].podChaos. It refuses:
//
//   - a NodeChaos, which Chaos Mesh has no equivalent of, and any kind not
//     in Kinds;
//   - a spec.duration other than the fault's For (see
//     experiments.ValidateDuration): Render sets it from For;
//   - a selector the harness cannot follow to grade the run: several
//     namespaces (or none, here or in metadata.namespace), a mode other than
//     all (Chaos Mesh picks the pods of the other modes at random), and
//     field, annotation, pod-name, node-label and pod-phase selectors;
//   - spec.remoteCluster, which would act on another cluster;
//   - whatever Chaos Mesh's admission webhook refuses, such as
//     container-kill without containerNames or a StressChaos without
//     stressors.
//
// It reads only the fault, so it may be called on a nil *Injector, before
// any cluster exists.
func (i *Injector) Validate(f experiments.Fault, fldPath *field.Path) field.ErrorList {
	return validate(f, fldPath)
}

func validate(f experiments.Fault, fldPath *field.Path) field.ErrorList {
	errs := experiments.ValidateFault(f, fldPath)
	if isNil(f.Object) {
		return errs
	}
	objPath := fldPath.Child(experiments.FieldName(f.Object))
	if _, ok := f.Object.(*experiments.NodeChaos); ok {
		e := field.NotSupported(objPath, experiments.NodeChaosKind, Kinds)
		e.Detail = noNodeChaos
		return append(errs, e)
	}
	p, ok := partsOf(f.Object)
	if !ok {
		kind := f.Object.GetObjectKind().GroupVersionKind().Kind
		if kind == "" {
			t := reflect.TypeOf(f.Object)
			for t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
			kind = t.Name()
		}
		return append(errs, field.NotSupported(objPath, kind, Kinds))
	}
	spec := objPath.Child("spec")
	errs = append(errs, podSelectorRules.Validate(p.selector, p.meta.Namespace, spec)...)
	errs = append(errs, experiments.ValidateDuration(*p.duration, f.For, spec.Child("duration"))...)
	if p.remoteCluster != "" {
		errs = append(errs, field.Invalid(spec.Child("remoteCluster"), p.remoteCluster,
			"the chaosmesh injector acts on its own cluster only: the harness could not observe a fault in another"))
	}
	return append(errs, webhookErrors(f.Object, objPath, errs)...)
}

// podSelectorRules are the chaosmesh injector's rules for a pod selector:
// the harness must be able to follow the pods a fault affects, by one
// namespace, labels and node names, and mode all.
var podSelectorRules = experiments.PodSelectorRules{
	SeveralNamespaces: "the harness follows the pods of one namespace per fault: split the fault",
	NoNamespace:       "name the pods' namespace, here or in metadata.namespace; Chaos Mesh would otherwise select pods in the chaos object's own namespace",
	Refused:           notFollowed,
	Nodes:             true,
	Mode:              validateMode,
}

// validateMode checks a selector's mode and value, at spec: only mode all
// selects pods the harness can tell.
func validateMode(mode chaosv1alpha1.SelectorMode, value string, spec *field.Path) field.ErrorList {
	switch mode {
	case "":
		return field.ErrorList{field.Required(spec.Child("mode"), "set mode: all")}
	case chaosv1alpha1.AllMode:
		if value != "" {
			return field.ErrorList{field.Invalid(spec.Child("value"), value, "mode all takes no value")}
		}
		return nil
	default:
		e := field.NotSupported(spec.Child("mode"), mode, []chaosv1alpha1.SelectorMode{chaosv1alpha1.AllMode})
		e.Detail = fmt.Sprintf("Chaos Mesh picks the pods of mode %s at random, and the harness could not tell which it picked: use mode all and narrow the selector", mode)
		return field.ErrorList{e}
	}
}

// webhookErrors runs the validation of Chaos Mesh's admission webhook on
// a defaulted copy of obj, as the webhook would, and returns its errors
// with JSON field paths under objPath, leaving out those at a field that
// already has an error in have.
func webhookErrors(obj runtime.Object, objPath *field.Path, have field.ErrorList) field.ErrorList {
	seen := map[string]bool{}
	for _, e := range have {
		seen[e.Field] = true
	}
	cp := obj.DeepCopyObject()
	genericwebhook.Default(cp)
	var errs field.ErrorList
	for _, e := range genericwebhook.Validate(cp) {
		p := objPath.String()
		if rel := jsonPath(reflect.TypeOf(cp), e.Field); rel != "" {
			p += "." + rel
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		ce := *e
		ce.Field = p
		errs = append(errs, &ce)
	}
	return errs
}

// jsonPath turns a field path the Chaos Mesh webhook reports, which names
// Go fields and inlined structs (Spec.ContainerSelector.PodSelector.value),
// into the JSON path of the field in an object of type t (spec.value).
func jsonPath(t reflect.Type, goPath string) string {
	var out []string
	for rest := goPath; rest != ""; {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			continue
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 || len(out) == 0 {
				return strings.Join(append(out, rest), ".")
			}
			out[len(out)-1] += rest[:end+1]
			rest = rest[end+1:]
			t = elem(t)
			continue
		}
		end := strings.IndexAny(rest, ".[")
		if end < 0 {
			end = len(rest)
		}
		name := rest[:end]
		rest = rest[end:]
		sf, ok := structField(t, name)
		switch {
		case !ok:
			out, t = append(out, name), nil
		case jsonName(sf) == "":
			t = sf.Type
		default:
			out, t = append(out, jsonName(sf)), sf.Type
		}
	}
	return strings.Join(out, ".")
}

// structField finds the field of struct type t (or a pointer to one) by its
// Go name, else by its JSON name.
func structField(t reflect.Type, name string) (reflect.StructField, bool) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	if sf, ok := t.FieldByName(name); ok && len(sf.Index) == 1 {
		return sf, true
	}
	for i := range t.NumField() {
		if sf := t.Field(i); jsonName(sf) == name {
			return sf, true
		}
	}
	return reflect.StructField{}, false
}

// jsonName is the JSON name of a struct field, empty for an inlined one.
func jsonName(sf reflect.StructField) string {
	name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
	if sf.Anonymous && name == "" || strings.Contains(","+opts+",", ",inline,") {
		return ""
	}
	if name == "" {
		return sf.Name
	}
	return name
}

// elem is the type of the elements of a slice, array or map type t (or a
// pointer to one).
func elem(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return nil
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return t.Elem()
	}
	return nil
}

func isNil(obj runtime.Object) bool {
	if obj == nil {
		return true
	}
	v := reflect.ValueOf(obj)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
