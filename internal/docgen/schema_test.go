package docgen_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/interlock-dev/interlock/internal/docgen"
	"github.com/interlock-dev/interlock/scenarios"
)

const root = "../.."

// The committed schemas are what the types generate.
func TestSchemasUpToDate(t *testing.T) {
	for _, s := range docgen.Schemas {
		t.Run(s.File, func(t *testing.T) {
			got, err := s.Generate(root)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(root, s.File))
			if err != nil {
				t.Fatalf("%v (run make generate)", err)
			}
			if !bytes.Equal(want, got) {
				t.Errorf("%s is not what the types generate: run make generate", s.File)
			}
		})
	}
}

// compile compiles the committed schema at file.
func compile(t *testing.T, file string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	f, err := os.Open(filepath.Join(root, file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(file, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(file)
	if err != nil {
		t.Fatalf("the schema %s does not compile: %v", file, err)
	}
	return sch
}

// value reads JSON (or YAML, turned to JSON) as the validator wants it.
func value(t *testing.T, data []byte) any {
	t.Helper()
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Every shipped scenario is valid against the scenario schema, carries the
// header that points editors at it, and a broken one is not.
func TestShippedScenariosMatchTheSchema(t *testing.T) {
	sch := compile(t, "docs/schema/scenario.schema.json")
	const header = "# yaml-language-server: $schema=../docs/schema/scenario.schema.json"
	for name, data := range scenarios.Files() {
		t.Run(name, func(t *testing.T) {
			if !strings.HasPrefix(string(data), header+"\n") {
				t.Errorf("%s does not start with %q", name, header)
			}
			if err := sch.Validate(value(t, data)); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		})
	}
	bad := strings.Replace(string(scenarios.Files()["storm.yaml"]), "  duration: 100s", "  duration: 100s\n  durashun: 5s", 1)
	if err := sch.Validate(value(t, []byte(bad))); err == nil {
		t.Error("a scenario with an unknown field is valid against the schema")
	}
}

// The golden scorecards are valid against the scorecard schema.
func TestScorecardsMatchTheSchema(t *testing.T) {
	sch := compile(t, "docs/schema/scorecard.schema.json")
	for _, g := range []string{"storm.json.golden", "error.json.golden"} {
		data, err := os.ReadFile(filepath.Join(root, "harness/scorecard/render/testdata", g))
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(value(t, data)); err != nil {
			t.Errorf("%s: %v", g, err)
		}
	}
}
