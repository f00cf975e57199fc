package scenarios

import (
	"fmt"
	"slices"
	"strings"

	chaosmeshv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/experiments"
)

// faults checks each fault: its name, window and one kind, what it aims
// at, and what the built-in injector cannot honour of it.
func (v *validator) faults(fp *field.Path) {
	seen := map[string]int{}
	for i := range v.s.Spec.Faults {
		f := &v.s.Spec.Faults[i]
		p := fp.Index(i)
		if v.dnsLabel(p.Child("name"), f.Name) {
			v.unique(seen, p.Child("name"), f.Name, i, "spec.faults")
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
		v.add(field.Invalid(sp, omit, "selects no workload of the fixture: match the app label (the workload's name, NAME-i for a copy), the workload's labels or a rollout's"))
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
	names := sets.New(NodeNames(nodes)...)
	for j, n := range nc.Selector.Nodes {
		if !names.Has(n) {
			v.add(notFound(kp.Child("selector", "nodes").Index(j), n,
				fmt.Sprintf("the fixture's nodes are %s", nodeRange(nodes))))
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

// nodeRange names a fixture's nodes: all of them when they are few, the
// first and the last otherwise.
func nodeRange(n int) string {
	if n <= 5 {
		return strings.Join(NodeNames(n), ", ")
	}
	return fmt.Sprintf("%s to %s", NodeName(0), NodeName(n-1))
}
