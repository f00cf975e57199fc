package scenarios

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/internal/manifest"
)

// UseRBACFile replaces the scenario's spec.rbac with the rules in a file
// (see ParseRBAC), so that an external remediator (--remediator-cmd) runs
// with the rights it needs rather than those the scenario names or the
// built-in remediator's. Nothing changes unless the whole file is valid; the
// error names the file and the field path of each problem.
func (s *Scenario) UseRBACFile(path string) error {
	data, err := manifest.ReadFile(path)
	if err != nil {
		return fmt.Errorf("failed to read RBAC rules: %w", err)
	}
	rules, err := ParseRBAC(path, data)
	if err != nil {
		return err
	}
	s.Spec.RBAC = rules
	return nil
}

const rbacAPIVersion = "rbac.authorization.k8s.io/v1"

// RBACFormat is the format of an RBAC file: one document, either a list of
// rbac/v1 PolicyRules or a ClusterRole of apiVersion
// rbac.authorization.k8s.io/v1.
var RBACFormat = &manifest.Format{
	Want:  "a YAML list of rbac/v1 PolicyRules, or a ClusterRole of apiVersion " + rbacAPIVersion + " whose rules are taken",
	Kinds: []manifest.Kind{{APIVersion: rbacAPIVersion, Kind: "ClusterRole", New: func() any { return &rbacv1.ClusterRole{} }}},
	List:  func() any { return &[]rbacv1.PolicyRule{} },
}

// ParseRBAC decodes the rules in one YAML document: either a list of
// rbac/v1 PolicyRules or a ClusterRole (apiVersion
// rbac.authorization.k8s.io/v1), whose rules it returns. Decoding is strict,
// and each rule must name its verbs and either resources with their API
// groups or non-resource URLs, as spec.rbac's rules must. file is named in
// the error, an *Error with the field path of each problem: "[0].verbs" in
// a list, "rules[0].verbs" in a ClusterRole.
func ParseRBAC(file string, data []byte) ([]rbacv1.PolicyRule, error) {
	docs, err := RBACFormat.Decode(file, data)
	errs := manifest.Fields(err)
	var rules []rbacv1.PolicyRule
	if len(docs) == 1 {
		var root *field.Path
		var ruleErrs field.ErrorList
		rules, root, ruleErrs = rulesIn(docs[0])
		if ruleErrs == nil && len(rules) == 0 {
			// A nil root (a list) is the whole file: field.Required would name it "<nil>".
			ruleErrs = append(ruleErrs, &field.Error{Type: field.ErrorTypeRequired, Field: pathString(root), BadValue: "",
				Detail: "no rules: list what the remediator may do"})
		}
		if ruleErrs == nil {
			ruleErrs = ruleErrors(rules, root)
		}
		errs = append(errs, ruleErrs...)
	}
	if len(errs) > 0 {
		for _, e := range errs {
			// The rules of a list are "[0]", not "[][0]" as a path from "" would say.
			e.Field = strings.TrimPrefix(e.Field, "[]")
		}
		return nil, &Error{File: file, Errs: errs}
	}
	return rules, nil
}

// rulesIn returns the rules of a decoded RBAC document and the path they
// are found at, nil for a list. The rules of an aggregated ClusterRole are
// not in the document: that is a problem.
func rulesIn(d manifest.Document) ([]rbacv1.PolicyRule, *field.Path, field.ErrorList) {
	switch o := d.Object.(type) {
	case *[]rbacv1.PolicyRule:
		return *o, nil, nil
	case *rbacv1.ClusterRole:
		if o.AggregationRule != nil {
			return nil, nil, field.ErrorList{field.Forbidden(field.NewPath("aggregationRule"),
				"the rules of an aggregated ClusterRole are filled in by the API server: list the rules themselves")}
		}
		return o.Rules, field.NewPath("rules"), nil
	}
	return nil, nil, field.ErrorList{manifest.Invalid(nil, "unexpected RBAC document %T", d.Object)}
}

// ruleErrors checks that each rule names its verbs and either resources
// with their API groups or non-resource URLs. root is the path of the list.
func ruleErrors(rules []rbacv1.PolicyRule, root *field.Path) field.ErrorList {
	var errs field.ErrorList
	if root == nil {
		root = field.NewPath("")
	}
	for i, r := range rules {
		p := root.Index(i)
		if len(r.Verbs) == 0 {
			errs = append(errs, field.Required(p.Child("verbs"), "name the verbs the rule grants"))
		}
		switch {
		case len(r.NonResourceURLs) > 0 && (len(r.Resources) > 0 || len(r.APIGroups) > 0 || len(r.ResourceNames) > 0):
			errs = append(errs, field.Forbidden(p.Child("nonResourceURLs"), "a rule grants either resources or non-resource URLs, not both"))
		case len(r.NonResourceURLs) > 0:
		case len(r.Resources) == 0:
			errs = append(errs, field.Required(p.Child("resources"), "name the resources the rule grants"))
		case len(r.APIGroups) == 0:
			errs = append(errs, field.Required(p.Child("apiGroups"), `name the API groups of the resources ("" for the core group)`))
		}
	}
	return errs
}

func pathString(p *field.Path) string {
	if p == nil {
		return ""
	}
	return p.String()
}
