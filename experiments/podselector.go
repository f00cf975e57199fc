package experiments

import (
	"fmt"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// PodSelectorRules says what an injector honours of a Chaos Mesh pod
// selector beyond one namespace, label selectors and expression selectors,
// which every injector honours, and how it words what it refuses.
type PodSelectorRules struct {
	// SeveralNamespaces is the detail of the error for more than one
	// namespace in selector.namespaces.
	SeveralNamespaces string
	// NoNamespace is the detail of the error for a selector that names no
	// namespace, in selector.namespaces or in the object's
	// metadata.namespace.
	NoNamespace string
	// Refused is the detail of the error for each selector field the
	// injector does not honour: field, annotation, pod-name, node-label and
	// pod-phase selectors, and node names unless Nodes is set.
	Refused string
	// Nodes honours selector.nodes, whose entries must be node names;
	// without it, selector.nodes is refused.
	Nodes bool
	// Mode checks the selector's mode and value, at spec.mode and
	// spec.value, such as ValidateMode.
	Mode func(mode chaosv1alpha1.SelectorMode, value string, spec *field.Path) field.ErrorList
}

// Validate checks a Chaos Mesh pod selector with its mode and value, found
// at spec.selector, spec.mode and spec.value. namespace is the chaos
// object's metadata.namespace, which stands in for a selector that names
// none.
func (r PodSelectorRules) Validate(ps *chaosv1alpha1.PodSelector, namespace string, spec *field.Path) field.ErrorList {
	sel := spec.Child("selector")
	s := &ps.Selector
	var errs field.ErrorList
	switch {
	case len(s.Namespaces) > 1:
		errs = append(errs, field.Invalid(sel.Child("namespaces"), s.Namespaces, r.SeveralNamespaces))
	case len(s.Namespaces) == 1:
		for _, msg := range validation.IsDNS1123Label(s.Namespaces[0]) {
			errs = append(errs, field.Invalid(sel.Child("namespaces").Index(0), s.Namespaces[0], msg))
		}
	case namespace == "":
		errs = append(errs, field.Required(sel.Child("namespaces"), r.NoNamespace))
	}
	errs = append(errs, ValidateLabels(s.LabelSelectors, sel.Child("labelSelectors"))...)
	if len(s.ExpressionSelectors) > 0 {
		if _, err := metav1.LabelSelectorAsSelector(&metav1.LabelSelector{MatchExpressions: s.ExpressionSelectors}); err != nil {
			errs = append(errs, field.Invalid(sel.Child("expressionSelectors"), s.ExpressionSelectors, err.Error()))
		}
	}
	if r.Nodes {
		for i, n := range s.Nodes {
			for _, msg := range validation.IsDNS1123Subdomain(n) {
				errs = append(errs, field.Invalid(sel.Child("nodes").Index(i), n, msg))
			}
		}
	}
	if s.FieldSelectors != nil {
		errs = append(errs, field.Invalid(sel.Child("fieldSelectors"), s.FieldSelectors, r.Refused))
	}
	if s.AnnotationSelectors != nil {
		errs = append(errs, field.Invalid(sel.Child("annotationSelectors"), s.AnnotationSelectors, r.Refused))
	}
	if !r.Nodes && s.Nodes != nil {
		errs = append(errs, field.Invalid(sel.Child("nodes"), s.Nodes, r.Refused))
	}
	if s.Pods != nil {
		errs = append(errs, field.Invalid(sel.Child("pods"), s.Pods, r.Refused))
	}
	if s.NodeSelectors != nil {
		errs = append(errs, field.Invalid(sel.Child("nodeSelectors"), s.NodeSelectors, r.Refused))
	}
	if s.PodPhaseSelectors != nil {
		errs = append(errs, field.Invalid(sel.Child("podPhaseSelectors"), s.PodPhaseSelectors, r.Refused))
	}
	if r.Mode != nil {
		errs = append(errs, r.Mode(ps.Mode, ps.Value, spec)...)
	}
	return errs
}

// PodNamespace is the namespace a validated pod selector targets: its own,
// else the chaos object's, as Chaos Mesh defaults it.
func PodNamespace(ps *chaosv1alpha1.PodSelector, objNamespace string) string {
	if len(ps.Selector.Namespaces) == 1 {
		return ps.Selector.Namespaces[0]
	}
	return objNamespace
}

// PodLabelSelector is the label selector of a validated pod selector: its
// label selectors and expression selectors.
func PodLabelSelector(ps *chaosv1alpha1.PodSelector) (labels.Selector, error) {
	sel, err := metav1.LabelSelectorAsSelector(&metav1.LabelSelector{
		MatchLabels:      ps.Selector.LabelSelectors,
		MatchExpressions: ps.Selector.ExpressionSelectors,
	})
	if err != nil {
		return nil, fmt.Errorf("failed to parse the pod selector: %w", err)
	}
	return sel, nil
}
