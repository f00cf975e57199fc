package manifest

import (
	"errors"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	sigsjson "sigs.k8s.io/json"
)

// Strict decodes the JSON document j into v, which must be a pointer, and
// reports every problem with its field path: each unknown field (described
// by unknown when it is set and returns non-nil, else "unknown field"),
// each field given more than once, and each value of the wrong type or
// that its type refuses. Field names are case-sensitive. ok says v was
// decoded, perhaps with unknown or duplicated fields, which are then the
// only problems.
func Strict(j []byte, v any, unknown func(path string) *field.Error) (errs field.ErrorList, ok bool) {
	strict, err := sigsjson.UnmarshalStrict(j, v)
	if err != nil {
		if errs := locate(j, v); len(errs) > 0 {
			return errs, false
		}
		return field.ErrorList{Invalid(nil, "failed to decode: %s", strings.TrimPrefix(err.Error(), "json: "))}, false
	}
	for _, se := range strict {
		errs = append(errs, strictError(se, unknown))
	}
	return errs, true
}

// strictError turns an unknown or duplicated field into a field error.
func strictError(err error, unknown func(path string) *field.Error) *field.Error {
	var fe sigsjson.FieldError
	if !errors.As(err, &fe) {
		return Invalid(nil, "%s", err.Error())
	}
	p := strings.TrimPrefix(fe.FieldPath(), "[]")
	if strings.HasPrefix(err.Error(), "duplicate field") {
		return &field.Error{Type: field.ErrorTypeForbidden, Field: p, BadValue: "", Detail: "field is given more than once"}
	}
	if unknown != nil {
		if e := unknown(p); e != nil {
			return e
		}
	}
	return &field.Error{Type: field.ErrorTypeForbidden, Field: p, BadValue: "", Detail: "unknown field"}
}
