package docgen

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"time"

	"github.com/invopop/jsonschema"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/scenarios"
)

// Module is the module's path, which Go comments are read under.
const Module = "github.com/interlock-dev/interlock"

// Schema is one generated JSON Schema of docs/schema.
type Schema struct {
	// File is the schema's path from the repository's root.
	File string
	// ID is the schema's $id.
	ID string
	// Title and Description head the schema.
	Title, Description string
	// Type is a value of the Go type the schema describes.
	Type any
	// Comments are the packages, from the repository's root, whose Go
	// comments become the schema's descriptions.
	Comments []string
}

// Schemas are the JSON Schemas generated from the Go types: the scenario
// file (which editors use through the yaml-language-server header of each
// shipped scenario) and the scorecard's JSON form.
var Schemas = []Schema{
	{File: "docs/schema/scenario.schema.json", ID: "https://interlock.dev/schema/scenario.schema.json",
		Title:       "interlock Scenario",
		Description: "A scenario file: a cluster fixture, faults on a timeline, the automations under test and what the run must show (docs/scenarios.md).",
		Type:        &scenarios.Scenario{}, Comments: []string{"scenarios", "api/v1alpha1"}},
	{File: "docs/schema/scorecard.schema.json", ID: "https://interlock.dev/schema/scorecard.schema.json",
		Title:       "interlock Scorecard",
		Description: "The result of one run, in its JSON form (harness/scorecard/FORMAT.md).",
		Type:        &scorecard.Scorecard{}, Comments: []string{"harness/scorecard"}},
}

// Generate renders s as indented JSON. root is the repository's root, where
// the Go comments are read.
func (s Schema) Generate(root string) ([]byte, error) {
	r := &jsonschema.Reflector{
		ExpandedStruct: true,
		Mapper:         mapType,
	}
	// The comments are keyed by import path, joined from a base and the
	// directory walked: the base is where this process runs, in the module.
	base, err := moduleDir(root)
	if err != nil {
		return nil, err
	}
	for _, dir := range s.Comments {
		if err := r.AddGoComments(base, filepath.Join(root, dir)); err != nil {
			return nil, fmt.Errorf("failed to read the Go comments of %s: %w", dir, err)
		}
	}
	sch := r.Reflect(s.Type)
	sch.ID = jsonschema.ID(s.ID)
	sch.Title, sch.Description = s.Title, s.Description
	out, err := json.MarshalIndent(sch, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("failed to encode the schema %s: %w", s.File, err)
	}
	return append(out, '\n'), nil
}

// moduleDir is the import path of the working directory, given that root
// is the module's root.
func moduleDir(root string) (string, error) {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(absRoot, wd)
	if err != nil {
		return "", err
	}
	return path.Join(Module, filepath.ToSlash(rel)), nil
}

// mapType gives the types that decode from something other than their Go
// shape the shape they take in a file.
func mapType(t reflect.Type) *jsonschema.Schema {
	switch t {
	case reflect.TypeOf(scenarios.Duration{}), reflect.TypeOf(metav1.Duration{}):
		return &jsonschema.Schema{Type: "string", Description: "a Go duration, such as 90s, 5m or 1h30m",
			Pattern: `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`}
	case reflect.TypeOf(resource.Quantity{}):
		return &jsonschema.Schema{OneOf: []*jsonschema.Schema{{Type: "string"}, {Type: "number"}},
			Description: "a Kubernetes quantity, such as 450m or 2"}
	case reflect.TypeOf(intstr.IntOrString{}):
		return &jsonschema.Schema{OneOf: []*jsonschema.Schema{{Type: "string"}, {Type: "integer"}}}
	case reflect.TypeOf(metav1.Time{}), reflect.TypeOf(time.Time{}):
		return &jsonschema.Schema{Type: "string", Format: "date-time"}
	}
	return nil
}
