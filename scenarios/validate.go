package scenarios

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	casevalidation "github.com/interlock-dev/interlock/api/v1alpha1/validation"
	"github.com/interlock-dev/interlock/catalog"
	"github.com/interlock-dev/interlock/safetycases"
)

// Validate reports every problem in a decoded scenario, each with its field
// path, as an *Error naming s.File; nil means the scenario is valid. Parse
// and the Load functions call it; call it yourself on a Scenario built or
// changed in Go. It checks:
//
//   - apiVersion, kind, and metadata.name (a DNS label equal to the file's
//     base name without ".yaml", when File is set);
//   - spec.description, spec.pattern (a catalog pattern), spec.tier and a
//     positive spec.duration;
//   - the fixture: 1 to MaxNodes nodes; workloads with unique names, an
//     explicit namespace, at least one replica, valid labels without "app",
//     a readiness path starting with "/", a TLS secret with its validFor,
//     a positive CPU request, required with an autoscaler whose range is
//     at least one replica, holds the starting replicas and has a positive
//     target;
//   - faults: unique names, exactly one kind, a window inside the run,
//     selectors that name namespaces and select workloads of the fixture,
//     nodes that exist, HTTPChaos on the fixture's port and on workloads
//     with one readiness path, no spec duration (the window sets it), and
//     whatever the built-in injector cannot honour (its Validate, reported
//     under spec.faults[i].KIND);
//   - remediator faults: a known action and a window inside the run;
//   - automations: unique names, a known type and rung, exactly one of a
//     shipped safety case (for the automation's type) or a complete inline
//     one (casevalidation.Validate), a rung within the posture of the safety
//     case's action class (v1alpha1.CheckRung), namespaces and a valid selector;
//   - rbac rules with verbs and resources or non-resource URLs;
//   - expectations within range.
func Validate(s *Scenario) error {
	if s == nil {
		return &Error{Errs: field.ErrorList{field.Required(nil, "scenario is missing")}}
	}
	if errs := validate(s); len(errs) > 0 {
		return &Error{File: s.File, Errs: errs}
	}
	return nil
}

// validate returns every problem in s.
func validate(s *Scenario) field.ErrorList {
	v := &validator{s: s}
	v.head()
	spec := field.NewPath("spec")
	v.description(spec)
	v.fixture(spec.Child("fixture"))
	v.faults(spec.Child("faults"))
	v.remediatorFaults(spec.Child("remediatorFaults"))
	v.automations(spec.Child("automations"))
	v.rbac(spec.Child("rbac"))
	v.load(spec.Child("load"))
	v.expect(spec.Child("expect"))
	return dedupe(v.errs)
}

// dedupe drops a problem reported twice in the same words, such as a
// negative start found both here and by the injector.
func dedupe(errs field.ErrorList) field.ErrorList {
	seen := map[string]bool{}
	out := errs[:0]
	for _, e := range errs {
		if key := e.Error(); !seen[key] {
			seen[key] = true
			out = append(out, e)
		}
	}
	return out
}

// validator collects the problems of one scenario.
type validator struct {
	s    *Scenario
	errs field.ErrorList
	// workloads are the fixture's well-formed workloads.
	workloads []*Workload
}

func (v *validator) add(errs ...*field.Error) { v.errs = append(v.errs, errs...) }

// run is the length of the run, or 0 if it is not valid.
func (v *validator) run() time.Duration {
	if d := v.s.Spec.Duration; d.Valid() && d.Duration > 0 {
		return d.Duration
	}
	return 0
}

func (v *validator) head() {
	s := v.s
	v.add(Format.Head(s.APIVersion, s.Kind)...)
	p := field.NewPath("metadata", "name")
	name := s.Metadata.Name
	switch {
	case name == "":
		v.add(field.Required(p, "name the scenario after its file"))
	default:
		v.dnsLabel(p, name)
		if s.File != "" {
			if want := strings.TrimSuffix(path.Base(s.File), path.Ext(s.File)); want != name {
				msg := fmt.Sprintf("must match the file name %q: set metadata.name: %s, or name the file %s.yaml", want, want, name)
				if slices.Contains(Names(), name) {
					// Naming the file after the shipped scenario would only
					// make an edited copy pass for it.
					msg = fmt.Sprintf("must match the file name %q: set metadata.name: %s (a copy of the shipped scenario %q runs under its own name, so the history keeps them apart)", want, want, name)
				}
				v.add(field.Invalid(p, name, msg))
			}
		}
	}
}

func (v *validator) description(spec *field.Path) {
	s := &v.s.Spec
	if isBlank(s.Description) {
		v.add(field.Required(spec.Child("description"), "say what the scenario does and what it shows"))
	}
	p := spec.Child("pattern")
	switch {
	case s.Pattern == "":
		v.add(field.Required(p, "name the catalog failure pattern the scenario reproduces"))
	default:
		if _, err := catalog.Get(s.Pattern); err != nil {
			if errors.Is(err, catalog.ErrNotFound) {
				v.add(field.NotSupported(p, s.Pattern, patternNames()))
			} else {
				v.add(field.InternalError(p, fmt.Errorf("failed to read the catalog: %w", err)))
			}
		}
	}
	p = spec.Child("tier")
	switch {
	case s.Tier == "":
		v.add(field.Required(p, "say when the scenario runs: pr or nightly"))
	case !slices.Contains(Tiers, s.Tier):
		v.add(field.NotSupported(p, s.Tier, Tiers))
	}
	v.positive(spec.Child("duration"), &s.Duration, "say how long the run lasts after the faults start, such as 90s")
}

// patternNames lists the catalog's patterns, or none if it cannot be read.
func patternNames() []string {
	all, err := catalog.All()
	if err != nil {
		return nil
	}
	names := make([]string, len(all))
	for i, p := range all {
		names[i] = p.Name()
	}
	return names
}

// namespacedTypes are the automation types whose targets are namespaced.
var namespacedTypes = []v1alpha1.AutomationType{v1alpha1.UnhealthyWorkload, v1alpha1.CertificateExpiry, v1alpha1.BadDeploy}

// automationTypes are the built-in automation types.
var automationTypes = []v1alpha1.AutomationType{v1alpha1.UnhealthyWorkload, v1alpha1.NodeLoss, v1alpha1.DiskPressure, v1alpha1.CertificateExpiry, v1alpha1.BadDeploy}

// unique records that list[i] is named name, unless an earlier item of
// the list has that name: that is an error at p naming the earlier one.
func (v *validator) unique(seen map[string]int, p *field.Path, name string, i int, list string) {
	if j, dup := seen[name]; dup {
		v.add(duplicate(p, name, fmt.Sprintf("%s[%d] has the same name", list, j)))
		return
	}
	seen[name] = i
}

func (v *validator) automations(ap *field.Path) {
	if len(v.s.Spec.Automations) == 0 {
		v.add(field.Required(ap, "name at least one automation under test"))
	}
	seen := map[string]int{}
	for i := range v.s.Spec.Automations {
		a := &v.s.Spec.Automations[i]
		p := ap.Index(i)
		if v.dnsLabel(p.Child("name"), a.Name) {
			v.unique(seen, p.Child("name"), a.Name, i, "spec.automations")
		}
		typeOK := false
		switch {
		case a.Type == "":
			v.add(field.Required(p.Child("type"), "name the built-in automation"))
		case !slices.Contains(automationTypes, a.Type):
			v.add(field.NotSupported(p.Child("type"), a.Type, automationTypes))
		default:
			typeOK = true
		}
		rung := v1alpha1.Rung(a.Rung)
		switch {
		case a.Rung == "":
			v.add(field.Required(p.Child("rung"), "say how far the automation may act on its own"))
		case !rung.Valid():
			v.add(field.NotSupported(p.Child("rung"), a.Rung, v1alpha1.Rungs))
		}
		if len(a.Namespaces) == 0 && typeOK && slices.Contains(namespacedTypes, a.Type) {
			v.add(field.Required(p.Child("namespaces"), fmt.Sprintf("name the namespaces the %s automation watches", a.Type)))
		}
		for j, ns := range a.Namespaces {
			v.namespace(p.Child("namespaces").Index(j), ns)
		}
		if a.Selector != nil {
			v.add(metav1validation.ValidateLabelSelector(a.Selector, metav1validation.LabelSelectorValidationOptions{}, p.Child("selector"))...)
		}
		spec := v.safetyCase(p, a, typeOK)
		if spec != nil && rung.Valid() {
			class := v1alpha1.ActionClass(spec.Action.Class)
			if _, known := v1alpha1.PostureOf(class); known {
				if err := v1alpha1.CheckRung(class, rung); err != nil {
					v.add(field.Invalid(p.Child("rung"), a.Rung, err.Error()))
				}
			}
		}
	}
}

// safetyCase checks an automation's safety case and returns it, or nil.
func (v *validator) safetyCase(p *field.Path, a *Automation, typeOK bool) *v1alpha1.SafetyCaseSpec {
	namePath, specPath := p.Child("safetyCase"), p.Child("safetyCaseSpec")
	switch {
	case a.SafetyCase != "" && a.SafetyCaseSpec != nil:
		v.add(field.Forbidden(specPath, "set safetyCase or safetyCaseSpec, not both"))
		return nil
	case a.SafetyCaseSpec != nil:
		errs := casevalidation.Validate(a.SafetyCaseSpec, specPath)
		v.add(errs...)
		return a.SafetyCaseSpec
	case a.SafetyCase == "":
		v.add(field.Required(namePath, "name a shipped safety case ("+strings.Join(safetycases.Names(), ", ")+") or write one inline in safetyCaseSpec"))
		return nil
	}
	sc, err := safetycases.Get(a.SafetyCase)
	if err != nil {
		if slices.Contains(safetycases.Names(), a.SafetyCase) {
			v.add(field.InternalError(namePath, err))
		} else {
			v.add(field.NotSupported(namePath, a.SafetyCase, safetycases.Names()))
		}
		return nil
	}
	if typeOK && a.SafetyCase != string(a.Type) {
		v.add(field.Invalid(namePath, a.SafetyCase, fmt.Sprintf("the shipped safety case %q is written for the %s automation, not %s", a.SafetyCase, a.SafetyCase, a.Type)))
	}
	return &sc.Spec
}

func (v *validator) rbac(rp *field.Path) {
	v.add(ruleErrors(v.s.Spec.RBAC, rp)...)
}

func (v *validator) expect(ep *field.Path) {
	e := &v.s.Spec.Expect
	if e.MinAvailability != nil && (*e.MinAvailability < 0 || *e.MinAvailability > 1) {
		v.add(field.Invalid(ep.Child("minAvailability"), *e.MinAvailability, "must be a share from 0 to 1"))
	}
	for _, c := range []struct {
		name string
		n    *int
	}{{"maxFalsePositives", e.MaxFalsePositives}, {"maxFalseNegatives", e.MaxFalseNegatives}, {"minActions", e.MinActions}, {"maxActions", e.MaxActions}, {"minProposals", e.MinProposals}} {
		if c.n != nil && *c.n < 0 {
			v.add(field.Invalid(ep.Child(c.name), int64(*c.n), "must not be negative"))
		}
	}
	if e.MinActions != nil && e.MaxActions != nil && *e.MinActions > *e.MaxActions {
		v.add(field.Invalid(ep.Child("minActions"), int64(*e.MinActions),
			fmt.Sprintf("must not exceed maxActions (%d)", *e.MaxActions)))
	}
	if !v.s.Spec.Restraint && !CatchesInert(e) {
		v.add(field.Required(ep, "a remediator that does nothing would pass this scenario: expect something only acting satisfies "+
			"(mustHalt: true, mustPage: true, minActions, minProposals or maxFalseNegatives), or mark it spec.restraint: true if doing nothing is correct"))
	}
	if v.s.Spec.Restraint && CatchesInert(e) {
		v.add(field.Invalid(field.NewPath("spec", "restraint"), true,
			"a restraint scenario is one a remediator that does nothing passes, yet spec.expect asks for action (mustHalt, mustPage, minActions, minProposals or maxFalseNegatives)"))
	}
}

// CatchesInert reports whether e holds an expectation that a remediator
// that never acts fails: a halt or a page it must send, actions or
// proposals it must take, or real outages it may not leave unremedied.
func CatchesInert(e *Expectations) bool {
	return (e.MustHalt != nil && *e.MustHalt) || (e.MustPage != nil && *e.MustPage) ||
		(e.MinActions != nil && *e.MinActions > 0) || (e.MinProposals != nil && *e.MinProposals > 0) ||
		e.MaxFalseNegatives != nil
}

// positive reports a duration that does not parse or is not positive.
// missing is the detail for a zero duration; empty means "must be positive".
func (v *validator) positive(p *field.Path, d *Duration, missing string) bool {
	switch {
	case !d.Valid():
		v.add(invalidDuration(p, d))
		return false
	case d.Duration == 0 && missing != "":
		v.add(field.Required(p, missing))
		return false
	case d.Duration <= 0:
		v.add(field.Invalid(p, d.String(), "must be a positive duration"))
		return false
	}
	return true
}

func invalidDuration(p *field.Path, d *Duration) *field.Error {
	return field.Invalid(p, d.String(), "not a duration: write a number with a unit, such as 90s, 5m or 1h30m")
}

// dnsLabel reports a missing or malformed DNS label.
func (v *validator) dnsLabel(p *field.Path, s string) bool {
	if s == "" {
		v.add(field.Required(p, "must be a DNS label"))
		return false
	}
	msgs := validation.IsDNS1123Label(s)
	for _, msg := range msgs {
		v.add(field.Invalid(p, s, msg))
	}
	return len(msgs) == 0
}

// namespace reports a malformed namespace, the remediator's, or a system one.
func (v *validator) namespace(p *field.Path, ns string) bool {
	if !v.dnsLabel(p, ns) {
		return false
	}
	switch {
	case ns == RemediatorNamespace:
		v.add(field.Invalid(p, ns, "is the remediator's own namespace"))
		return false
	case strings.HasPrefix(ns, "kube-"):
		v.add(field.Invalid(p, ns, "is a system namespace: put the fixture in a namespace of its own"))
		return false
	}
	return true
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

func sortedStringKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// omit leaves the bad value out of a field error.
var omit = field.OmitValueType{}

// duplicate is field.Duplicate with a detail.
func duplicate(p *field.Path, value any, detail string) *field.Error {
	fe := field.Duplicate(p, value)
	fe.Detail = detail
	return fe
}

// notFound is field.NotFound with a detail.
func notFound(p *field.Path, value any, detail string) *field.Error {
	fe := field.NotFound(p, value)
	fe.Detail = detail
	return fe
}

// podLabels checks labels a fixture puts on pods: valid, and never "app".
func (v *validator) podLabels(l map[string]string, p *field.Path) {
	for _, k := range sortedStringKeys(l) {
		lp := p.Key(k)
		if k == AppLabel {
			v.add(field.Forbidden(lp, "the app label is always the workload's name"))
			continue
		}
		for _, msg := range validation.IsQualifiedName(k) {
			v.add(field.Invalid(lp, k, msg))
		}
		for _, msg := range validation.IsValidLabelValue(l[k]) {
			v.add(field.Invalid(lp, l[k], msg))
		}
	}
}

// load checks each load names a fixture workload and positive figures.
func (v *validator) load(lp *field.Path) {
	names := map[string]int{}
	workload := func(p *field.Path, ns, name string) {
		for _, w := range v.workloads {
			if w.Namespace == ns && w.Name == name {
				return
			}
		}
		v.add(notFound(p, name, fmt.Sprintf("no workload of the fixture is %s/%s", ns, name)))
	}
	positive := func(p *field.Path, q resource.Quantity) {
		if q.Sign() <= 0 {
			v.add(field.Invalid(p, q.String(), "must be a positive quantity, such as 300m"))
		}
	}
	for i := range v.s.Spec.Load {
		l := &v.s.Spec.Load[i]
		p := lp.Index(i)
		if v.dnsLabel(p.Child("name"), l.Name) {
			if _, dup := names[l.Name]; dup {
				v.add(field.Duplicate(p.Child("name"), l.Name))
			}
			names[l.Name] = i
		}
		workload(p.Child("workload"), l.Namespace, l.Workload)
		if l.Demand.Sign() < 0 {
			v.add(field.Invalid(p.Child("demand"), l.Demand.String(), "must not be negative"))
		}
		positive(p.Child("podCapacity"), l.PodCapacity)
		if c := l.ColdStart; c != nil {
			cp := p.Child("coldStart")
			workload(cp.Child("workload"), l.Namespace, c.Workload)
			positive(cp.Child("cost"), c.Cost)
			v.positive(cp.Child("window"), &c.Window, "say how long a starting pod adds its cost, such as 20s")
		}
	}
}
