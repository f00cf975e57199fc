package catalog_test

import (
	"encoding/json"
	"flag"
	"path/filepath"
	"testing"

	"github.com/interlock-dev/interlock/catalog"
	"github.com/interlock-dev/interlock/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite testdata/catalog.golden.json from the embedded catalog")

// TestGolden compares the embedded catalog, as decoded, with
// testdata/catalog.golden.json. Run with -update to rewrite it.
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
	testutil.Golden(t, filepath.Join("testdata", "catalog.golden.json"), got, *update)
}
