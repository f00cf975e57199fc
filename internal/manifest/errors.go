package manifest

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Problem is one thing wrong in a file.
type Problem struct {
	// Document is the 1-based index of the document the problem is in, set
	// only in files that hold more than one document.
	Document int
	// Fatal reports that the file could not be read, split into documents
	// or parsed as YAML, so nothing in it from there on was checked.
	Fatal bool
	// Err says where and what: Field is the field path, such as
	// "spec.budget.maxActions", empty for a whole document or file; Detail
	// says what is wrong in plain words.
	Err *field.Error
	// Cause is the error behind the problem, if there is one, such as the
	// file system's error for a file that could not be read.
	Cause error
}

// Error lists every problem found in one file.
type Error struct {
	// File is the path or name of the file, as given to Decode or ReadFile.
	File string
	// Problems are in the order of the documents, then of the fields.
	Problems []Problem
}

// Error returns one line per problem (see Line).
func (e *Error) Error() string {
	if len(e.Problems) == 0 {
		return Line(e.File, 0, "", "invalid file")
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = Line(e.File, p.Document, p.Err.Field, Message(p.Err))
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns each problem's *field.Error, and its Cause when it has
// one, for errors.As and errors.Is.
func (e *Error) Unwrap() []error {
	out := make([]error, 0, len(e.Problems))
	for _, p := range e.Problems {
		out = append(out, p.Err)
		if p.Cause != nil {
			out = append(out, p.Cause)
		}
	}
	return out
}

// Fields returns the problems' field errors.
func (e *Error) Fields() field.ErrorList {
	out := make(field.ErrorList, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.Err
	}
	return out
}

// Fatal reports whether any problem is fatal.
func (e *Error) Fatal() bool {
	for _, p := range e.Problems {
		if p.Fatal {
			return true
		}
	}
	return false
}

// Add appends problems with the given field errors, in no particular
// document.
func (e *Error) Add(errs ...*field.Error) {
	for _, fe := range errs {
		e.Problems = append(e.Problems, Problem{Err: fe})
	}
}

// Err returns e, or nil when it holds no problem.
func (e *Error) Err() error {
	if e == nil || len(e.Problems) == 0 {
		return nil
	}
	return e
}

// Fields returns the field errors of a *Error in err's chain, or nil.
func Fields(err error) field.ErrorList {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields()
	}
	return nil
}

// Line formats one problem as "FILE (document N): FIELD: MESSAGE", leaving
// out FILE when it is empty, " (document N)" when document is 0 and
// ": FIELD" when field is empty.
func Line(file string, document int, field, message string) string {
	var b strings.Builder
	b.WriteString(file)
	if document > 0 {
		fmt.Fprintf(&b, " (document %d)", document)
	}
	if field != "" {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(field)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(message)
	return b.String()
}

// Message is what a field error says is wrong, in plain words: its Detail,
// or when it has none its type and value.
func Message(e *field.Error) string {
	if e.Detail != "" {
		return e.Detail
	}
	return e.ErrorBody()
}

// Invalid is a problem with no value to show: an Invalid field error at
// path p (nil for a whole document or file) whose detail is the message.
func Invalid(p *field.Path, format string, args ...any) *field.Error {
	return &field.Error{Type: field.ErrorTypeInvalid, Field: pathString(p), BadValue: field.OmitValueType{}, Detail: fmt.Sprintf(format, args...)}
}

// pathString is p's string, "" for nil, and without the "[]" a path from
// the root of a list starts with.
func pathString(p *field.Path) string {
	if p == nil {
		return ""
	}
	return strings.TrimPrefix(p.String(), "[]")
}
