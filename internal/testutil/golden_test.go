package testutil_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/internal/testutil"
)

// recorder is a testing.TB that records failures instead of stopping the test.
type recorder struct {
	testing.TB
	failed, fatal bool
	msg           string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.msg = fmt.Sprintf(format, args...)
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.fatal = true, true
	r.msg = fmt.Sprintf(format, args...)
}

func TestGolden(t *testing.T) {
	tests := map[string]struct {
		existing *string // the golden file's content; nil: no file
		got      string
		update   bool
		wantFail bool
		wantMsg  string // in the failure message
		wantFile string // the golden file's content afterwards
	}{
		"equal": {
			existing: ptr("a\nb\n"), got: "a\nb\n",
			wantFile: "a\nb\n",
		},
		"different shows a diff": {
			existing: ptr("a\nb\n"), got: "a\nc\n",
			wantFail: true, wantMsg: "-want +got", wantFile: "a\nb\n",
		},
		"missing says how to create it": {
			got:      "a\n",
			wantFail: true, wantMsg: "run the test with -update",
		},
		"update rewrites": {
			existing: ptr("old\n"), got: "new\n", update: true,
			wantFile: "new\n",
		},
		"update creates the file and its directory": {
			got: "new\n", update: true,
			wantFile: "new\n",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "testdata", "x.golden")
			if tc.existing != nil {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(*tc.existing), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := &recorder{TB: t}
			testutil.Golden(r, path, []byte(tc.got), tc.update)
			if r.failed != tc.wantFail {
				t.Errorf("failed = %t, want %t (%s)", r.failed, tc.wantFail, r.msg)
			}
			if !strings.Contains(r.msg, tc.wantMsg) {
				t.Errorf("message %q does not contain %q", r.msg, tc.wantMsg)
			}
			if tc.wantFile == "" {
				return
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != tc.wantFile {
				t.Errorf("golden file = %q, want %q", data, tc.wantFile)
			}
		})
	}
}

func ptr(s string) *string { return &s }
