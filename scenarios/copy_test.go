package scenarios_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/scenarios"
)

// TestLoadFileCopies: a copy of a shipped scenario must run under its own
// name, and the error says which file and field to change, and to what; an
// unchanged copy is the shipped scenario and loads.
func TestLoadFileCopies(t *testing.T) {
	storm := scenarios.Files()["storm.yaml"]
	edited := bytes.Replace(storm, []byte("duration: 100s"), []byte("duration: 60s"), 1)
	renamed := bytes.Replace(edited, []byte("name: storm\n"), []byte("name: my-storm\n"), 1)
	tests := map[string]struct {
		file    string
		data    []byte
		wantErr []string
	}{
		"an unchanged copy":                 {file: "storm.yaml", data: storm},
		"an edited copy under its own name": {file: "my-storm.yaml", data: renamed},
		"an edited copy keeps the shipped name": {
			file: "storm.yaml", data: edited,
			wantErr: []string{"storm.yaml: metadata.name: Invalid value: \"storm\": is the name of a shipped scenario, and this file differs from scenarios/storm.yaml",
				"metadata.name: my-storm in a file my-storm.yaml"},
		},
		"a copy renamed but not its file": {
			file: "tempest.yaml", data: edited,
			wantErr: []string{`tempest.yaml: metadata.name: Invalid value: "storm": must match the file name "tempest": set metadata.name: tempest (a copy of the shipped scenario "storm" runs under its own name`},
		},
		"a new name in a file named otherwise": {
			file: "mine.yaml", data: renamed,
			wantErr: []string{`mine.yaml: metadata.name: Invalid value: "my-storm": must match the file name "mine": set metadata.name: mine, or name the file my-storm.yaml`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.file)
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := scenarios.LoadFile(path)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("LoadFile: %v", err)
				}
				if s.File != path {
					t.Errorf("file %q, want %q", s.File, path)
				}
				return
			}
			if err == nil {
				t.Fatal("LoadFile succeeded, want an error")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
			if !strings.HasPrefix(err.Error(), path+": metadata.name:") {
				t.Errorf("error %q does not start with the file and field", err)
			}
		})
	}
}
