package scenarios

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/internal/manifest"
)

// files holds the shipped scenarios, one per file named after the scenario.
//
//go:embed *.yaml
var files embed.FS

// ErrNotFound is wrapped by the error Load returns for a name that is not a
// shipped scenario.
var ErrNotFound = errors.New("no such scenario")

// shipped is the set of shipped scenarios.
var shipped = manifest.Set{FS: files, NotFound: ErrNotFound, Noun: "scenarios"}

// Format is the format of a scenario file: one Scenario document. An
// unknown field directly under a fault is an unknown fault kind.
var Format = &manifest.Format{
	Want:         "a " + Kind + " of apiVersion " + APIVersion,
	Kinds:        []manifest.Kind{{APIVersion: APIVersion, Kind: Kind, New: func() any { return &Scenario{} }}},
	UnknownField: unknownFaultKind,
}

// Names returns the names of the shipped scenarios, sorted.
func Names() []string { return shipped.Names() }

// Files returns the shipped scenario files by file name, such as
// "storm.yaml". The map and its contents are the caller's to keep.
func Files() map[string][]byte {
	out, err := shipped.Files()
	if err != nil {
		panic(fmt.Sprintf("failed to read the embedded scenarios: %v", err)) // cannot happen: the FS is embedded
	}
	return out
}

// Load returns the shipped scenario with the given name, parsed and
// validated. For an unknown name the error wraps ErrNotFound and lists the
// shipped scenarios.
func Load(name string) (*Scenario, error) {
	file, data, err := shipped.Read(name)
	if err != nil {
		return nil, err
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
//
// A file that cannot be read is an *Error whose problem says so, and which
// wraps the file system's error.
func LoadFile(path string) (*Scenario, error) {
	data, err := manifest.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Errs: manifest.Fields(err), cause: err}
	}
	s, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	if e := shippedNameTaken(s, data); e != nil {
		return nil, &Error{File: path, Errs: field.ErrorList{e}}
	}
	return s, nil
}

// shippedNameTaken is the error for a file that bears the name of a shipped
// scenario but is not that scenario: an edited copy. Its runs would be
// recorded in the history, and weighed by promote, as the shipped one's.
// An unchanged copy is the shipped scenario and may keep its name.
func shippedNameTaken(s *Scenario, data []byte) *field.Error {
	name := s.Metadata.Name
	if !slices.Contains(Names(), name) {
		return nil
	}
	if shippedData, ok := Files()[name+".yaml"]; ok && bytes.Equal(shippedData, data) {
		return nil
	}
	return field.Invalid(field.NewPath("metadata", "name"), name, fmt.Sprintf(
		"is the name of a shipped scenario, and this file differs from scenarios/%s.yaml: give your copy its own name, such as "+
			"metadata.name: my-%s in a file my-%s.yaml, so that its runs are not recorded (and weighed by interlock promote) as the shipped scenario's",
		name, name, name))
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
	docs, err := Format.Decode(file, data)
	errs := manifest.Fields(err)
	if len(docs) == 0 {
		return nil, &Error{File: file, Errs: errs}
	}
	s := docs[0].Object.(*Scenario)
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

	// cause is the error behind the problems, such as the file system's
	// error for a file that could not be read.
	cause error
}

// Lines returns one line per problem, "FILE: FIELD: PROBLEM", or
// "FILE: PROBLEM" for a problem with the whole file.
func (e *Error) Lines() []string {
	lines := make([]string, 0, len(e.Errs))
	for _, fe := range e.Errs {
		lines = append(lines, manifest.Line(e.File, 0, fe.Field, fe.ErrorBody()))
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

// Unwrap returns each problem as a *field.Error, for errors.As, and the
// error behind them, if any, for errors.Is.
func (e *Error) Unwrap() []error {
	out := make([]error, 0, len(e.Errs)+1)
	for _, fe := range e.Errs {
		out = append(out, fe)
	}
	if e.cause != nil {
		out = append(out, e.cause)
	}
	return out
}

// faultKindPath matches the path of a field directly under a fault.
var faultKindPath = regexp.MustCompile(`^spec\.faults\[\d+\]\.([^.\[]+)$`)

// unknownFaultKind describes an unknown field directly under a fault as an
// unknown fault kind, and leaves any other unknown field to the decoder.
func unknownFaultKind(path string) *field.Error {
	m := faultKindPath.FindStringSubmatch(path)
	if m == nil {
		return nil
	}
	return &field.Error{Type: field.ErrorTypeNotSupported, Field: path, BadValue: m[1],
		Detail: "unknown fault kind: must be one of " + strings.Join(FaultKinds, ", ")}
}
