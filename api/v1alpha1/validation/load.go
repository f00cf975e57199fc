package validation

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/interlock-dev/interlock/api/v1alpha1"
)

// The kinds a safety-case file may hold.
const (
	// KindSafetyCase is a SafetyCase document.
	KindSafetyCase = "SafetyCase"
	// KindAutomation is an Automation document, which carries or references a safety case.
	KindAutomation = "Automation"
)

// Document is one SafetyCase or Automation read from a file.
type Document struct {
	// File is the path (or name) the document was read from.
	File string
	// Index is the document's position in the file, counting from 1;
	// empty documents are not counted.
	Index int
	// Kind is KindSafetyCase or KindAutomation.
	Kind string
	// SafetyCase is set when Kind is KindSafetyCase.
	SafetyCase *v1alpha1.SafetyCase
	// Automation is set when Kind is KindAutomation.
	Automation *v1alpha1.Automation
}

// Name returns the document's kind and metadata name, as "SafetyCase/NAME".
func (d Document) Name() string {
	switch {
	case d.SafetyCase != nil:
		return d.Kind + "/" + d.SafetyCase.Name
	case d.Automation != nil:
		return d.Kind + "/" + d.Automation.Name
	}
	return d.Kind
}

// Finding is one problem in a safety-case file. It is also an error: the
// error LoadFile and Decode return joins one *Finding per problem, so callers
// can recover the file, document and field with errors.As.
type Finding struct {
	// File is the path (or name) of the file.
	File string `json:"file"`
	// Document is the 1-based index of the document the finding is about, set
	// only in files that hold more than one document.
	Document int `json:"document,omitempty"`
	// Field is the path of the field at fault, for example
	// "spec.budget.maxActions"; empty when the finding is about a whole
	// document or file.
	Field string `json:"field,omitempty"`
	// Message says what is wrong in plain words.
	Message string `json:"message"`
	// Fatal reports that the file could not be read or is not valid YAML, so
	// nothing else in it (from that document on) was checked.
	Fatal bool `json:"fatal,omitempty"`

	err error
}

// String formats the finding as "FILE: FIELD: MESSAGE"; FILE carries
// " (document N)" in multi-document files, and ": FIELD" is left out when
// there is no field.
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Document > 0 {
		fmt.Fprintf(&b, " (document %d)", f.Document)
	}
	if f.Field != "" {
		b.WriteString(": ")
		b.WriteString(f.Field)
	}
	b.WriteString(": ")
	b.WriteString(f.Message)
	return b.String()
}

// Error returns f.String().
func (f *Finding) Error() string { return f.String() }

// Unwrap returns the underlying error, if there is one.
func (f *Finding) Unwrap() error { return f.err }

// LoadFile reads a YAML file holding one or more documents, separated by
// "---" lines, each a SafetyCase or an Automation of apiVersion
// interlock.dev/v1alpha1. Decoding is strict: an unknown or duplicated field
// is an error naming the field. See Decode for what is returned on error.
func LoadFile(path string) ([]Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		msg := err.Error()
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			msg = pe.Err.Error()
		}
		return nil, errors.Join(&Finding{File: path, Message: "failed to read file: " + msg, Fatal: true, err: err})
	}
	return Decode(path, data)
}

// Decode decodes the documents in data, which was read from file. Every
// problem is reported, as a *Finding, in the error returned, which joins them
// with errors.Join. The documents that decoded are returned even then,
// including those with only unknown or duplicated fields, so that they can be
// validated too. A YAML syntax error is Fatal and stops decoding.
func Decode(file string, data []byte) ([]Document, error) {
	var (
		docs     []Document
		problems []*Finding
		index    int
	)
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			problems = append(problems, &Finding{File: file, Document: index + 1,
				Message: "failed to split YAML documents: " + err.Error(), Fatal: true, err: err})
			break
		}
		j, err := yaml.YAMLToJSONStrict(raw)
		if err != nil {
			problems = append(problems, &Finding{File: file, Document: index + 1,
				Message: "invalid YAML: " + strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "),
				Fatal:   true, err: err})
			break
		}
		if t := bytes.TrimSpace(j); len(t) == 0 || bytes.Equal(t, []byte("null")) {
			continue // an empty document, such as a comment before the first "---"
		}
		index++
		doc, errs := decodeDocument(file, index, j)
		problems = append(problems, errs...)
		if doc != nil {
			docs = append(docs, *doc)
		}
	}
	if index == 0 && len(problems) == 0 {
		problems = append(problems, &Finding{File: file,
			Message: "no documents: expected SafetyCase or Automation documents of apiVersion " + v1alpha1.GroupVersion.String(),
			Fatal:   true})
	}
	if index <= 1 {
		for _, p := range problems {
			p.Document = 0
		}
	}
	if len(problems) == 0 {
		return docs, nil
	}
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = p
	}
	return docs, errors.Join(errs...)
}

// decodeDocument decodes one document, given as JSON. It returns nil for a
// document that could not be decoded in full.
func decodeDocument(file string, index int, data []byte) (*Document, []*Finding) {
	problem := func(fieldPath, msg string, err error) *Finding {
		return &Finding{File: file, Document: index, Field: fieldPath, Message: msg, err: err}
	}
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(data, &head); err != nil {
		return nil, []*Finding{problem("", "document is not a YAML mapping: "+err.Error(), err)}
	}
	var problems []*Finding
	want := v1alpha1.GroupVersion.String()
	switch head.APIVersion {
	case want:
	case "":
		problems = append(problems, problem("apiVersion", "apiVersion is missing: must be "+want, nil))
	default:
		problems = append(problems, problem("apiVersion", fmt.Sprintf("unknown apiVersion %q: must be %s", head.APIVersion, want), nil))
	}
	doc := &Document{File: file, Index: index, Kind: head.Kind}
	var obj any
	switch head.Kind {
	case KindSafetyCase:
		doc.SafetyCase = &v1alpha1.SafetyCase{}
		obj = doc.SafetyCase
	case KindAutomation:
		doc.Automation = &v1alpha1.Automation{}
		obj = doc.Automation
	case "":
		problems = append(problems, problem("kind", "kind is missing: must be SafetyCase or Automation", nil))
	default:
		problems = append(problems, problem("kind", fmt.Sprintf("unknown kind %q: must be SafetyCase or Automation", head.Kind), nil))
	}
	if len(problems) > 0 {
		return nil, problems
	}
	strict, err := sigsjson.UnmarshalStrict(data, obj)
	if err != nil {
		fieldPath, msg := describeDecodeError(err)
		return nil, []*Finding{problem(fieldPath, msg, err)}
	}
	for _, s := range strict {
		fieldPath, msg := "", s.Error()
		var fe sigsjson.FieldError
		if errors.As(s, &fe) {
			fieldPath = fe.FieldPath()
			switch {
			case strings.HasPrefix(s.Error(), "unknown field"):
				msg = "unknown field"
			case strings.HasPrefix(s.Error(), "duplicate field"):
				msg = "field is given more than once"
			}
		}
		problems = append(problems, problem(fieldPath, msg, s))
	}
	return doc, problems
}

// typeError matches the message of a JSON type mismatch, which names the
// struct and the field's JSON path.
var typeError = regexp.MustCompile(`^json: cannot unmarshal (.+) into Go struct field [^.\s]+\.(\S+) of type (\S+)$`)

// describeDecodeError turns a decoding error into a field path and a plain message.
func describeDecodeError(err error) (fieldPath, msg string) {
	if m := typeError.FindStringSubmatch(err.Error()); m != nil {
		return m[2], fmt.Sprintf("wrong type: got %s, want %s", m[1], describeGoType(m[3]))
	}
	return "", "failed to decode: " + strings.TrimPrefix(err.Error(), "json: ")
}

func describeGoType(t string) string {
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	case t == "string", strings.HasSuffix(t, "Duration"):
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["), strings.Contains(t, "."):
		return "a mapping"
	}
	return t
}
