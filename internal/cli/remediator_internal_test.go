package cli

import (
	"math"
	"strings"
	"testing"
)

func TestMemoryLimit(t *testing.T) {
	tests := map[string]struct {
		limit    string
		explicit bool
		env      string // GOMEMLIMIT; "" for unset
		want     int64
		wantAuto bool
		wantErr  string
	}{
		"auto, the default":                   {limit: "auto", want: 96 << 20, wantAuto: true},
		"auto given":                          {limit: "auto", explicit: true, env: "300MiB", want: 96 << 20, wantAuto: true},
		"given":                               {limit: "1Gi", explicit: true, want: 1 << 30},
		"zero turns it off":                   {limit: "0", explicit: true, want: math.MaxInt64},
		"GOMEMLIMIT wins over the default":    {limit: "auto", env: "300MiB", want: 0},
		"the flag given wins over GOMEMLIMIT": {limit: "64Mi", explicit: true, env: "300MiB", want: 64 << 20},
		"not a quantity":                      {limit: "lots", explicit: true, wantErr: `invalid --memory-limit "lots"`},
		"negative":                            {limit: "-1Mi", explicit: true, wantErr: `invalid --memory-limit "-1Mi"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("GOMEMLIMIT", tc.env)
			}
			got, auto, err := memoryLimit(tc.limit, tc.explicit)
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("memoryLimit(%q) error = %v, want %q", tc.limit, err, tc.wantErr)
				}
			case err != nil:
				t.Errorf("memoryLimit(%q): %v", tc.limit, err)
			case got != tc.want || auto != tc.wantAuto:
				t.Errorf("memoryLimit(%q) = %d, %v; want %d, %v", tc.limit, got, auto, tc.want, tc.wantAuto)
			}
		})
	}
}
