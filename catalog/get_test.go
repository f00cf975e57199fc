package catalog_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/catalog"
)

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
