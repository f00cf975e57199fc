package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Kind is one kind of document a format holds.
type Kind struct {
	// APIVersion and Kind are the document's apiVersion and kind.
	APIVersion, Kind string
	// New returns a pointer to a new value to decode a document of the
	// kind into, such as &v1alpha1.SafetyCase{}.
	New func() any
}

// Format says what the files of one format hold.
type Format struct {
	// Want says in words what a file of the format holds, such as "a
	// Scenario of apiVersion interlock.dev/v1alpha1". It ends the messages
	// about a file with no document, too many, or a document of the wrong
	// shape.
	Want string
	// Kinds are the kinds of documents the format holds, YAML mappings
	// told apart by their apiVersion and kind.
	Kinds []Kind
	// List, if set, returns a pointer to a new value that a document which
	// is a YAML list decodes into. Without it a list is not a document of
	// the format.
	List func() any
	// Multi allows more than one document in a file, separated by "---"
	// lines. Without it a file holds exactly one.
	Multi bool
	// UnknownField, if set, describes an unknown field at a path, such as
	// "spec.faults[0].ioChaos"; nil from it, or no UnknownField, means the
	// plain "unknown field".
	UnknownField func(path string) *field.Error
}

// Document is one decoded document.
type Document struct {
	// File is the path or name the document was read from.
	File string
	// Index is the document's position in the file, counting from 1;
	// empty documents are not counted.
	Index int
	// APIVersion and Kind are the document's, empty for a list.
	APIVersion, Kind string
	// Object is what the Kind's New (or the format's List) returned,
	// decoded.
	Object any
}

// ReadFile reads the file at path. A file that cannot be read is an
// *Error with one fatal problem, "failed to read file: REASON", whose Cause
// is the file system's error.
func ReadFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		msg := err.Error()
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			msg = pe.Err.Error()
		}
		return nil, &Error{File: path, Problems: []Problem{{Fatal: true, Err: Invalid(nil, "failed to read file: %s", msg), Cause: err}}}
	}
	return data, nil
}

// ReadFile reads the file at path (see the function ReadFile) and decodes
// it (see Decode).
func (f *Format) ReadFile(path string) ([]Document, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return f.Decode(path, data)
}

// Decode decodes the documents in data, which was read from file, strictly:
// an unknown or duplicated field, a value of the wrong type, a document of
// a kind the format does not hold are all problems, each with its field
// path. The error, nil or an *Error, lists every problem. The documents
// returned are those that decoded, even with unknown or duplicated fields,
// so that they can be validated too; a document with any other problem is
// left out. Invalid YAML is fatal and stops decoding at that document.
func (f *Format) Decode(file string, data []byte) ([]Document, error) {
	raw, stop := split(data)
	e := &Error{File: file}
	switch {
	case len(raw) == 0 && stop == nil:
		e.Problems = append(e.Problems, Problem{Fatal: true, Err: Invalid(nil, "no document: want %s", f.Want)})
		return nil, e
	case len(raw) > 1 && !f.Multi:
		e.Problems = append(e.Problems, Problem{Fatal: true, Err: Invalid(nil, "%d documents: want one, %s", len(raw), f.Want)})
		return nil, e
	}
	var docs []Document
	for i, j := range raw {
		doc, errs := f.decode(j)
		for _, fe := range errs {
			e.Problems = append(e.Problems, Problem{Document: i + 1, Err: fe})
		}
		if doc != nil {
			doc.File, doc.Index = file, i+1
			docs = append(docs, *doc)
		}
	}
	if stop != nil {
		stop.Document = len(raw) + 1
		e.Problems = append(e.Problems, *stop)
	}
	if len(raw) <= 1 {
		for i := range e.Problems {
			e.Problems[i].Document = 0
		}
	}
	return docs, e.Err()
}

// split splits data into its non-empty YAML documents, each as JSON. A
// document that is not valid YAML stops it: the problem is returned with
// the documents before it.
func split(data []byte) ([][]byte, *Problem) {
	var docs [][]byte
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, &Problem{Fatal: true, Err: Invalid(nil, "failed to split YAML documents: %s", oneLine(err.Error())), Cause: err}
		}
		j, err := yaml.YAMLToJSONStrict(raw)
		if err != nil {
			msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
			return docs, &Problem{Fatal: true, Err: Invalid(nil, "invalid YAML: %s", oneLine(msg)), Cause: err}
		}
		j = bytes.TrimSpace(j)
		if len(j) == 0 || bytes.Equal(j, []byte("null")) {
			continue // an empty document, such as a comment before the first "---"
		}
		docs = append(docs, j)
	}
}

// oneLine keeps a message that spans lines, such as the YAML parser's, on
// one line, so that each problem is one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// decode decodes one document, given as JSON. It returns nil for a document
// that did not decode in full.
func (f *Format) decode(j []byte) (*Document, field.ErrorList) {
	switch j[0] {
	case '[':
		if f.List == nil {
			return nil, field.ErrorList{Invalid(nil, "not a mapping: want %s", f.Want)}
		}
		obj := f.List()
		errs, ok := Strict(j, obj, f.UnknownField)
		if !ok {
			return nil, errs
		}
		return &Document{Object: obj}, errs
	case '{':
	default:
		if f.List != nil {
			return nil, field.ErrorList{Invalid(nil, "not a list or a mapping: want %s", f.Want)}
		}
		return nil, field.ErrorList{Invalid(nil, "not a mapping: want %s", f.Want)}
	}
	var head struct {
		APIVersion any `json:"apiVersion"`
		Kind       any `json:"kind"`
	}
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(j, &head); err != nil {
		return nil, field.ErrorList{Invalid(nil, "failed to decode: %s", strings.TrimPrefix(err.Error(), "json: "))}
	}
	k, errs := f.kind(head.APIVersion, head.Kind)
	if len(errs) > 0 {
		return nil, errs
	}
	obj := k.New()
	errs, ok := Strict(j, obj, f.UnknownField)
	if !ok {
		return nil, errs
	}
	return &Document{APIVersion: k.APIVersion, Kind: k.Kind, Object: obj}, errs
}

// Head checks a document's apiVersion and kind against the format's kinds,
// as Decode does, for a value built in Go rather than decoded.
func (f *Format) Head(apiVersion, kind string) field.ErrorList {
	_, errs := f.kind(apiVersion, kind)
	return errs
}

// kind finds the format's kind of the given apiVersion and kind, which may
// be any JSON value, or reports why there is none: the apiVersion and the
// kind are each checked, so that both are reported when both are wrong.
func (f *Format) kind(apiVersion, kind any) (*Kind, field.ErrorList) {
	var versions []string
	for _, k := range f.Kinds {
		if !slices.Contains(versions, k.APIVersion) {
			versions = append(versions, k.APIVersion)
		}
	}
	errs := checkHead(field.NewPath("apiVersion"), apiVersion, versions)
	var kinds []string
	for _, k := range f.Kinds {
		if (len(errs) > 0 || k.APIVersion == apiVersion) && !slices.Contains(kinds, k.Kind) {
			kinds = append(kinds, k.Kind)
		}
	}
	errs = append(errs, checkHead(field.NewPath("kind"), kind, kinds)...)
	if len(errs) > 0 {
		return nil, errs
	}
	for i, k := range f.Kinds {
		if k.APIVersion == apiVersion && k.Kind == kind {
			return &f.Kinds[i], nil
		}
	}
	return nil, field.ErrorList{field.InternalError(field.NewPath("kind"), fmt.Errorf("no kind %v of apiVersion %v", kind, apiVersion))}
}

// checkHead checks the apiVersion or kind at p against the values allowed.
func checkHead(p *field.Path, got any, want []string) field.ErrorList {
	name := p.String()
	must := "must be " + orList(want)
	switch v := got.(type) {
	case nil:
		return field.ErrorList{{Type: field.ErrorTypeRequired, Field: name, BadValue: "", Detail: name + " is missing: " + must}}
	case string:
		if v == "" {
			return field.ErrorList{{Type: field.ErrorTypeRequired, Field: name, BadValue: "", Detail: name + " is missing: " + must}}
		}
		if slices.Contains(want, v) {
			return nil
		}
		return field.ErrorList{{Type: field.ErrorTypeNotSupported, Field: name, BadValue: field.OmitValueType{},
			Detail: fmt.Sprintf("unknown %s %q: %s", name, v, must)}}
	}
	return field.ErrorList{Invalid(p, "%s is not a string: %s", name, must)}
}

// orList joins words as "a", "a or b", "a, b or c".
func orList(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
