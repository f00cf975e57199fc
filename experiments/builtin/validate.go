package builtin

import (
	"fmt"
	"path"
	"reflect"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/experiments"
)

// Kinds lists the kinds the builtin injector applies.
var Kinds = []string{"PodChaos", "HTTPChaos", "TimeChaos", experiments.NodeChaosKind}

// PodChaosActions lists the PodChaos actions the builtin injector applies.
var PodChaosActions = []chaosv1alpha1.PodChaosAction{
	chaosv1alpha1.PodKillAction, chaosv1alpha1.PodFailureAction, chaosv1alpha1.ContainerKillAction,
}

// notHonoured is the detail of every error about a field the builtin
// injector cannot honour.
const notHonoured = "the builtin injector cannot honour this field: leave it out, or run the scenario with Chaos Mesh"

// Validate reports every field of f the builtin injector cannot honour, with
// its path under fldPath. The fault's object is at fldPath.<kind>, such as
// spec.faults[0].podChaos. It reads only the fault, so it may be called on
// a nil *Injector, before any cluster exists.
func (i *Injector) Validate(f experiments.Fault, fldPath *field.Path) field.ErrorList {
	return validate(f, fldPath)
}

func validate(f experiments.Fault, fldPath *field.Path) field.ErrorList {
	errs := experiments.ValidateFault(f, fldPath)
	if f.Object == nil {
		return errs
	}
	objPath := fldPath.Child(experiments.FieldName(f.Object))
	switch o := f.Object.(type) {
	case *chaosv1alpha1.PodChaos:
		if o == nil {
			return errs
		}
		errs = append(errs, validatePodChaos(o, f.For, objPath)...)
	case *chaosv1alpha1.HTTPChaos:
		if o == nil {
			return errs
		}
		errs = append(errs, validateHTTPChaos(o, f.For, objPath)...)
	case *chaosv1alpha1.TimeChaos:
		if o == nil {
			return errs
		}
		errs = append(errs, validateTimeChaos(o, f.For, objPath)...)
	case *experiments.NodeChaos:
		if o == nil {
			return errs
		}
		errs = append(errs, o.Validate(objPath)...)
	default:
		kind := f.Object.GetObjectKind().GroupVersionKind().Kind
		if t := reflect.TypeOf(f.Object); kind == "" && t.Kind() == reflect.Pointer {
			kind = t.Elem().Name()
		}
		errs = append(errs, field.NotSupported(objPath, kind, Kinds))
	}
	return errs
}

func validatePodChaos(o *chaosv1alpha1.PodChaos, faultFor time.Duration, objPath *field.Path) field.ErrorList {
	spec := objPath.Child("spec")
	s := &o.Spec
	var errs field.ErrorList
	switch s.Action {
	case "":
		errs = append(errs, field.Required(spec.Child("action"), "choose pod-kill, pod-failure or container-kill"))
	case chaosv1alpha1.PodKillAction, chaosv1alpha1.PodFailureAction, chaosv1alpha1.ContainerKillAction:
	default:
		errs = append(errs, field.NotSupported(spec.Child("action"), s.Action, PodChaosActions))
	}
	errs = append(errs, podSelectorRules.Validate(&s.PodSelector, o.Namespace, spec)...)
	switch {
	case s.Action == chaosv1alpha1.ContainerKillAction && len(s.ContainerNames) == 0:
		errs = append(errs, field.Required(spec.Child("containerNames"), "container-kill needs the containers to kill"))
	case s.Action == chaosv1alpha1.ContainerKillAction:
		errs = append(errs, validateNames(s.ContainerNames, spec.Child("containerNames"))...)
	case len(s.ContainerNames) > 0:
		errs = append(errs, field.Invalid(spec.Child("containerNames"), s.ContainerNames,
			fmt.Sprintf("%s acts on whole pods: only container-kill takes container names", s.Action)))
	}
	switch {
	case s.GracePeriod < 0:
		errs = append(errs, field.Invalid(spec.Child("gracePeriod"), s.GracePeriod, "must not be negative"))
	case s.GracePeriod > 0 && s.Action != chaosv1alpha1.PodKillAction:
		errs = append(errs, field.Invalid(spec.Child("gracePeriod"), s.GracePeriod, "only pod-kill deletes pods, with this grace period"))
	}
	errs = append(errs, experiments.ValidateDuration(s.Duration, faultFor, spec.Child("duration"))...)
	errs = append(errs, remoteCluster(s.RemoteCluster, spec)...)
	return errs
}

func validateHTTPChaos(o *chaosv1alpha1.HTTPChaos, faultFor time.Duration, objPath *field.Path) field.ErrorList {
	spec := objPath.Child("spec")
	s := &o.Spec
	var errs field.ErrorList
	errs = append(errs, podSelectorRules.Validate(&s.PodSelector, o.Namespace, spec)...)
	targets := []chaosv1alpha1.PodHttpChaosTarget{chaosv1alpha1.PodHttpRequest, chaosv1alpha1.PodHttpResponse}
	switch s.Target {
	case "":
		errs = append(errs, field.Required(spec.Child("target"), "choose Request or Response"))
	case chaosv1alpha1.PodHttpRequest, chaosv1alpha1.PodHttpResponse:
	default:
		errs = append(errs, field.NotSupported(spec.Child("target"), s.Target, targets))
	}

	// The failure: abort, or a 5xx in place of the response.
	aborts := s.Abort != nil && *s.Abort
	switch {
	case s.Abort != nil && !*s.Abort && s.Replace == nil:
		errs = append(errs, field.Invalid(spec.Child("abort"), false, "set abort: true, or replace.code with a 5xx"))
	case s.Abort == nil && s.Replace == nil:
		errs = append(errs, field.Required(spec.Child("abort"), "set abort: true, or replace.code with a 5xx: the builtin injector models failing requests"))
	case aborts && s.Replace != nil:
		errs = append(errs, field.Invalid(spec.Child("replace"), "{...}", "abort already fails the request: set abort or replace.code, not both"))
	}
	if s.Replace != nil {
		errs = append(errs, validateHTTPReplace(s.Replace, s.Target, spec.Child("replace"))...)
	}
	if s.Delay != nil {
		errs = append(errs, field.Invalid(spec.Child("delay"), *s.Delay, notHonoured))
	}
	if s.Patch != nil {
		errs = append(errs, field.Invalid(spec.Child("patch"), "{...}", notHonoured))
	}
	if s.Port < 0 || s.Port > 65535 {
		errs = append(errs, field.Invalid(spec.Child("port"), s.Port, "must be a port number"))
	}
	if s.Path != nil {
		if _, err := path.Match(*s.Path, "/"); err != nil {
			errs = append(errs, field.Invalid(spec.Child("path"), *s.Path, fmt.Sprintf("not a path pattern: %v", err)))
		}
	}
	if s.Method != nil {
		errs = append(errs, field.Invalid(spec.Child("method"), *s.Method, notHonoured))
	}
	if s.Code != nil {
		errs = append(errs, field.Invalid(spec.Child("code"), *s.Code, notHonoured))
	}
	if s.RequestHeaders != nil {
		errs = append(errs, field.Invalid(spec.Child("request_headers"), s.RequestHeaders, notHonoured))
	}
	if s.ResponseHeaders != nil {
		errs = append(errs, field.Invalid(spec.Child("response_headers"), s.ResponseHeaders, notHonoured))
	}
	if s.TLS != nil {
		errs = append(errs, field.Invalid(spec.Child("tls"), s.TLS.SecretName, notHonoured))
	}
	errs = append(errs, experiments.ValidateDuration(s.Duration, faultFor, spec.Child("duration"))...)
	errs = append(errs, remoteCluster(s.RemoteCluster, spec)...)
	return errs
}

// validateHTTPReplace checks an HTTPChaos's replace: a 5xx status code
// for a response, and nothing the builtin injector does not honour.
func validateHTTPReplace(r *chaosv1alpha1.PodHttpChaosReplaceActions, target chaosv1alpha1.PodHttpChaosTarget, rp *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch {
	case r.Code == nil:
		errs = append(errs, field.Required(rp.Child("code"), "the builtin injector replaces only the status code, with a 5xx"))
	case *r.Code < 500 || *r.Code > 599:
		errs = append(errs, field.Invalid(rp.Child("code"), *r.Code, "must be a server error (500-599): the builtin injector models failing requests"))
	case target == chaosv1alpha1.PodHttpRequest:
		errs = append(errs, field.Invalid(rp.Child("code"), *r.Code, "a status code replaces a response: set target: Response"))
	}
	if r.Path != nil {
		errs = append(errs, field.Invalid(rp.Child("path"), *r.Path, notHonoured))
	}
	if r.Method != nil {
		errs = append(errs, field.Invalid(rp.Child("method"), *r.Method, notHonoured))
	}
	if r.Body != nil {
		errs = append(errs, field.Invalid(rp.Child("body"), string(r.Body), notHonoured))
	}
	if r.Queries != nil {
		errs = append(errs, field.Invalid(rp.Child("queries"), r.Queries, notHonoured))
	}
	if r.Headers != nil {
		errs = append(errs, field.Invalid(rp.Child("headers"), r.Headers, notHonoured))
	}
	return errs
}

func validateTimeChaos(o *chaosv1alpha1.TimeChaos, faultFor time.Duration, objPath *field.Path) field.ErrorList {
	spec := objPath.Child("spec")
	s := &o.Spec
	var errs field.ErrorList
	errs = append(errs, podSelectorRules.Validate(&s.PodSelector, o.Namespace, spec)...)
	errs = append(errs, validateNames(s.ContainerNames, spec.Child("containerNames"))...)
	switch d, err := time.ParseDuration(s.TimeOffset); {
	case s.TimeOffset == "":
		errs = append(errs, field.Required(spec.Child("timeOffset"), "say how far the clock is skewed, such as 720h"))
	case err != nil:
		errs = append(errs, field.Invalid(spec.Child("timeOffset"), s.TimeOffset, fmt.Sprintf("not a duration: %v", err)))
	case d <= 0:
		errs = append(errs, field.Invalid(spec.Child("timeOffset"), s.TimeOffset,
			"must be positive: the builtin injector models a clock running ahead, which brings certificates closer to expiry"))
	}
	switch {
	case s.ClockIds == nil:
	case len(s.ClockIds) == 1 && s.ClockIds[0] == "CLOCK_REALTIME":
	default:
		errs = append(errs, field.Invalid(spec.Child("clockIds"), s.ClockIds, "only CLOCK_REALTIME, the clock certificates are checked against, is honoured"))
	}
	errs = append(errs, experiments.ValidateDuration(s.Duration, faultFor, spec.Child("duration"))...)
	errs = append(errs, remoteCluster(s.RemoteCluster, spec)...)
	return errs
}

// podSelectorRules are the builtin injector's rules for a Chaos Mesh pod
// selector: it honours one namespace (from the selector or the object),
// labelSelectors and expressionSelectors, and the modes one, all, fixed and
// fixed-percent.
var podSelectorRules = experiments.PodSelectorRules{
	SeveralNamespaces: "the builtin injector targets one namespace per fault: split the fault",
	NoNamespace:       "name the pods' namespace, here or in metadata.namespace",
	Refused:           notHonoured,
	Mode:              experiments.ValidateMode,
}

func validateNames(names []string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, n := range names {
		for _, msg := range validation.IsDNS1123Label(n) {
			errs = append(errs, field.Invalid(fldPath.Index(i), n, msg))
		}
	}
	return errs
}

func remoteCluster(rc string, spec *field.Path) field.ErrorList {
	if rc == "" {
		return nil
	}
	return field.ErrorList{field.Invalid(spec.Child("remoteCluster"), rc, "the builtin injector acts on its own cluster only")}
}
