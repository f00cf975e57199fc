package scorecard_test

import (
	"strings"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// t0 is when every test run starts.
var t0 = time.Date(2026, 9, 14, 3, 0, 0, 0, time.UTC)

// at is t0 plus sec seconds.
func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

func TestFinalize(t *testing.T) {
	pass := scorecard.Assertion{Name: "a", Verdict: scorecard.VerdictPass}
	fail := scorecard.Assertion{Name: "b", Verdict: scorecard.VerdictFail}
	errd := scorecard.Assertion{Name: "c", Verdict: scorecard.VerdictError}
	odd := scorecard.Assertion{Name: "d", Verdict: "maybe"}
	tests := map[string]struct {
		assertions []scorecard.Assertion
		err        string
		verdict    scorecard.Verdict
		exit       int
		wantErr    string
	}{
		"all pass":                {assertions: []scorecard.Assertion{pass, pass}, verdict: scorecard.VerdictPass, exit: 0},
		"one fails":               {assertions: []scorecard.Assertion{pass, fail}, verdict: scorecard.VerdictFail, exit: 1},
		"one errors":              {assertions: []scorecard.Assertion{pass, errd}, verdict: scorecard.VerdictError, exit: 2},
		"unknown verdict errors":  {assertions: []scorecard.Assertion{pass, odd}, verdict: scorecard.VerdictError, exit: 2},
		"run error":               {assertions: []scorecard.Assertion{pass}, err: "boom", verdict: scorecard.VerdictError, exit: 2, wantErr: "boom"},
		"fail beats error":        {assertions: []scorecard.Assertion{errd, fail}, err: "boom", verdict: scorecard.VerdictFail, exit: 1, wantErr: "boom"},
		"no assertions is error":  {verdict: scorecard.VerdictError, exit: 2, wantErr: scorecard.ErrNoAssertions},
		"run error, no assertion": {err: "boom", verdict: scorecard.VerdictError, exit: 2, wantErr: "boom"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := &scorecard.Scorecard{Assertions: tc.assertions, Error: tc.err, Verdict: scorecard.VerdictPass}
			s.Finalize()
			if s.Verdict != tc.verdict {
				t.Errorf("Verdict = %q, want %q", s.Verdict, tc.verdict)
			}
			if got := s.ExitCode(); got != tc.exit {
				t.Errorf("ExitCode() = %d, want %d", got, tc.exit)
			}
			if s.Error != tc.wantErr {
				t.Errorf("Error = %q, want %q", s.Error, tc.wantErr)
			}
		})
	}
}

func TestFinalizeSortsAndFillsLists(t *testing.T) {
	s := &scorecard.Scorecard{
		Assertions: []scorecard.Assertion{{Name: "a", Verdict: scorecard.VerdictPass}},
		Timeline:   []scorecard.Event{{Time: at(3), Message: "c"}, {Time: at(1), Message: "a"}, {Time: at(1), Message: "b"}},
		Ledger:     []scorecard.LedgerEntry{{Time: at(9), Name: "late"}, {Time: at(2), Name: "early"}},
		Pages:      []scorecard.Page{{Time: at(1)}},
	}
	s.Finalize()
	var msgs []string
	for _, e := range s.Timeline {
		msgs = append(msgs, e.Message)
	}
	if got := strings.Join(msgs, ","); got != "a,b,c" {
		t.Errorf("Timeline order = %s, want a,b,c (stable by time)", got)
	}
	if s.Ledger[0].Name != "early" {
		t.Errorf("Ledger[0] = %q, want early", s.Ledger[0].Name)
	}
	if s.Faults == nil || s.Truth.Samples == nil || s.Truth.FalsePositives == nil || s.Budgets == nil || s.Pages[0].Labels == nil {
		t.Error("Finalize left a nil list or map")
	}
}
