package manifest_test

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/interlock-dev/interlock/internal/manifest"
)

var errNoWidget = errors.New("no such widget")

var widgets = manifest.Set{
	FS: fstest.MapFS{
		"widgets/b.yaml":     {Data: []byte("b")},
		"widgets/a.yaml":     {Data: []byte("a")},
		"widgets/README.md":  {Data: []byte("not a widget")},
		"widgets/sub/c.yaml": {Data: []byte("c")},
	},
	Dir:      "widgets",
	NotFound: errNoWidget,
	Noun:     "widgets",
}

func TestSet(t *testing.T) {
	if diff := cmp.Diff([]string{"a", "b"}, widgets.Names()); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
	files, err := widgets.Files()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string][]byte{"a.yaml": []byte("a"), "b.yaml": []byte("b")}, files); diff != "" {
		t.Errorf("Files (-want +got):\n%s", diff)
	}
}

func TestSetRead(t *testing.T) {
	tests := map[string]struct {
		name     string
		wantFile string
		wantErr  string
	}{
		"known":        {name: "b", wantFile: "widgets/b.yaml"},
		"unknown":      {name: "c", wantErr: `no such widget "c"; known widgets: a, b`},
		"empty":        {name: "", wantErr: `no such widget ""; known widgets: a, b`},
		"not a name":   {name: "../widgets/a", wantErr: `no such widget "../widgets/a"; known widgets: a, b`},
		"another file": {name: "README", wantErr: `no such widget "README"; known widgets: a, b`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			file, data, err := widgets.Read(tc.name)
			if tc.wantErr != "" {
				if !errors.Is(err, errNoWidget) || err.Error() != tc.wantErr {
					t.Errorf("Read(%q) = %v, want %q wrapping NotFound", tc.name, err, tc.wantErr)
				}
				return
			}
			if err != nil || file != tc.wantFile || string(data) != tc.name {
				t.Errorf("Read(%q) = %q, %q, %v; want %q", tc.name, file, data, err, tc.wantFile)
			}
		})
	}
}
