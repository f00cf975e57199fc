package experiments

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Fault is one fault of a scenario: what to inject, when, and for how long.
type Fault struct {
	// Name identifies the fault within a run; a DNS label (at most 63
	// characters). Injectors mark what they change with it, so that the
	// fault can be recovered by name even after the run that injected it
	// was interrupted.
	Name string
	// At is when the fault is injected, as an offset from the run's start.
	At time.Duration
	// For is how long the fault lasts. Zero means until teardown.
	For time.Duration
	// Object says what to inject: a Chaos Mesh object (*v1alpha1.PodChaos,
	// *v1alpha1.HTTPChaos, *v1alpha1.TimeChaos, ...) or a *NodeChaos.
	Object runtime.Object
}

// Effect is what an injected fault does to the workloads, as the harness's
// truth observer needs to know it: which pods really are broken and which
// only look broken.
//
//   - A crash loop is broken and looks it: TrulyBroken and LooksBroken.
//   - A readiness lie (the health check fails, the workload serves) only
//     looks broken: LooksBroken, not TrulyBroken. A remediator acting on it
//     acts on a false positive.
//   - A blind failure (the workload fails, the health check passes) is
//     broken but does not look it: TrulyBroken, not LooksBroken. A remediator
//     that misses it misses a real outage.
type Effect struct {
	// Namespace holds the affected pods. Empty means every namespace.
	Namespace string
	// Selector selects the affected pods by label. A nil Selector selects
	// none.
	Selector labels.Selector
	// Nodes, if not empty, limits the affected pods to those scheduled on
	// these nodes; node faults name the nodes they hit here.
	Nodes []string
	// TrulyBroken means the affected workload really stops serving.
	TrulyBroken bool
	// LooksBroken means the health signals (readiness, conditions) report a
	// failure.
	LooksBroken bool
	// Description says in plain words what was done, for the timeline.
	Description string
}

// Affects reports whether pod is one of the pods the effect describes.
func (e Effect) Affects(pod *corev1.Pod) bool {
	if pod == nil || e.Selector == nil {
		return false
	}
	if e.Namespace != "" && pod.Namespace != e.Namespace {
		return false
	}
	if len(e.Nodes) > 0 && !slices.Contains(e.Nodes, pod.Spec.NodeName) {
		return false
	}
	return e.Selector.Matches(labels.Set(pod.Labels))
}

// Injector applies faults to a cluster and takes them back.
//
// Validate is pure: it reads only the fault. It rejects every field the
// injector cannot honour, each with its field path under fldPath, so that a
// scenario never runs with part of a fault silently ignored. Inject applies
// a fault that Validate accepted and returns its Effect. Recover takes a
// fault back; it is idempotent and safe to call for a fault that was never
// injected, or only partly.
type Injector interface {
	// Name identifies the injector in scorecards and errors.
	Name() string
	// Validate reports every field of f the injector cannot honour, with
	// its path under fldPath (the path of the fault in its scenario, such
	// as spec.faults[0]). An empty list means Inject will honour all of f.
	Validate(f Fault, fldPath *field.Path) field.ErrorList
	// Inject applies f and returns what it does to the workloads.
	Inject(ctx context.Context, f Fault) (Effect, error)
	// Recover takes f back and returns once its effects are undone. It is
	// idempotent and safe to call for a fault never injected.
	Recover(ctx context.Context, f Fault) error
}

// ValidateFault checks the parts of f every injector needs: a name usable
// as a label, non-negative times and an object. Injectors call it from
// their Validate.
func ValidateFault(f Fault, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch {
	case f.Name == "":
		errs = append(errs, field.Required(fldPath.Child("name"), "a fault needs a name"))
	default:
		for _, msg := range validation.IsDNS1123Label(f.Name) {
			errs = append(errs, field.Invalid(fldPath.Child("name"), f.Name, msg))
		}
	}
	if f.At < 0 {
		errs = append(errs, field.Invalid(fldPath.Child("at"), f.At.String(), "must not be negative"))
	}
	if f.For < 0 {
		errs = append(errs, field.Invalid(fldPath.Child("for"), f.For.String(), "must not be negative"))
	}
	if isNil(f.Object) {
		errs = append(errs, field.Required(fldPath, "a fault needs an object: a Chaos Mesh object or a NodeChaos"))
	}
	return errs
}

// ValidateDuration checks a Chaos Mesh spec.duration against the fault's
// For, which is what the harness schedules by: the duration must be absent,
// or name the same length of time.
func ValidateDuration(duration *string, faultFor time.Duration, fldPath *field.Path) field.ErrorList {
	if duration == nil {
		return nil
	}
	d, err := time.ParseDuration(*duration)
	if err != nil {
		return field.ErrorList{field.Invalid(fldPath, *duration, fmt.Sprintf("not a duration: %v", err))}
	}
	if faultFor == 0 {
		return field.ErrorList{field.Invalid(fldPath, *duration,
			"conflicts with the fault's for, which is unset (until teardown): set the fault's for instead")}
	}
	if d != faultFor {
		return field.ErrorList{field.Invalid(fldPath, *duration,
			fmt.Sprintf("conflicts with the fault's for (%s): leave it out, or make them equal", faultFor))}
	}
	return nil
}

// FieldName is the name under which a scenario's fault holds obj: its
// kind in lower camel case, such as podChaos, httpChaos or nodeChaos. The
// kind is the Go type's name; an unstructured object's is its own.
func FieldName(obj runtime.Object) string {
	if isNil(obj) {
		return "object"
	}
	t := reflect.TypeOf(obj)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	kind := t.Name()
	if kind == "" || kind == "Unstructured" {
		kind = obj.GetObjectKind().GroupVersionKind().Kind
	}
	if kind == "" {
		return "object"
	}
	return lowerCamel(kind)
}

// lowerCamel lowers a leading run of capitals, keeping the one that starts
// the next word: HTTPChaos becomes httpChaos, PodChaos podChaos.
func lowerCamel(s string) string {
	r := []rune(s)
	n := 0
	for n < len(r) && unicode.IsUpper(r[n]) {
		n++
	}
	switch {
	case n == 0:
		return s
	case n == len(r):
		return strings.ToLower(s)
	case n > 1:
		n--
	}
	return strings.ToLower(string(r[:n])) + string(r[n:])
}

func isNil(obj runtime.Object) bool {
	if obj == nil {
		return true
	}
	v := reflect.ValueOf(obj)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
