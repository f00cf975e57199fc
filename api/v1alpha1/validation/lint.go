package validation

import (
	"errors"
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/internal/manifest"
)

// Lint loads every file and reports every problem in it: problems decoding
// it (LoadFile), an incomplete SafetyCase (Validate), an Automation that
// cannot run at its rung (ValidateAutomation). An Automation's
// spec.safetyCaseRef is resolved against the SafetyCases in all the files
// given, in the Automation's namespace. Findings come in the order of the
// files, then of the documents in each file; a path given twice is linted
// once. No findings means clean.
func Lint(paths ...string) []Finding {
	inputs := make([]input, 0, len(paths))
	seen := map[string]bool{}
	for _, p := range paths {
		if seen[p] {
			continue
		}
		seen[p] = true
		docs, err := LoadFile(p)
		inputs = append(inputs, input{name: p, docs: docs, err: err})
	}
	return lint(inputs)
}

// LintFiles is Lint for files already in memory, keyed by name, such as
// those embedded in a binary. Findings come in the order of the names.
func LintFiles(files map[string][]byte) []Finding {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	inputs := make([]input, 0, len(names))
	for _, name := range names {
		docs, err := Decode(name, files[name])
		inputs = append(inputs, input{name: name, docs: docs, err: err})
	}
	return lint(inputs)
}

// input is one loaded file.
type input struct {
	name string
	docs []Document
	err  error
}

func lint(inputs []input) []Finding {
	cases := map[string]Document{}
	for _, in := range inputs {
		for _, d := range in.docs {
			if d.SafetyCase == nil || d.SafetyCase.Name == "" {
				continue
			}
			key := d.SafetyCase.Namespace + "/" + d.SafetyCase.Name
			if _, ok := cases[key]; !ok {
				cases[key] = d
			}
		}
	}
	var findings []Finding
	for _, in := range inputs {
		file := loadFindings(in.name, in.err)
		// Findings name the document only in files with more than one;
		// Decode has already cleared it otherwise.
		multi := len(in.docs) > 1
		for _, f := range file {
			multi = multi || f.Document > 0
		}
		for _, d := range in.docs {
			doc := 0
			if multi {
				doc = d.Index
			}
			for _, e := range validateDocument(d, cases) {
				file = append(file, Finding{File: d.File, Document: doc, Field: e.Field, Message: manifest.Message(e)})
			}
		}
		sort.SliceStable(file, func(i, j int) bool { return file[i].Document < file[j].Document })
		findings = append(findings, file...)
	}
	return findings
}

// loadFindings unpacks the *Finding values joined in a LoadFile error.
func loadFindings(file string, err error) []Finding {
	if err == nil {
		return nil
	}
	var errs []error
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	} else {
		errs = []error{err}
	}
	out := make([]Finding, 0, len(errs))
	for _, e := range errs {
		var f *Finding
		if errors.As(e, &f) {
			out = append(out, *f)
			continue
		}
		out = append(out, Finding{File: file, Message: e.Error(), Fatal: true, err: e})
	}
	return out
}

// validateDocument validates one decoded document; cases holds the
// SafetyCases of the lint set by namespace/name.
func validateDocument(d Document, cases map[string]Document) field.ErrorList {
	meta := field.NewPath("metadata")
	var errs field.ErrorList
	switch {
	case d.SafetyCase != nil:
		sc := d.SafetyCase
		if sc.Name == "" {
			errs = append(errs, field.Required(meta.Child("name"), "name is missing"))
		} else if first := cases[sc.Namespace+"/"+sc.Name]; first.File != d.File || first.Index != d.Index {
			errs = append(errs, &field.Error{
				Type:     field.ErrorTypeDuplicate,
				Field:    meta.Child("name").String(),
				BadValue: sc.Name,
				Detail:   fmt.Sprintf("another SafetyCase named %q is in %s (document %d)", sc.Name, first.File, first.Index),
			})
		}
		errs = append(errs, Validate(&sc.Spec, field.NewPath("spec"))...)
	case d.Automation != nil:
		a := d.Automation
		if a.Name == "" {
			errs = append(errs, field.Required(meta.Child("name"), "name is missing"))
		}
		resolve := func(name string) (*v1alpha1.SafetyCaseSpec, error) {
			sc, ok := cases[a.Namespace+"/"+name]
			if !ok {
				if a.Namespace == "" {
					return nil, fmt.Errorf("no SafetyCase named %q among the files linted", name)
				}
				return nil, fmt.Errorf("no SafetyCase named %q in namespace %q among the files linted", name, a.Namespace)
			}
			return &sc.SafetyCase.Spec, nil
		}
		errs = append(errs, ValidateAutomation(a, resolve)...)
	}
	return errs
}

// Fatal reports whether any finding is fatal: a file that could not be
// read or parsed, as opposed to a problem in what it says.
func Fatal(findings []Finding) bool {
	for _, f := range findings {
		if f.Fatal {
			return true
		}
	}
	return false
}
