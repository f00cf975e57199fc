package catalog_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/catalog"
)

var update = flag.Bool("update", false, "rewrite testdata/catalog.golden.json from the embedded catalog")

func TestShippedPatterns(t *testing.T) {
	all, err := catalog.All()
	if err != nil {
		t.Fatalf("All() failed: %v", err)
	}
	// The scenarios each pattern must list; a pattern may list more.
	want := map[string][]string{
		"autoscaler-feedback-loop":          {"autoscaler-feedback-loop"},
		"capacity-removal":                  {"empty-target-set", "disk-pressure"},
		"cascading-restarts":                {"cascading-restarts"},
		"lying-health-check-false-negative": {"lying-health-check-blind"},
		"lying-health-check-false-positive": {"lying-health-check"},
		"remediation-storm":                 {"storm", "remediator-crash-mid-storm"},
		"retry-amplification":               {"cascading-restarts", "autoscaler-feedback-loop"},
		"stale-view":                        {"stale-cache"},
		"unsafe-failover":                   {"node-loss", "node-flap"},
	}
	var names []string
	for _, p := range all {
		names = append(names, p.Name())
		for _, s := range want[p.Name()] {
			if !slices.Contains(p.Spec.Scenarios, s) {
				t.Errorf("%s: spec.scenarios = %v, want it to include %q", p.Name(), p.Spec.Scenarios, s)
			}
		}
		if len(p.Spec.Incidents) == 0 {
			t.Errorf("%s: no incidents", p.Name())
		}
	}
	wantNames := slices.Sorted(maps.Keys(want))
	if !slices.Equal(names, wantNames) {
		t.Errorf("All() names = %v, want %v", names, wantNames)
	}
}

func TestEveryFileValidates(t *testing.T) {
	files, err := filepath.Glob("patterns/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no pattern files found: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			p, err := catalog.Parse(filepath.ToSlash(file), data)
			if err != nil {
				t.Fatalf("Parse failed:\n%v", err)
			}
			if err := catalog.Validate(&p, filepath.ToSlash(file)); err != nil {
				t.Errorf("Validate failed:\n%v", err)
			}
		})
	}
}

func TestGolden(t *testing.T) {
	all, err := catalog.All()
	if err != nil {
		t.Fatalf("All() failed: %v", err)
	}
	got, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "catalog.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("failed to read golden file (run with -update to create it): %v", err)
	}
	if diff := firstDifference(string(want), string(got)); diff != "" {
		t.Errorf("catalog differs from %s; run 'go test ./catalog/ -update' if intended:\n%s", golden, diff)
	}
}

func TestGet(t *testing.T) {
	tests := map[string]struct {
		name    string
		wantErr string
	}{
		"known pattern":   {name: "remediation-storm"},
		"unknown pattern": {name: "no-such", wantErr: `no such failure pattern "no-such"; known patterns: autoscaler-feedback-loop, capacity-removal,`},
		"empty name":      {name: "", wantErr: `no such failure pattern ""`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p, err := catalog.Get(tc.name)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Get(%q) failed: %v", tc.name, err)
				}
				if p.Name() != tc.name {
					t.Errorf("Get(%q).Name() = %q", tc.name, p.Name())
				}
				return
			}
			if !errors.Is(err, catalog.ErrNotFound) {
				t.Fatalf("Get(%q) error = %v, want ErrNotFound", tc.name, err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Get(%q) error = %q, want it to contain %q", tc.name, err, tc.wantErr)
			}
		})
	}
}

// TestSafetyCasePathsMatchAPI keeps the defense paths in step with the
// SafetyCaseSpec type: every path must resolve through its JSON field names.
func TestSafetyCasePathsMatchAPI(t *testing.T) {
	for _, path := range catalog.SafetyCasePaths() {
		typ := reflect.TypeFor[v1alpha1.SafetyCaseSpec]()
		for part := range strings.SplitSeq(path, ".") {
			for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
				typ = typ.Elem()
			}
			found := false
			if typ.Kind() == reflect.Struct {
				for i := range typ.NumField() {
					f := typ.Field(i)
					if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == part {
						typ, found = f.Type, true
						break
					}
				}
			}
			if !found {
				t.Errorf("safety-case path %q: no field %q in v1alpha1.SafetyCaseSpec", path, part)
				break
			}
		}
	}
}

// firstDifference describes the first line where want and got differ, or
// returns "" when they are equal.
func firstDifference(want, got string) string {
	if want == got {
		return ""
	}
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  want: %s\n  got:  %s", i+1, wl, gl)
		}
	}
	return "trailing content differs"
}
