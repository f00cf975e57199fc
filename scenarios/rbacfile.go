package scenarios

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// UseRBACFile replaces the scenario's spec.rbac with the rules in a file
// (see ParseRBAC), so that an external remediator (--remediator-cmd) runs
// with the rights it needs rather than those the scenario names or the
// built-in remediator's. Nothing changes unless the whole file is valid; the
// error names the file and the field path of each problem.
func (s *Scenario) UseRBACFile(path string) error {
	data, err := os.ReadFile(path)
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

// rbacWant says what an RBAC file holds, for error messages.
const rbacWant = "a YAML list of rbac/v1 PolicyRules, or a ClusterRole of apiVersion " + rbacAPIVersion + " whose rules are taken"

const rbacAPIVersion = "rbac.authorization.k8s.io/v1"

// ParseRBAC decodes the rules in one YAML document: either a list of
// rbac/v1 PolicyRules or a ClusterRole (apiVersion
// rbac.authorization.k8s.io/v1), whose rules it returns. Decoding is strict,
// and each rule must name its verbs and either resources with their API
// groups or non-resource URLs, as spec.rbac's rules must. file is named in
// the error, an *Error with the field path of each problem: "[0].verbs" in
// a list, "rules[0].verbs" in a ClusterRole.
func ParseRBAC(file string, data []byte) ([]rbacv1.PolicyRule, error) {
	rules, root, errs, ok := decodeRBAC(data)
	if ok {
		if len(rules) == 0 {
			// A nil root (a list) is the whole file: field.Required would name it "<nil>".
			errs = append(errs, &field.Error{Type: field.ErrorTypeRequired, Field: pathString(root), BadValue: "",
				Detail: "no rules: list what the remediator may do"})
		}
		errs = append(errs, ruleErrors(rules, root)...)
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

// decodeRBAC decodes the document and returns its rules, the path they are
// found at, and the problems found. ok says the rules were decoded (perhaps
// with unknown or duplicated fields), so they can be checked further.
func decodeRBAC(data []byte) (rules []rbacv1.PolicyRule, root *field.Path, errs field.ErrorList, ok bool) {
	fileError := func(format string, args ...any) field.ErrorList {
		return field.ErrorList{&field.Error{Type: field.ErrorTypeInvalid, BadValue: field.OmitValueType{}, Detail: fmt.Sprintf(format, args...)}}
	}
	var docs [][]byte
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fileError("failed to split YAML documents: %v", err), false
		}
		j, err := yaml.YAMLToJSONStrict(raw)
		if err != nil {
			return nil, nil, fileError("invalid YAML: %s", strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")), false
		}
		if t := bytes.TrimSpace(j); len(t) == 0 || bytes.Equal(t, []byte("null")) {
			continue
		}
		docs = append(docs, bytes.TrimSpace(j))
	}
	switch len(docs) {
	case 0:
		return nil, nil, fileError("no document: want %s", rbacWant), false
	case 1:
	default:
		return nil, nil, fileError("%d documents: want one, %s", len(docs), rbacWant), false
	}
	j := docs[0]

	switch j[0] {
	case '[':
		errs, ok = strictDecode(j, &rules)
		return rules, nil, errs, ok
	case '{':
	default:
		return nil, nil, fileError("not a list or a mapping: want %s", rbacWant), false
	}
	var head struct {
		APIVersion any `json:"apiVersion"`
		Kind       any `json:"kind"`
	}
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(j, &head); err != nil {
		return nil, nil, fileError("failed to decode: %v", err), false
	}
	errs = append(errs, checkHead(field.NewPath("apiVersion"), head.APIVersion, rbacAPIVersion)...)
	errs = append(errs, checkHead(field.NewPath("kind"), head.Kind, "ClusterRole")...)
	if len(errs) > 0 {
		return nil, nil, errs, false
	}
	var role rbacv1.ClusterRole
	if errs, ok = strictDecode(j, &role); !ok {
		return nil, nil, errs, false
	}
	if role.AggregationRule != nil {
		return nil, nil, append(errs, field.Forbidden(field.NewPath("aggregationRule"),
			"the rules of an aggregated ClusterRole are filled in by the API server: list the rules themselves")), false
	}
	return role.Rules, field.NewPath("rules"), errs, true
}

// strictDecode decodes j into v, reporting unknown, duplicated and mistyped
// fields with their paths. ok is false when v could not be decoded.
func strictDecode(j []byte, v any) (errs field.ErrorList, ok bool) {
	strict, err := sigsjson.UnmarshalStrict(j, v)
	if err != nil {
		if errs := locate(j, v); len(errs) > 0 {
			return errs, false
		}
		return field.ErrorList{&field.Error{Type: field.ErrorTypeInvalid, BadValue: field.OmitValueType{},
			Detail: "failed to decode: " + strings.TrimPrefix(err.Error(), "json: ")}}, false
	}
	for _, se := range strict {
		errs = append(errs, strictError(se))
	}
	return errs, true
}

// ruleErrors checks that each rule names its verbs and either resources
// with their API groups or non-resource URLs. root is the path of the list.
func ruleErrors(rules []rbacv1.PolicyRule, root *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, r := range rules {
		p := indexed(root, i)
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
