package run

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// Pair runs the baseline with remediation off and hands it to the second
// run, keeps each scorecard as soon as it exists, and stops after a
// baseline that failed.
func TestPair(t *testing.T) {
	type call struct {
		noRemediator bool
		hasBaseline  bool
	}
	tests := map[string]struct {
		baseline   bool
		baseErr    error
		wantCalls  []call
		wantDone   []string
		wantErr    string
		wantSecond bool
	}{
		"with a baseline": {
			baseline:   true,
			wantCalls:  []call{{noRemediator: true}, {hasBaseline: true}},
			wantDone:   []string{"baseline-", ""},
			wantSecond: true,
		},
		"without": {
			wantCalls:  []call{{}},
			wantDone:   []string{""},
			wantSecond: true,
		},
		"the baseline could not be carried out": {
			baseline:  true,
			baseErr:   errors.New("cluster failure"),
			wantCalls: []call{{noRemediator: true}},
			wantDone:  []string{"baseline-"},
			wantErr:   "baseline run failed: cluster failure",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var calls []call
			runner := func(_ context.Context, o Options) (*scorecard.Scorecard, error) {
				calls = append(calls, call{noRemediator: o.NoRemediator, hasBaseline: o.Baseline != nil})
				if o.NoRemediator {
					return &scorecard.Scorecard{Baseline: true}, tc.baseErr
				}
				return &scorecard.Scorecard{}, nil
			}
			var done []string
			var note strings.Builder
			_, sc, err := Pair(t.Context(), runner, Options{}, tc.baseline, &note, func(prefix string, _ *scorecard.Scorecard) error {
				done = append(done, prefix)
				return nil
			})
			if len(calls) != len(tc.wantCalls) {
				t.Fatalf("calls %+v, want %+v", calls, tc.wantCalls)
			}
			for i := range calls {
				if calls[i] != tc.wantCalls[i] {
					t.Errorf("call %d: %+v, want %+v", i, calls[i], tc.wantCalls[i])
				}
			}
			if strings.Join(done, ",") != strings.Join(tc.wantDone, ",") {
				t.Errorf("done %q, want %q", done, tc.wantDone)
			}
			if (err == nil) != (tc.wantErr == "") || (err != nil && err.Error() != tc.wantErr) {
				t.Errorf("error %v, want %q", err, tc.wantErr)
			}
			if (sc != nil) != tc.wantSecond {
				t.Errorf("second scorecard %v, want one: %v", sc, tc.wantSecond)
			}
			if tc.baseline && !strings.Contains(note.String(), "Baseline run, with remediation off") {
				t.Errorf("note %q", note.String())
			}
		})
	}
}
