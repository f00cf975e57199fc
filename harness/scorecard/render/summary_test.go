package render

import (
	"testing"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

func TestTallyLine(t *testing.T) {
	act := func(kind string, counted bool) scorecard.Action {
		return scorecard.Action{Kind: kind, Counted: counted}
	}
	book := func(kind string) scorecard.LedgerEntry { return scorecard.LedgerEntry{User: remediator, Kind: kind} }
	tests := map[string]struct {
		actions []scorecard.Action
		ledger  []scorecard.LedgerEntry
		want    string
	}{
		"nothing":     {want: "0 actions"},
		"one":         {actions: []scorecard.Action{act("restart", true)}, want: "1 action: 1 restart"},
		"by count":    {actions: []scorecard.Action{act("restart", true), act("evict", true), act("evict", true), act("drain", true)}, want: "4 actions: 2 evict, 1 drain, 1 restart"},
		"reversals":   {actions: []scorecard.Action{act("cordon", true), act("reversal", false), act("reversal", false)}, want: "1 action: 1 cordon; 2 reversals (not counted)"},
		"other kinds": {actions: []scorecard.Action{act("reversal", false), act("uncordon", false)}, want: "0 actions; 2 not counted: 1 reversal, 1 uncordon"},
		"no kind":     {actions: []scorecard.Action{act("", true)}, want: "1 action: 1 unknown"},
		"bookkeeping only": {ledger: []scorecard.LedgerEntry{book("bookkeeping"), book("bookkeeping"), book("review"), book("restart")},
			want: "0 actions; 2 bookkeeping writes; 1 access or token review"},
		"others' bookkeeping": {ledger: []scorecard.LedgerEntry{{User: "someone", Kind: "bookkeeping"}, {User: remediator, Actor: "harness", Kind: "bookkeeping"}},
			want: "0 actions"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := &scorecard.Scorecard{Identity: remediator, Actions: tc.actions, Ledger: tc.ledger}
			if got := tallyLine(s.Tally()); got != tc.want {
				t.Errorf("tally = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCountsLine(t *testing.T) {
	tests := map[string]struct {
		s    scorecard.Scorecard
		want string
	}{
		"nothing": {want: "0 passed, 0 failed, 0 errored, 0 skipped"},
		"some of each": {s: scorecard.Scorecard{
			Assertions: []scorecard.Assertion{{Verdict: scorecard.VerdictPass}, {Verdict: scorecard.VerdictFail}, {Verdict: "maybe"}},
			Skipped:    []scorecard.Skip{{Name: "a"}, {Name: "b"}},
		}, want: "1 passed, 1 failed, 1 errored, 2 skipped"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := countsLine(&tc.s); got != tc.want {
				t.Errorf("countsLine = %q, want %q", got, tc.want)
			}
		})
	}
}
