package scenarios

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// files holds the shipped scenarios, one per file named after the scenario.
//
//go:embed *.yaml
var files embed.FS

// ErrNotFound is wrapped by the error Load returns for a name that is not a
// shipped scenario.
var ErrNotFound = errors.New("no such scenario")

// Names returns the names of the shipped scenarios, sorted.
func Names() []string {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic(fmt.Sprintf("failed to list embedded scenarios: %v", err)) // cannot happen: the FS is embedded
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Files returns the shipped scenario files by file name, such as
// "storm.yaml". The map and its contents are the caller's to keep.
func Files() map[string][]byte {
	out := map[string][]byte{}
	for _, name := range Names() {
		data, err := fs.ReadFile(files, name+".yaml")
		if err != nil {
			panic(fmt.Sprintf("failed to read embedded scenario %s.yaml: %v", name, err))
		}
		out[name+".yaml"] = data
	}
	return out
}

// Load returns the shipped scenario with the given name, parsed and
// validated. For an unknown name the error wraps ErrNotFound and lists the
// shipped scenarios.
func Load(name string) (*Scenario, error) {
	file := name + ".yaml"
	if !slices.Contains(Names(), name) {
		return nil, fmt.Errorf("%w %q; shipped scenarios: %s", ErrNotFound, name, strings.Join(Names(), ", "))
	}
	data, err := fs.ReadFile(files, file)
	if err != nil {
		return nil, fmt.Errorf("failed to read scenario %s: %w", file, err)
	}
	return Parse(file, data)
}

// All returns every shipped scenario, parsed and validated, sorted by name.
// The error joins the errors of every scenario that failed.
func All() ([]*Scenario, error) {
	var (
		out  []*Scenario
		errs []error
	)
	for _, name := range Names() {
		s, err := Load(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, s)
	}
	return out, errors.Join(errs...)
}

// Patterns maps the name of every shipped scenario to the catalog patterns
// it declares it reproduces, as catalog.Coverage takes them. A scenario that
// fails to load is left out and its error joined in the error returned.
func Patterns() (map[string][]string, error) {
	all, err := All()
	m := make(map[string][]string, len(all))
	for _, s := range all {
		m[s.Name()] = []string{s.Spec.Pattern}
	}
	return m, err
}

// LoadFile reads, parses and validates a scenario file outside the shipped
// set, such as one a user wrote.
func LoadFile(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read scenario: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes one scenario strictly and validates it. file is the name or
// path the data was read from; it is named in every error, and its base name
// without ".yaml" must equal metadata.name.
//
// The error is an *Error listing every problem with its field path: unknown
// or mistyped fields first, then whatever Validate finds. A file that is
// not valid YAML, is not a Scenario, or whose fields have the wrong type is
// reported without further validation.
func Parse(file string, data []byte) (*Scenario, error) {
	s, errs := decode(data)
	if s == nil {
		return nil, &Error{File: file, Errs: errs}
	}
	s.File = file
	errs = append(errs, validate(s)...)
	if len(errs) > 0 {
		return nil, &Error{File: file, Errs: errs}
	}
	return s, nil
}

// Error lists every problem found in one scenario file.
type Error struct {
	// File is the file's name or path, as given to Parse.
	File string
	// Errs are the problems, each with the path of the field at fault; a
	// problem with the whole file has an empty Field.
	Errs field.ErrorList
}

// Lines returns one line per problem, "FILE: FIELD: PROBLEM", or
// "FILE: PROBLEM" for a problem with the whole file.
func (e *Error) Lines() []string {
	lines := make([]string, 0, len(e.Errs))
	for _, fe := range e.Errs {
		if fe.Field == "" {
			lines = append(lines, e.File+": "+fe.ErrorBody())
			continue
		}
		lines = append(lines, e.File+": "+fe.Field+": "+fe.ErrorBody())
	}
	return lines
}

// Error returns the lines, one per problem.
func (e *Error) Error() string {
	if len(e.Errs) == 0 {
		return e.File + ": invalid scenario"
	}
	return strings.Join(e.Lines(), "\n")
}

// Unwrap returns each problem as a *field.Error, for errors.As.
func (e *Error) Unwrap() []error {
	out := make([]error, len(e.Errs))
	for i, fe := range e.Errs {
		out[i] = fe
	}
	return out
}

// decode decodes one scenario document strictly. It returns nil when the
// document could not be decoded at all; otherwise it returns the scenario
// with the strict-decoding problems (unknown or duplicated fields).
func decode(data []byte) (*Scenario, field.ErrorList) {
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
			return nil, fileError("failed to split YAML documents: %v", err)
		}
		j, err := yaml.YAMLToJSONStrict(raw)
		if err != nil {
			return nil, fileError("invalid YAML: %s", strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "))
		}
		if t := bytes.TrimSpace(j); len(t) == 0 || bytes.Equal(t, []byte("null")) {
			continue // an empty document, such as a comment before "---"
		}
		docs = append(docs, j)
	}
	switch len(docs) {
	case 0:
		return nil, fileError("no document: expected a %s of apiVersion %s", Kind, APIVersion)
	case 1:
	default:
		return nil, fileError("%d documents: a scenario file holds one %s document", len(docs), Kind)
	}
	j := docs[0]

	var head struct {
		APIVersion any `json:"apiVersion"`
		Kind       any `json:"kind"`
	}
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(j, &head); err != nil {
		return nil, fileError("document is not a YAML mapping")
	}
	var errs field.ErrorList
	errs = append(errs, checkHead(field.NewPath("apiVersion"), head.APIVersion, APIVersion)...)
	errs = append(errs, checkHead(field.NewPath("kind"), head.Kind, Kind)...)
	if len(errs) > 0 {
		return nil, errs
	}

	s := &Scenario{}
	strict, err := sigsjson.UnmarshalStrict(j, s)
	if err != nil {
		errs = locate(j, s)
		if len(errs) == 0 {
			errs = fileError("failed to decode: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
		return nil, errs
	}
	for _, se := range strict {
		errs = append(errs, strictError(se))
	}
	return s, errs
}

// checkHead checks apiVersion or kind.
func checkHead(p *field.Path, got any, want string) field.ErrorList {
	switch v := got.(type) {
	case nil:
		return field.ErrorList{field.Required(p, "must be "+want)}
	case string:
		if v == want {
			return nil
		}
		return field.ErrorList{field.NotSupported(p, v, []string{want})}
	}
	return field.ErrorList{field.Invalid(p, fmt.Sprint(got), "must be the string "+want)}
}

// faultKindPath matches the path of a field directly under a fault.
var faultKindPath = regexp.MustCompile(`^spec\.faults\[\d+\]\.([^.\[]+)$`)

// strictError turns an unknown or duplicated field into a field error. An
// unknown field directly under a fault is an unknown fault kind.
func strictError(err error) *field.Error {
	var fe sigsjson.FieldError
	if !errors.As(err, &fe) {
		return &field.Error{Type: field.ErrorTypeInvalid, BadValue: field.OmitValueType{}, Detail: err.Error()}
	}
	p := fe.FieldPath()
	if strings.HasPrefix(err.Error(), "duplicate field") {
		return &field.Error{Type: field.ErrorTypeForbidden, Field: p, Detail: "field is given more than once"}
	}
	if m := faultKindPath.FindStringSubmatch(p); m != nil {
		return &field.Error{Type: field.ErrorTypeNotSupported, Field: p, BadValue: m[1],
			Detail: "unknown fault kind: must be one of " + strings.Join(FaultKinds, ", ")}
	}
	return &field.Error{Type: field.ErrorTypeForbidden, Field: p, Detail: "unknown field"}
}
