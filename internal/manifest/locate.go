package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	sigsjson "sigs.k8s.io/json"
)

// locate finds every value in the JSON document j that does not decode into
// its field of v's type, and reports each with its field path. The JSON
// decoder names no path for errors raised by a type's own UnmarshalJSON
// (such as a bad metav1.Duration) and stops at the first error; this walk
// does neither.
func locate(j []byte, v any) field.ErrorList {
	d := json.NewDecoder(bytes.NewReader(j))
	d.UseNumber()
	var tree any
	if err := d.Decode(&tree); err != nil {
		return nil
	}
	var errs field.ErrorList
	walk(tree, reflect.TypeOf(v).Elem(), nil, &errs)
	return errs
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// walk checks the JSON value v against the Go type t, at path p.
func walk(v any, t reflect.Type, p *field.Path, errs *field.ErrorList) {
	if t.Implements(unmarshalerType) || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(unmarshalerType)) {
		tryDecode(v, t, p, errs)
		return
	}
	if v == nil {
		return // null decodes into anything
	}
	switch t.Kind() {
	case reflect.Pointer:
		walk(v, t.Elem(), p, errs)
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			tryDecode(v, t, p, errs)
			return
		}
		fields := jsonFields(t)
		for _, k := range sortedKeys(m) {
			if ft, ok := fields[k]; ok {
				walk(m[k], ft, child(p, k), errs)
			}
		}
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok || t.Elem().Kind() == reflect.Uint8 {
			tryDecode(v, t, p, errs)
			return
		}
		for i, e := range l {
			walk(e, t.Elem(), indexed(p, i), errs)
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String {
			tryDecode(v, t, p, errs)
			return
		}
		for _, k := range sortedKeys(m) {
			walk(m[k], t.Elem(), keyed(p, k), errs)
		}
	case reflect.Interface:
	default:
		tryDecode(v, t, p, errs)
	}
}

// tryDecode decodes v into a new value of type t and reports a failure.
func tryDecode(v any, t reflect.Type, p *field.Path, errs *field.ErrorList) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	err = sigsjson.UnmarshalCaseSensitivePreserveInts(b, reflect.New(t).Interface())
	if err == nil {
		return
	}
	fe := &field.Error{Type: field.ErrorTypeInvalid, Field: pathString(p), BadValue: badValue(v)}
	if strings.Contains(err.Error(), "cannot unmarshal") {
		fe.Type = field.ErrorTypeTypeInvalid
		fe.Detail = fmt.Sprintf("wrong type: got %s, want %s", describeJSON(v), describeGoType(t))
	} else {
		fe.Detail = strings.TrimPrefix(err.Error(), "json: ")
	}
	*errs = append(*errs, fe)
}

// jsonFields maps the JSON names of t's fields, including those of inlined
// embedded structs, to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					if _, ok := out[k]; !ok {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func child(p *field.Path, name string) *field.Path {
	if p == nil {
		return field.NewPath(name)
	}
	return p.Child(name)
}

func indexed(p *field.Path, i int) *field.Path {
	if p == nil {
		p = field.NewPath("")
	}
	return p.Index(i)
}

func keyed(p *field.Path, k string) *field.Path {
	if p == nil {
		p = field.NewPath("")
	}
	return p.Key(k)
}

// badValue is what a field error shows of a JSON value: scalars as they are,
// lists and mappings left out.
func badValue(v any) any {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return x
	}
	return field.OmitValueType{}
}

// describeJSON names the kind of a JSON value.
func describeJSON(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "true or false"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return "null"
}

// describeGoType names what a Go type wants, in YAML terms.
func describeGoType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "a list"
	case reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	}
	return t.String()
}
