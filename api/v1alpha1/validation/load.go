package validation

import (
	"errors"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/internal/manifest"
)

// The kinds a safety-case file may hold.
const (
	// KindSafetyCase is a SafetyCase document.
	KindSafetyCase = "SafetyCase"
	// KindAutomation is an Automation document, which carries or references a safety case.
	KindAutomation = "Automation"
)

// Format is the format of a safety-case file: one or more SafetyCase or
// Automation documents of apiVersion interlock.dev/v1alpha1.
var Format = &manifest.Format{
	Want:  "SafetyCase or Automation documents of apiVersion " + v1alpha1.GroupVersion.String(),
	Multi: true,
	Kinds: []manifest.Kind{
		{APIVersion: v1alpha1.GroupVersion.String(), Kind: KindSafetyCase, New: func() any { return &v1alpha1.SafetyCase{} }},
		{APIVersion: v1alpha1.GroupVersion.String(), Kind: KindAutomation, New: func() any { return &v1alpha1.Automation{} }},
	},
}

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
func (f Finding) String() string { return manifest.Line(f.File, f.Document, f.Field, f.Message) }

// Error returns f.String().
func (f *Finding) Error() string { return f.String() }

// Unwrap returns the underlying error, if there is one.
func (f *Finding) Unwrap() error { return f.err }

// LoadFile reads a YAML file holding one or more documents, separated by
// "---" lines, each a SafetyCase or an Automation of apiVersion
// interlock.dev/v1alpha1 (see Format). Decoding is strict: an unknown or
// duplicated field is an error naming the field. See Decode for what is
// returned on error.
func LoadFile(path string) ([]Document, error) {
	data, err := manifest.ReadFile(path)
	if err != nil {
		return nil, findings(err)
	}
	return Decode(path, data)
}

// Decode decodes the documents in data, which was read from file. Every
// problem is reported, as a *Finding, in the error returned, which joins them
// with errors.Join. The documents that decoded are returned even then,
// including those with only unknown or duplicated fields, so that they can be
// validated too. A YAML syntax error is Fatal and stops decoding.
func Decode(file string, data []byte) ([]Document, error) {
	decoded, err := Format.Decode(file, data)
	docs := make([]Document, 0, len(decoded))
	for _, d := range decoded {
		doc := Document{File: d.File, Index: d.Index, Kind: d.Kind}
		switch o := d.Object.(type) {
		case *v1alpha1.SafetyCase:
			doc.SafetyCase = o
		case *v1alpha1.Automation:
			doc.Automation = o
		}
		docs = append(docs, doc)
	}
	if err != nil {
		return docs, findings(err)
	}
	return docs, nil
}

// findings turns a *manifest.Error into the join of one *Finding per problem.
func findings(err error) error {
	var me *manifest.Error
	if !errors.As(err, &me) {
		return err
	}
	errs := make([]error, len(me.Problems))
	for i, p := range me.Problems {
		f := &Finding{File: me.File, Document: p.Document, Field: p.Err.Field, Message: manifest.Message(p.Err), Fatal: p.Fatal, err: p.Cause}
		if f.err == nil {
			f.err = p.Err
		}
		errs[i] = f
	}
	return errors.Join(errs...)
}
