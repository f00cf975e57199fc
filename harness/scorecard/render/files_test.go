package render_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/interlock-dev/interlock/harness/scorecard/render"
)

// TestWriteFiles checks that WriteFiles writes every format into its file,
// named with the prefix, as each format's Write renders it.
func TestWriteFiles(t *testing.T) {
	tests := map[string]struct {
		prefix string
	}{
		"run":      {},
		"baseline": {prefix: "baseline-"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			s := newScorecard(stormRun)
			if err := render.WriteFiles(dir, tc.prefix, s); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != len(render.Formats) {
				t.Errorf("WriteFiles wrote %d files, want %d", len(entries), len(render.Formats))
			}
			for format, f := range render.Formats {
				got, err := os.ReadFile(filepath.Join(dir, tc.prefix+f.File))
				if err != nil {
					t.Errorf("%s: %v", format, err)
					continue
				}
				var want bytes.Buffer
				if err := f.Write(&want, s); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want.Bytes()) {
					t.Errorf("%s: %s differs from what Write renders", format, f.File)
				}
			}
		})
	}
}

// TestWriteFilesFails checks that WriteFiles says where it could not write.
func TestWriteFilesFails(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := render.WriteFiles(filepath.Join(file, "dir"), "", newScorecard(stormRun))
	if err == nil {
		t.Fatal("WriteFiles into a path under a file succeeded")
	}
	if !errors.Is(err, syscall.ENOTDIR) {
		t.Errorf("WriteFiles error = %v, want it to wrap ENOTDIR", err)
	}
}
