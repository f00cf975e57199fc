package testutil

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Golden compares got with the golden file at path, such as
// "testdata/storm.golden.yaml", and fails t with a diff (-want +got) where
// they differ. With update set, it writes got to path instead, creating its
// directory, so that a test's -update flag accepts the current output:
//
//	var update = flag.Bool("update", false, "rewrite the golden files in testdata")
//	...
//	testutil.Golden(t, filepath.Join("testdata", name+".golden.yaml"), got, *update)
func Golden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("failed to create the directory of golden file %s: %v", path, err)
			return
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("failed to write golden file %s: %v", path, err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("golden file %s does not exist: run the test with -update to write it", path)
		return
	}
	if err != nil {
		t.Fatalf("failed to read golden file %s: %v", path, err)
		return
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); run the test with -update if the change is intended:\n%s", path, diff)
	}
}
