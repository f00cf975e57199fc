package validation

import (
	"fmt"
	"regexp"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/api/v1alpha1"
)

// metricName is the Prometheus metric name syntax.
var metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// Validate reports every missing or invalid part of a safety case, each with
// its field path under fldPath. An empty list means the case is complete: the
// automation it belongs to may run above the alert rung.
//
// A part that is absent (an empty string or list, a zero number or duration)
// is reported as field.ErrorTypeRequired; a part that is present but wrong as
// field.ErrorTypeInvalid. Each error's Detail says what is wrong in plain words.
func Validate(spec *v1alpha1.SafetyCaseSpec, fldPath *field.Path) field.ErrorList {
	if spec == nil {
		return field.ErrorList{field.Required(fldPath, "safety case is missing")}
	}
	var errs field.ErrorList
	if isBlank(spec.Owner) {
		errs = append(errs, field.Required(fldPath.Child("owner"),
			"owner is missing: name the accountable person or team"))
	}
	errs = append(errs, validateTrigger(&spec.Trigger, fldPath.Child("trigger"))...)
	errs = append(errs, validateAction(&spec.Action, fldPath.Child("action"))...)
	errs = append(errs, validateReversal(&spec.Reversal, fldPath.Child("reversal"))...)
	errs = append(errs, validateBudget(&spec.Budget, fldPath.Child("budget"))...)
	errs = append(errs, validateBlastRadius(&spec.BlastRadius, fldPath.Child("blastRadius"))...)
	errs = append(errs, validateHealthGate(spec, fldPath.Child("healthGate"))...)
	errs = append(errs, validateTelemetry(spec.Telemetry, fldPath.Child("telemetry"))...)
	return errs
}

func validateTrigger(t *v1alpha1.Trigger, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if isBlank(t.Condition) {
		errs = append(errs, field.Required(fldPath.Child("condition"),
			"trigger condition is missing: describe the symptom that fires the automation"))
	}
	errs = append(errs, positiveDuration(t.For, fldPath.Child("for"),
		"trigger duration is missing: say how long the condition must hold before the automation acts")...)
	errs = append(errs, modes(t.FalsePositiveModes, fldPath.Child("falsePositiveModes"), "false-positive",
		"list the ways the trigger fires on something healthy")...)
	errs = append(errs, modes(t.FalseNegativeModes, fldPath.Child("falseNegativeModes"), "false-negative",
		"list the ways a real failure escapes the trigger")...)
	return errs
}

func modes(list []string, fldPath *field.Path, kind, hint string) field.ErrorList {
	if len(list) == 0 {
		return field.ErrorList{field.Required(fldPath, fmt.Sprintf("no known %s modes: %s", kind, hint))}
	}
	var errs field.ErrorList
	for i, m := range list {
		if isBlank(m) {
			errs = append(errs, field.Required(fldPath.Index(i), fmt.Sprintf("%s mode is empty", kind)))
		}
	}
	return errs
}

func validateAction(a *v1alpha1.Action, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if isBlank(a.Description) {
		errs = append(errs, field.Required(fldPath.Child("description"),
			"action description is missing: say what the action does"))
	}
	switch {
	case a.Class == "":
		errs = append(errs, field.Required(fldPath.Child("class"),
			"action class is missing: must be one of "+classList()))
	default:
		if _, ok := v1alpha1.PostureOf(v1alpha1.ActionClass(a.Class)); !ok {
			errs = append(errs, field.Invalid(fldPath.Child("class"), a.Class,
				fmt.Sprintf("unknown action class %q: must be one of %s", a.Class, classList())))
		}
	}
	if isBlank(a.WorstCaseBlastRadius) {
		errs = append(errs, field.Required(fldPath.Child("worstCaseBlastRadius"),
			"worst-case blast radius is missing: say what the action can affect at worst"))
	}
	return errs
}

func validateReversal(r *v1alpha1.Reversal, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if isBlank(r.Procedure) {
		errs = append(errs, field.Required(fldPath.Child("procedure"),
			"reversal procedure is missing: say how the action is undone"))
	}
	errs = append(errs, positiveDuration(r.TimeToReverse, fldPath.Child("timeToReverse"),
		"time to reverse is missing: state how long undoing the action takes")...)
	return errs
}

func validateBudget(b *v1alpha1.Budget, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, atLeastOne(b.MaxActions, fldPath.Child("maxActions"),
		"action budget is missing: state the most actions allowed in the window")...)
	errs = append(errs, positiveDuration(b.Window, fldPath.Child("window"),
		"budget window is missing: state the sliding window the budget counts over")...)
	if b.PerTarget != nil {
		p := fldPath.Child("perTarget")
		switch {
		case *b.PerTarget < 1:
			errs = append(errs, field.Invalid(p, *b.PerTarget,
				fmt.Sprintf("per-target budget must be at least 1, got %d (leave it out for no per-target limit)", *b.PerTarget)))
		case b.MaxActions >= 1 && *b.PerTarget > b.MaxActions:
			errs = append(errs, field.Invalid(p, *b.PerTarget,
				fmt.Sprintf("per-target budget of %d exceeds the overall budget of %d", *b.PerTarget, b.MaxActions)))
		}
	}
	errs = append(errs, positiveDuration(b.PageWithin, fldPath.Child("pageWithin"),
		"page deadline is missing: state how soon after the budget runs out a human must be paged")...)
	return errs
}

func validateBlastRadius(b *v1alpha1.BlastRadius, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, atLeastOne(b.MaxInFlight, fldPath.Child("maxInFlight"),
		"in-flight limit is missing: state the most targets that may be acted upon at once")...)
	errs = append(errs, percent(b.MaxUnavailablePercent, fldPath.Child("maxUnavailablePercent"),
		"unavailable share is missing: state the largest percentage of targets that may be affected at once")...)
	return errs
}

// validateHealthGate requires a health gate for rollbacks and checks one
// wherever it is given.
func validateHealthGate(spec *v1alpha1.SafetyCaseSpec, fldPath *field.Path) field.ErrorList {
	g := spec.HealthGate
	if g == nil {
		if v1alpha1.ActionClass(spec.Action.Class) == v1alpha1.ClassRollback {
			return field.ErrorList{field.Required(fldPath,
				"health gate is missing: a rollback may act only behind a health gate")}
		}
		return nil
	}
	var errs field.ErrorList
	errs = append(errs, positiveDuration(g.ProgressDeadline, fldPath.Child("progressDeadline"),
		"progress deadline is missing: state how long a new revision has to become available")...)
	errs = append(errs, percent(g.MinAvailablePercent, fldPath.Child("minAvailablePercent"),
		"minimum available share is missing: state the percentage of desired replicas that must be available")...)
	return errs
}

func validateTelemetry(signals []v1alpha1.TelemetrySignal, fldPath *field.Path) field.ErrorList {
	if len(signals) == 0 {
		return field.ErrorList{field.Required(fldPath,
			"no telemetry: name the signals that would show the remediator itself going wrong")}
	}
	var errs field.ErrorList
	for i, s := range signals {
		p := fldPath.Index(i)
		switch {
		case isBlank(s.Metric):
			errs = append(errs, field.Required(p.Child("metric"), "metric name is missing"))
		case !metricName.MatchString(s.Metric):
			errs = append(errs, field.Invalid(p.Child("metric"), s.Metric,
				fmt.Sprintf("%q is not a valid Prometheus metric name", s.Metric)))
		}
		if isBlank(s.Meaning) {
			errs = append(errs, field.Required(p.Child("meaning"),
				"meaning is missing: say what the signal shows when it fires"))
		}
	}
	return errs
}

// positiveDuration requires d > 0: missing if zero, invalid if negative.
func positiveDuration(d metav1.Duration, fldPath *field.Path, missing string) field.ErrorList {
	switch {
	case d.Duration == 0:
		return field.ErrorList{field.Required(fldPath, missing)}
	case d.Duration < 0:
		return field.ErrorList{field.Invalid(fldPath, d.Duration.String(),
			fmt.Sprintf("must be a positive duration, got %s", d.Duration))}
	}
	return nil
}

// atLeastOne requires n >= 1: missing if zero, invalid if negative.
func atLeastOne(n int32, fldPath *field.Path, missing string) field.ErrorList {
	switch {
	case n == 0:
		return field.ErrorList{field.Required(fldPath, missing)}
	case n < 0:
		return field.ErrorList{field.Invalid(fldPath, n, fmt.Sprintf("must be at least 1, got %d", n))}
	}
	return nil
}

// percent requires 1 <= n <= 100: missing if zero, invalid otherwise.
func percent(n int32, fldPath *field.Path, missing string) field.ErrorList {
	switch {
	case n == 0:
		return field.ErrorList{field.Required(fldPath, missing)}
	case n < 1 || n > 100:
		return field.ErrorList{field.Invalid(fldPath, n, fmt.Sprintf("must be a percentage from 1 to 100, got %d", n))}
	}
	return nil
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

func classList() string {
	names := make([]string, len(v1alpha1.Postures))
	for i, p := range v1alpha1.Postures {
		names[i] = string(p.Class)
	}
	return strings.Join(names, ", ")
}

func rungList() string {
	names := make([]string, len(v1alpha1.Rungs))
	for i, r := range v1alpha1.Rungs {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// automationTypes are the built-in automations, in the API's order.
var automationTypes = []v1alpha1.AutomationType{
	v1alpha1.UnhealthyWorkload,
	v1alpha1.NodeLoss,
	v1alpha1.DiskPressure,
	v1alpha1.CertificateExpiry,
	v1alpha1.BadDeploy,
}

// ValidateAutomation reports what keeps an Automation from running at its
// rung, each with its field path:
//
//   - spec.type must name a built-in automation;
//   - spec.rung must be one of the four rungs and must not exceed the
//     posture of the safety case's action class (v1alpha1.CheckRung);
//   - exactly one of spec.safetyCase and spec.safetyCaseRef is set;
//   - above the alert rung, the safety case is complete (Validate).
//
// resolve returns the spec of the SafetyCase with the given name in the
// Automation's namespace, or an error if there is none; it may be nil when
// the Automation carries its safety case inline. Problems in an inline safety
// case have paths under spec.safetyCase; problems in a referenced one have
// paths under spec.safetyCaseRef[NAME], for example
// spec.safetyCaseRef[node-loss].budget.maxActions.
func ValidateAutomation(a *v1alpha1.Automation, resolve func(name string) (*v1alpha1.SafetyCaseSpec, error)) field.ErrorList {
	specPath := field.NewPath("spec")
	if a == nil {
		return field.ErrorList{field.Required(specPath, "automation is missing")}
	}
	var errs field.ErrorList

	typePath := specPath.Child("type")
	switch {
	case a.Spec.Type == "":
		errs = append(errs, field.Required(typePath, "automation type is missing: must be one of "+typeList()))
	case !isAutomationType(a.Spec.Type):
		errs = append(errs, field.Invalid(typePath, a.Spec.Type,
			fmt.Sprintf("unknown automation type %q: must be one of %s", a.Spec.Type, typeList())))
	}

	rungPath := specPath.Child("rung")
	rung := v1alpha1.Rung(a.Spec.Rung)
	switch {
	case a.Spec.Rung == "":
		errs = append(errs, field.Required(rungPath, "rung is missing: must be one of "+rungList()))
	case !rung.Valid():
		errs = append(errs, field.Invalid(rungPath, a.Spec.Rung,
			fmt.Sprintf("unknown rung %q: must be one of %s", a.Spec.Rung, rungList())))
	}

	spec, scPath, scErrs := safetyCaseOf(a, specPath, resolve)
	if spec != nil && rung.Valid() {
		class := v1alpha1.ActionClass(spec.Action.Class)
		if _, known := v1alpha1.PostureOf(class); known {
			if err := v1alpha1.CheckRung(class, rung); err != nil {
				errs = append(errs, field.Invalid(rungPath, a.Spec.Rung, err.Error()))
			}
		}
	}
	errs = append(errs, scErrs...)
	if spec != nil && rung.Level() > v1alpha1.RungAlert.Level() {
		errs = append(errs, Validate(spec, scPath)...)
	}
	if spec != nil && a.Spec.Type == v1alpha1.CertificateExpiry {
		withinPath := scPath.Child("trigger", "within")
		switch {
		case spec.Trigger.Within == nil:
			errs = append(errs, field.Required(withinPath, "the certificate-expiry trigger needs to know how far ahead to look for expiry"))
		case spec.Trigger.Within.Duration <= 0:
			errs = append(errs, field.Invalid(withinPath, spec.Trigger.Within.Duration.String(), "must be positive"))
		}
	}
	return errs
}

// safetyCaseOf returns the Automation's safety case and the path its fields
// are reported under, or the errors that keep it from having exactly one.
func safetyCaseOf(a *v1alpha1.Automation, specPath *field.Path, resolve func(string) (*v1alpha1.SafetyCaseSpec, error)) (*v1alpha1.SafetyCaseSpec, *field.Path, field.ErrorList) {
	inline, ref := a.Spec.SafetyCase, a.Spec.SafetyCaseRef
	inlinePath, refPath := specPath.Child("safetyCase"), specPath.Child("safetyCaseRef")
	switch {
	case inline != nil && ref != nil:
		return nil, nil, field.ErrorList{&field.Error{
			Type:     field.ErrorTypeDuplicate,
			Field:    refPath.String(),
			BadValue: ref.Name,
			Detail:   "safety case must not be duplicated: set spec.safetyCase or spec.safetyCaseRef, not both",
		}}
	case inline != nil:
		return inline, inlinePath, nil
	case ref == nil:
		return nil, nil, field.ErrorList{field.Required(inlinePath,
			"safety case is missing: set spec.safetyCase inline or name a SafetyCase in spec.safetyCaseRef")}
	}
	namePath := refPath.Child("name")
	if isBlank(ref.Name) {
		return nil, nil, field.ErrorList{field.Required(namePath, "safety case reference has no name")}
	}
	if resolve == nil {
		return nil, nil, field.ErrorList{field.Invalid(namePath, ref.Name,
			fmt.Sprintf("safety case %q cannot be looked up here", ref.Name))}
	}
	spec, err := resolve(ref.Name)
	if err != nil {
		return nil, nil, field.ErrorList{&field.Error{
			Type:     field.ErrorTypeNotFound,
			Field:    namePath.String(),
			BadValue: ref.Name,
			Detail:   fmt.Sprintf("failed to find safety case %q: %v", ref.Name, err),
		}}
	}
	if spec == nil {
		return nil, nil, field.ErrorList{&field.Error{
			Type:     field.ErrorTypeNotFound,
			Field:    namePath.String(),
			BadValue: ref.Name,
			Detail:   fmt.Sprintf("safety case %q not found", ref.Name),
		}}
	}
	return spec, refPath.Key(ref.Name), nil
}

func isAutomationType(t v1alpha1.AutomationType) bool {
	for _, x := range automationTypes {
		if x == t {
			return true
		}
	}
	return false
}

func typeList() string {
	names := make([]string, len(automationTypes))
	for i, t := range automationTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}
