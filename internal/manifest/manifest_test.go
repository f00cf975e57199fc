package manifest_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/internal/manifest"
)

// widget and gadget are the kinds of the test formats.
type widget struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Count int             `json:"count"`
		Wait  metav1.Duration `json:"wait"`
		Parts []part          `json:"parts"`
	} `json:"spec"`
}

type part struct {
	Name string            `json:"name"`
	Tags map[string]string `json:"tags"`
}

type gadget struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

// one holds one Widget; many holds Widgets and Gadgets; list holds a list of
// parts or a Widget, and calls a field under a part a "part field".
var (
	one = &manifest.Format{
		Want:  "a Widget of apiVersion test.dev/v1",
		Kinds: []manifest.Kind{{APIVersion: "test.dev/v1", Kind: "Widget", New: func() any { return &widget{} }}},
	}
	many = &manifest.Format{
		Want:  "Widget or Gadget documents of apiVersion test.dev/v1",
		Multi: true,
		Kinds: []manifest.Kind{
			{APIVersion: "test.dev/v1", Kind: "Widget", New: func() any { return &widget{} }},
			{APIVersion: "test.dev/v1", Kind: "Gadget", New: func() any { return &gadget{} }},
		},
	}
	list = &manifest.Format{
		Want:  "a list of parts or a Widget",
		Kinds: one.Kinds,
		List:  func() any { return &[]part{} },
		UnknownField: func(path string) *field.Error {
			if strings.HasPrefix(path, "[") {
				return field.NotSupported(field.NewPath("part"), path, []string{"name", "tags"})
			}
			return nil
		},
	}
)

const valid = `apiVersion: test.dev/v1
kind: Widget
metadata:
  name: a
spec:
  count: 3
  wait: 5s
  parts:
  - name: p
    tags: {x: z}
`

// edit returns valid with old replaced by new.
func edit(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(valid, old) {
		t.Fatalf("valid has no %q", old)
	}
	return strings.Replace(valid, old, new, 1)
}

type decodeCase struct {
	format   *manifest.Format
	data     func(t *testing.T) string
	wantDocs []string // "KIND/INDEX" of the documents returned
	// wantErr are the error's lines; wantFatal says some problem is fatal.
	wantErr   []string
	wantFatal bool
}

var decodeCases = map[string]decodeCase{
	"valid": {
		format: one, data: func(*testing.T) string { return valid }, wantDocs: []string{"Widget/1"},
	},
	"comment before the first separator": {
		format: one, data: func(*testing.T) string { return "# header\n---\n" + valid }, wantDocs: []string{"Widget/1"},
	},
	"unknown fields are named and the document is still returned": {
		format:   one,
		data:     func(t *testing.T) string { return edit(t, "  count: 3\n", "  count: 3\n  colour: red\n") },
		wantDocs: []string{"Widget/1"},
		wantErr:  []string{"w.yaml: spec.colour: unknown field"},
	},
	"field names are case-sensitive": {
		format:   one,
		data:     func(t *testing.T) string { return edit(t, "count: 3", "Count: 3") },
		wantDocs: []string{"Widget/1"},
		wantErr:  []string{"w.yaml: spec.Count: unknown field"},
	},
	"wrong types are each found": {
		format: one,
		data: func(t *testing.T) string {
			return strings.Replace(edit(t, "count: 3", "count: three"), "tags: {x: z}", "tags: [x]", 1)
		},
		wantErr: []string{
			"w.yaml: spec.count: wrong type: got a string, want a whole number",
			"w.yaml: spec.parts[0].tags: wrong type: got a list, want a mapping",
		},
	},
	"a value its type refuses": {
		format:  one,
		data:    func(t *testing.T) string { return edit(t, "wait: 5s", "wait: five seconds") },
		wantErr: []string{`w.yaml: spec.wait: time: invalid duration "five seconds"`},
	},
	"a duplicated key is invalid YAML, on one line": {
		format:    one,
		data:      func(t *testing.T) string { return edit(t, "kind: Widget\n", "kind: Widget\nkind: Widget\n") },
		wantErr:   []string{`w.yaml: invalid YAML: yaml: unmarshal errors: line 3: key "kind" already set in map`},
		wantFatal: true,
	},
	"not YAML": {
		format:    one,
		data:      func(*testing.T) string { return "spec: [\n" },
		wantErr:   []string{"w.yaml: invalid YAML: yaml: line 1: did not find expected node content"},
		wantFatal: true,
	},
	"no document": {
		format:    one,
		data:      func(*testing.T) string { return "# nothing\n---\n" },
		wantErr:   []string{"w.yaml: no document: want a Widget of apiVersion test.dev/v1"},
		wantFatal: true,
	},
	"two documents where one is wanted": {
		format:    one,
		data:      func(*testing.T) string { return valid + "---\n" + valid },
		wantErr:   []string{"w.yaml: 2 documents: want one, a Widget of apiVersion test.dev/v1"},
		wantFatal: true,
	},
	"not a mapping": {
		format:  one,
		data:    func(*testing.T) string { return "- a\n- b\n" },
		wantErr: []string{"w.yaml: not a mapping: want a Widget of apiVersion test.dev/v1"},
	},
	"not a list or a mapping": {
		format:  list,
		data:    func(*testing.T) string { return "parts\n" },
		wantErr: []string{"w.yaml: not a list or a mapping: want a list of parts or a Widget"},
	},
	"a list": {
		format: list, data: func(*testing.T) string { return "- name: a\n- name: b\n" }, wantDocs: []string{"/1"},
	},
	"paths in a list start with the index": {
		format:   list,
		data:     func(*testing.T) string { return "- name: a\n- tags: x\n" },
		wantErr:  []string{"w.yaml: [1].tags: wrong type: got a string, want a mapping"},
		wantDocs: nil,
	},
	"UnknownField describes an unknown field": {
		format:   list,
		data:     func(*testing.T) string { return "- name: a\n  nmae: b\n" },
		wantErr:  []string{`w.yaml: part: supported values: "name", "tags"`},
		wantDocs: []string{"/1"},
	},
	"wrong apiVersion and kind": {
		format: one,
		data: func(t *testing.T) string {
			return edit(t, "apiVersion: test.dev/v1\nkind: Widget\n", "apiVersion: apps/v1\nkind: Deployment\n")
		},
		wantErr: []string{
			`w.yaml: apiVersion: unknown apiVersion "apps/v1": must be test.dev/v1`,
			`w.yaml: kind: unknown kind "Deployment": must be Widget`,
		},
	},
	"missing kind": {
		format:  many,
		data:    func(t *testing.T) string { return edit(t, "kind: Widget\n", "") },
		wantErr: []string{"w.yaml: kind: kind is missing: must be Widget or Gadget"},
	},
	"kind not a string": {
		format:  one,
		data:    func(t *testing.T) string { return edit(t, "kind: Widget", "kind: [Widget]") },
		wantErr: []string{"w.yaml: kind: kind is not a string: must be Widget"},
	},
	"documents are numbered in a file of several": {
		format: many,
		data: func(*testing.T) string {
			return valid + "---\napiVersion: test.dev/v1\nkind: Gadget\n---\napiVersion: v1\nkind: Gadget\n---\n" +
				"apiVersion: test.dev/v1\nkind: Gadget\nspec: {}\n"
		},
		wantDocs: []string{"Widget/1", "Gadget/2", "Gadget/4"},
		wantErr: []string{
			`w.yaml (document 3): apiVersion: unknown apiVersion "v1": must be test.dev/v1`,
			"w.yaml (document 4): spec: unknown field",
		},
	},
	"invalid YAML stops decoding after the documents before it": {
		format: many,
		data: func(*testing.T) string {
			return valid + "---\napiVersion: test.dev/v1\nkind: Gadget\n---\nkind: [\n---\n" + valid
		},
		wantDocs:  []string{"Widget/1", "Gadget/2"},
		wantErr:   []string{"w.yaml (document 3): invalid YAML: yaml: line 1: did not find expected node content"},
		wantFatal: true,
	},
}

func TestDecode(t *testing.T) {
	for name, tc := range decodeCases {
		t.Run(name, func(t *testing.T) {
			docs, err := tc.format.Decode("w.yaml", []byte(tc.data(t)))
			var gotDocs []string
			for _, d := range docs {
				gotDocs = append(gotDocs, d.Kind+"/"+strconv.Itoa(d.Index))
				if d.File != "w.yaml" || d.Object == nil {
					t.Errorf("document %d: file %q, object %v", d.Index, d.File, d.Object)
				}
			}
			if diff := cmp.Diff(tc.wantDocs, gotDocs); diff != "" {
				t.Errorf("documents (-want +got):\n%s", diff)
			}
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			var me *manifest.Error
			if !errors.As(err, &me) {
				t.Fatalf("error %v is not a *manifest.Error", err)
			}
			if diff := cmp.Diff(tc.wantErr, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if me.Fatal() != tc.wantFatal {
				t.Errorf("Fatal() = %t, want %t", me.Fatal(), tc.wantFatal)
			}
			if len(manifest.Fields(err)) != len(tc.wantErr) {
				t.Errorf("Fields(err) has %d errors, want %d", len(manifest.Fields(err)), len(tc.wantErr))
			}
		})
	}
}

func TestDecodeObject(t *testing.T) {
	docs, err := one.Decode("w.yaml", []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	w, ok := docs[0].Object.(*widget)
	if !ok || w.Metadata.Name != "a" || w.Spec.Count != 3 || w.Spec.Wait.Duration.String() != "5s" || w.Spec.Parts[0].Tags["x"] != "z" {
		t.Errorf("decoded %+v", docs[0].Object)
	}
}

func TestReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.yaml")
	_, err := one.ReadFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile of a missing file = %v, want an error wrapping fs.ErrNotExist", err)
	}
	var me *manifest.Error
	if !errors.As(err, &me) || !me.Fatal() {
		t.Fatalf("ReadFile of a missing file = %v, want a fatal *manifest.Error", err)
	}
	if want := path + ": failed to read file: no such file or directory"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestHead(t *testing.T) {
	tests := map[string]struct {
		apiVersion, kind string
		want             []string
	}{
		"right":        {apiVersion: "test.dev/v1", kind: "Gadget"},
		"missing both": {want: []string{"apiVersion: Required value: apiVersion is missing: must be test.dev/v1", "kind: Required value: kind is missing: must be Widget or Gadget"}},
		"wrong kind":   {apiVersion: "test.dev/v1", kind: "Gizmo", want: []string{`kind: Unsupported value: unknown kind "Gizmo": must be Widget or Gadget`}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, e := range many.Head(tc.apiVersion, tc.kind) {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Head (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLine(t *testing.T) {
	tests := map[string]struct {
		file     string
		document int
		field    string
		want     string
	}{
		"everything":   {file: "f.yaml", document: 2, field: "spec.x", want: "f.yaml (document 2): spec.x: bad"},
		"no document":  {file: "f.yaml", field: "spec.x", want: "f.yaml: spec.x: bad"},
		"no field":     {file: "f.yaml", want: "f.yaml: bad"},
		"no file":      {field: "spec.x", want: "spec.x: bad"},
		"message only": {want: "bad"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := manifest.Line(tc.file, tc.document, tc.field, "bad"); got != tc.want {
				t.Errorf("Line = %q, want %q", got, tc.want)
			}
		})
	}
}
