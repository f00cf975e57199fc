package catalog_test

import (
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
