package scenarios

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	chaosmeshv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/catalog"
	"github.com/interlock-dev/interlock/experiments"
	casevalidation "github.com/interlock-dev/interlock/api/v1alpha1/validation"
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
	if s.APIVersion != APIVersion {
		if s.APIVersion == "" {
			v.add(field.Required(field.NewPath("apiVersion"), "must be "+APIVersion))
		} else {
			v.add(field.NotSupported(field.NewPath("apiVersion"), s.APIVersion, []string{APIVersion}))
		}
	}
	if s.Kind != Kind {
		if s.Kind == "" {
			v.add(field.Required(field.NewPath("kind"), "must be "+Kind))
		} else {
			v.add(field.NotSupported(field.NewPath("kind"), s.Kind, []string{Kind}))
		}
	}
	p := field.NewPath("metadata", "name")
	name := s.Metadata.Name
	switch {
	case name == "":
		v.add(field.Required(p, "name the scenario after its file"))
	default:
		v.dnsLabel(p, name)
		if s.File != "" {
			if want := strings.TrimSuffix(path.Base(s.File), path.Ext(s.File)); want != name {
				v.add(field.Invalid(p, name, fmt.Sprintf("must match the file name %q", want)))
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

func (v *validator) fixture(fp *field.Path) {
	fx := &v.s.Spec.Fixture
	p := fp.Child("nodes")
	switch {
	case fx.Nodes == 0:
		v.add(field.Required(p, fmt.Sprintf("say how many nodes the cluster has, from 1 to %d", MaxNodes)))
	case fx.Nodes < 0 || fx.Nodes > MaxNodes:
		v.add(field.Invalid(p, int64(fx.Nodes), fmt.Sprintf("must be from 1 to %d", MaxNodes)))
	}
	seen := map[string]int{}
	secrets := map[string]int{}
	for i := range fx.Workloads {
		w := &fx.Workloads[i]
		wp := fp.Child("workloads").Index(i)
		ok := v.dnsLabel(wp.Child("name"), w.Name)
		if w.Namespace == "" {
			v.add(field.Required(wp.Child("namespace"), "name the workload's namespace; there is no default"))
			ok = false
		} else if !v.namespace(wp.Child("namespace"), w.Namespace) {
			ok = false
		}
		key := w.Namespace + "/" + w.Name
		if j, dup := seen[key]; dup && w.Name != "" {
			v.add(duplicate(wp.Child("name"), w.Name, fmt.Sprintf("spec.fixture.workloads[%d] has the same namespace and name", j)))
			ok = false
		} else {
			seen[key] = i
		}
		if w.Kind != "" && w.Kind != KindDeployment {
			v.add(field.NotSupported(wp.Child("kind"), w.Kind, []WorkloadKind{KindDeployment}))
		}
		switch {
		case w.Replicas == 0:
			v.add(field.Required(wp.Child("replicas"), "say how many pods the workload has, at least 1"))
		case w.Replicas < 0:
			v.add(field.Invalid(wp.Child("replicas"), w.Replicas, "must be at least 1"))
		}
		v.podLabels(w.Labels, wp.Child("labels"))
		for j, r := range w.Rollouts {
			rp := wp.Child("rollouts").Index(j)
			v.window(rp, &r.At, nil)
			if len(r.Labels) == 0 {
				v.add(field.Required(rp.Child("labels"), "say which labels mark the new revision's pods, such as version: v2"))
			}
			v.podLabels(r.Labels, rp.Child("labels"))
		}
		if w.ReadinessPath != "" && !strings.HasPrefix(w.ReadinessPath, "/") {
			v.add(field.Invalid(wp.Child("readinessPath"), w.ReadinessPath, "must be an HTTP path starting with /"))
		}
		switch {
		case w.TLSSecret != "":
			sp := wp.Child("tlsSecret")
			for _, msg := range validation.IsDNS1123Subdomain(w.TLSSecret) {
				v.add(field.Invalid(sp, w.TLSSecret, msg))
			}
			skey := w.Namespace + "/" + w.TLSSecret
			if j, dup := secrets[skey]; dup {
				v.add(duplicate(sp, w.TLSSecret, fmt.Sprintf("spec.fixture.workloads[%d] has the same secret; each workload has its own", j)))
			} else {
				secrets[skey] = i
			}
			if w.ValidFor == nil {
				v.add(field.Required(wp.Child("validFor"), "say how long the certificate is valid, such as 24h"))
			} else {
				v.positive(wp.Child("validFor"), w.ValidFor, "say how long the certificate is valid, such as 24h")
			}
		case w.ValidFor != nil:
			v.add(field.Forbidden(wp.Child("validFor"), "only with tlsSecret"))
		}
		v.autoscale(w, wp)
		if ok {
			v.workloads = append(v.workloads, w)
		}
	}
}

// autoscale checks a workload's CPU request and autoscaler: a positive
// request, which the autoscaler needs; a range of at least one replica that
// holds the replicas the workload starts with; a positive target.
func (v *validator) autoscale(w *Workload, wp *field.Path) {
	if w.CPURequest != nil && w.CPURequest.Sign() <= 0 {
		v.add(field.Invalid(wp.Child("cpuRequest"), w.CPURequest.String(), "must be a positive quantity, such as 100m"))
	}
	a := w.Autoscale
	if a == nil {
		return
	}
	ap := wp.Child("autoscale")
	if w.CPURequest == nil {
		v.add(field.Required(wp.Child("cpuRequest"), "an autoscaled workload needs a CPU request, such as 100m: the autoscaler measures utilization against it"))
	}
	rangeOK := true
	switch {
	case a.MinReplicas == 0:
		v.add(field.Required(ap.Child("minReplicas"), "say the fewest replicas the autoscaler scales to, at least 1"))
		rangeOK = false
	case a.MinReplicas < 0:
		v.add(field.Invalid(ap.Child("minReplicas"), a.MinReplicas, "must be at least 1"))
		rangeOK = false
	}
	switch {
	case a.MaxReplicas == 0:
		v.add(field.Required(ap.Child("maxReplicas"), "say the most replicas the autoscaler scales to"))
		rangeOK = false
	case rangeOK && a.MaxReplicas < a.MinReplicas:
		v.add(field.Invalid(ap.Child("maxReplicas"), a.MaxReplicas, fmt.Sprintf("must be at least minReplicas (%d)", a.MinReplicas)))
		rangeOK = false
	case a.MaxReplicas < 0:
		v.add(field.Invalid(ap.Child("maxReplicas"), a.MaxReplicas, "must be at least 1"))
		rangeOK = false
	}
	if rangeOK && w.Replicas > 0 && (w.Replicas < a.MinReplicas || w.Replicas > a.MaxReplicas) {
		v.add(field.Invalid(wp.Child("replicas"), w.Replicas, fmt.Sprintf("the autoscaler keeps the workload within %d to %d replicas: start within them", a.MinReplicas, a.MaxReplicas)))
	}
	switch {
	case a.TargetCPUUtilizationPercent == 0:
		v.add(field.Required(ap.Child("targetCPUUtilizationPercent"), "say the average CPU utilization to keep the pods at, in percent of cpuRequest, such as 50"))
	case a.TargetCPUUtilizationPercent < 0:
		v.add(field.Invalid(ap.Child("targetCPUUtilizationPercent"), a.TargetCPUUtilizationPercent, "must be a positive percentage"))
	}
}

func (v *validator) faults(fp *field.Path) {
	seen := map[string]int{}
	for i := range v.s.Spec.Faults {
		f := &v.s.Spec.Faults[i]
		p := fp.Index(i)
		if v.dnsLabel(p.Child("name"), f.Name) {
			if j, dup := seen[f.Name]; dup {
				v.add(duplicate(p.Child("name"), f.Name, fmt.Sprintf("spec.faults[%d] has the same name", j)))
			} else {
				seen[f.Name] = i
			}
		}
		v.window(p, &f.At, f.For)
		kinds := f.Kinds()
		switch len(kinds) {
		case 0:
			v.add(field.Required(p, "set exactly one fault kind: "+strings.Join(FaultKinds, ", ")))
			continue
		case 1:
		default:
			for _, k := range kinds[1:] {
				v.add(field.Forbidden(p.Child(k), fmt.Sprintf("a fault has exactly one kind, and this one already has %s; make another fault", kinds[0])))
			}
			continue
		}
		kp := p.Child(kinds[0])
		if sel := f.podSelector(); sel != nil {
			v.podSelector(kp, sel, f)
		}
		if f.NodeChaos != nil {
			v.nodeChaos(kp, f.NodeChaos)
		}
		if d := chaosDuration(f); d != nil {
			v.add(field.Forbidden(kp.Child("duration"), "set the fault's for instead: the window of a fault is its at and for"))
		}
		if ef, ok := v.s.fault(f); ok {
			// One problem per field: what is reported here already is not
			// reported again in the injector's words.
			reported := sets.New[string]()
			for _, e := range v.errs {
				reported.Insert(e.Field)
			}
			for _, e := range injectorValidate(ef, p, kinds[0]) {
				if !reported.Has(e.Field) {
					v.add(e)
				}
			}
		}
	}
}

// chaosDuration returns the duration field of a fault's Chaos Mesh spec.
func chaosDuration(f *Fault) *string {
	switch {
	case f.PodChaos != nil:
		return f.PodChaos.Duration
	case f.HTTPChaos != nil:
		return f.HTTPChaos.Duration
	case f.TimeChaos != nil:
		return f.TimeChaos.Duration
	case f.NetworkChaos != nil:
		return f.NetworkChaos.Duration
	case f.StressChaos != nil:
		return f.StressChaos.Duration
	}
	return nil
}

// podSelector checks that a pod fault's selector names namespaces and
// selects workloads of the fixture, then checks an HTTPChaos against them.
func (v *validator) podSelector(kp *field.Path, sel *chaosmeshv1alpha1.PodSelector, f *Fault) {
	sp := kp.Child("selector")
	if len(sel.Selector.Namespaces) == 0 {
		v.add(field.Required(sp.Child("namespaces"), "name the namespaces of the workloads the fault is aimed at"))
		return
	}
	namespaces := sets.New[string]()
	for _, w := range v.workloads {
		namespaces.Insert(w.Namespace)
	}
	for j, ns := range sel.Selector.Namespaces {
		if !namespaces.Has(ns) {
			v.add(notFound(sp.Child("namespaces").Index(j), ns,
				fmt.Sprintf("no workload of the fixture is in namespace %q", ns)))
		}
	}
	selected, err := v.selected(&sel.Selector)
	if err != nil {
		// Malformed selectors are the injector's to report.
		return
	}
	if len(selected) == 0 {
		v.add(field.Invalid(sp, omit, "selects no workload of the fixture: match the app label (the workload's name), the workload's labels or a rollout's"))
		return
	}
	if f.HTTPChaos != nil {
		v.httpChaos(kp, f.HTTPChaos, selected)
	}
}

// httpChaos checks that an HTTPChaos aims at the port the fixture's pods
// serve on, and that the workloads it selects read it the same way: the
// built-in injector reads spec.path against each pod's readiness path (the
// readiness path itself is a lying check, another path a blind failure).
func (v *validator) httpChaos(kp *field.Path, hc *chaosmeshv1alpha1.HTTPChaosSpec, selected []*Workload) {
	if hc.Port != 0 && hc.Port != AppPort {
		v.add(field.Invalid(kp.Child("port"), hc.Port, fmt.Sprintf("the fixture's pods serve and are probed on port %d", AppPort)))
	}
	first := selected[0]
	for _, w := range selected[1:] {
		if w.ReadinessPath != first.ReadinessPath {
			v.add(field.Invalid(kp.Child("selector"), omit, fmt.Sprintf(
				"selects workloads %s/%s and %s/%s, whose readiness paths differ (%q, %q): select workloads that read the fault the same way",
				first.Namespace, first.Name, w.Namespace, w.Name, first.ReadinessPath, w.ReadinessPath)))
			return
		}
	}
}

// selected returns the fixture's workloads whose pods a Chaos Mesh pod
// selector matches by namespace and labels.
func (v *validator) selected(sel *chaosmeshv1alpha1.PodSelectorSpec) ([]*Workload, error) {
	ls := labels.SelectorFromSet(sel.LabelSelectors)
	if len(sel.ExpressionSelectors) > 0 {
		expr, err := metav1.LabelSelectorAsSelector(&metav1.LabelSelector{MatchExpressions: sel.ExpressionSelectors})
		if err != nil {
			return nil, err
		}
		reqs, _ := expr.Requirements()
		ls = ls.Add(reqs...)
	}
	var out []*Workload
	for _, w := range v.workloads {
		if !slices.Contains(sel.Namespaces, w.Namespace) {
			continue
		}
		if slices.ContainsFunc(RevisionLabels(w), func(l map[string]string) bool { return ls.Matches(labels.Set(l)) }) {
			out = append(out, w)
		}
	}
	return out, nil
}

// nodeChaos checks that a node fault names nodes of the fixture.
func (v *validator) nodeChaos(kp *field.Path, nc *experiments.NodeChaosSpec) {
	nodes := v.s.Spec.Fixture.Nodes
	for j, n := range nc.Selector.Nodes {
		if !slices.Contains(NodeNames(nodes), n) {
			v.add(notFound(kp.Child("selector", "nodes").Index(j), n,
				fmt.Sprintf("the fixture's nodes are %s", strings.Join(NodeNames(nodes), ", "))))
		}
	}
}

// window checks a fault's start and length against the run.
func (v *validator) window(p *field.Path, at *Duration, length *Duration) {
	run := v.run()
	atOK := true
	ap := p.Child("at")
	switch {
	case !at.Valid():
		v.add(invalidDuration(ap, at))
		atOK = false
	case at.Duration < 0:
		v.add(field.Invalid(ap, at.String(), "must not be negative"))
		atOK = false
	case run > 0 && at.Duration >= run:
		v.add(field.Invalid(ap, at.String(), fmt.Sprintf("starts after the run ends (duration %s)", run)))
		atOK = false
	}
	if length == nil {
		return
	}
	fp := p.Child("for")
	if !v.positive(fp, length, "") {
		return
	}
	if atOK && run > 0 && at.Duration+length.Duration > run {
		v.add(field.Invalid(fp, length.String(), fmt.Sprintf("ends at %s, after the run ends (duration %s): leave for out to last until the end", at.Duration+length.Duration, run)))
	}
}

func (v *validator) remediatorFaults(fp *field.Path) {
	for i := range v.s.Spec.RemediatorFaults {
		f := &v.s.Spec.RemediatorFaults[i]
		p := fp.Index(i)
		switch {
		case f.Action == "":
			v.add(field.Required(p.Child("action"), "say what is done to the remediator: kill-restart, kill or stale-cache"))
		case !slices.Contains(RemediatorFaultActions, f.Action):
			v.add(field.NotSupported(p.Child("action"), f.Action, RemediatorFaultActions))
		}
		switch {
		case f.Action == RemediatorStaleCache && f.Lag == nil:
			v.add(field.Required(p.Child("lag"), "say how far behind the remediator's view runs, such as 30s"))
		case f.Action == RemediatorStaleCache:
			v.positive(p.Child("lag"), f.Lag, "")
		case f.Lag != nil:
			v.add(field.Forbidden(p.Child("lag"), "only a stale-cache fault has a lag"))
		}
		if f.Action == RemediatorKill && f.For != nil {
			v.add(field.Forbidden(p.Child("for"), "a killed remediator is not restarted; use kill-restart to restart it after for"))
			v.window(p, &f.At, nil)
			continue
		}
		v.window(p, &f.At, f.For)
	}
}

// namespacedTypes are the automation types whose targets are namespaced.
var namespacedTypes = []v1alpha1.AutomationType{v1alpha1.UnhealthyWorkload, v1alpha1.CertificateExpiry, v1alpha1.BadDeploy}

// automationTypes are the built-in automation types.
var automationTypes = []v1alpha1.AutomationType{v1alpha1.UnhealthyWorkload, v1alpha1.NodeLoss, v1alpha1.DiskPressure, v1alpha1.CertificateExpiry, v1alpha1.BadDeploy}

func (v *validator) automations(ap *field.Path) {
	if len(v.s.Spec.Automations) == 0 {
		v.add(field.Required(ap, "name at least one automation under test"))
	}
	seen := map[string]int{}
	for i := range v.s.Spec.Automations {
		a := &v.s.Spec.Automations[i]
		p := ap.Index(i)
		if v.dnsLabel(p.Child("name"), a.Name) {
			if j, dup := seen[a.Name]; dup {
				v.add(duplicate(p.Child("name"), a.Name, fmt.Sprintf("spec.automations[%d] has the same name", j)))
			} else {
				seen[a.Name] = i
			}
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
