package scorecard_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

func TestNormalized(t *testing.T) {
	s := &scorecard.Scorecard{
		Actions: []scorecard.Action{{Kind: "restart"}},
		Pages:   []scorecard.Page{{Alert: "A"}},
	}
	n := s.Normalized()
	if n.Assertions == nil || n.Ledger == nil || n.Truth.Broken == nil || n.Actions[0].AuditIDs == nil || n.Pages[0].Labels == nil {
		t.Errorf("Normalized left a nil list or map: %+v", n)
	}
	if s.Assertions != nil || s.Actions[0].AuditIDs != nil || s.Pages[0].Labels != nil {
		t.Errorf("Normalized changed its input: %+v", s)
	}
}

func TestSpanAndOrigin(t *testing.T) {
	tests := map[string]struct {
		s          scorecard.Scorecard
		start, end time.Time
		ok         bool
		origin     time.Time
	}{
		"nothing timed": {},
		"started, with a duration": {s: scorecard.Scorecard{StartedAt: at(0), DurationSeconds: 90},
			start: at(0), end: at(90), ok: true, origin: at(0)},
		"started, no duration": {s: scorecard.Scorecard{StartedAt: at(0)},
			start: at(0), end: at(60), ok: true, origin: at(0)},
		"data before and after": {s: scorecard.Scorecard{StartedAt: at(10), DurationSeconds: 30,
			Ledger: []scorecard.LedgerEntry{{Time: at(5)}}, Actions: []scorecard.Action{{Time: at(20), Until: at(70)}}},
			start: at(5), end: at(70), ok: true, origin: at(10)},
		"not started": {s: scorecard.Scorecard{DurationSeconds: 30,
			Faults: []scorecard.FaultWindow{{Start: at(20), End: at(25)}}, Truth: scorecard.Truth{Samples: []scorecard.AvailabilitySample{{Time: at(15)}}}},
			start: at(15), end: at(45), ok: true, origin: at(15)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			start, end, ok := tc.s.Span()
			if !start.Equal(tc.start) || !end.Equal(tc.end) || ok != tc.ok {
				t.Errorf("Span() = %v, %v, %v; want %v, %v, %v", start, end, ok, tc.start, tc.end, tc.ok)
			}
			if got := tc.s.Origin(); !got.Equal(tc.origin) {
				t.Errorf("Origin() = %v, want %v", got, tc.origin)
			}
		})
	}
}

func TestCounts(t *testing.T) {
	s := &scorecard.Scorecard{
		Assertions: []scorecard.Assertion{{Verdict: scorecard.VerdictPass}, {Verdict: scorecard.VerdictFail}, {Verdict: scorecard.VerdictPass},
			{Verdict: scorecard.VerdictError}, {Verdict: "maybe"}},
		Skipped: []scorecard.Skip{{Name: "k"}},
		Budgets: []scorecard.BudgetLine{{MaxActions: 3}, {MaxActions: 5}, {MaxActions: 4}},
		Actions: []scorecard.Action{{Counted: true}, {Counted: false}, {Counted: true}},
	}
	if pass, fail, errs := s.Counts(); pass != 2 || fail != 1 || errs != 2 {
		t.Errorf("Counts() = %d, %d, %d; want 2, 1, 2", pass, fail, errs)
	}
	if got := s.CountedActions(); got != 2 {
		t.Errorf("CountedActions() = %d, want 2", got)
	}
	if got := s.MaxBudget(); got != 5 {
		t.Errorf("MaxBudget() = %d, want 5", got)
	}
	if got := (&scorecard.Scorecard{}).MaxBudget(); got != 0 {
		t.Errorf("MaxBudget() with no budget = %d, want 0", got)
	}
}

func TestRemediatorRequests(t *testing.T) {
	const me = "system:serviceaccount:interlock-system:remediator"
	ledger := []scorecard.LedgerEntry{
		{Time: at(3), Name: "mine, attributed", User: "anyone", Actor: "remediator"},
		{Time: at(1), Name: "mine, as me", User: me},
		{Time: at(2), Name: "the harness's, as me", User: me, Actor: "harness"},
		{Time: at(0), Name: "someone else's", User: "someone"},
	}
	tests := map[string]struct {
		identity string
		want     []string
	}{
		"identity known":   {identity: me, want: []string{"mine, as me", "mine, attributed"}},
		"identity unknown": {want: []string{"someone else's", "mine, as me", "mine, attributed"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := &scorecard.Scorecard{Identity: tc.identity, Ledger: ledger}
			var got []string
			for _, e := range s.RemediatorRequests() {
				got = append(got, e.Name)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("RemediatorRequests() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLedgerEntryClass(t *testing.T) {
	tests := map[string]struct {
		e                         scorecard.LedgerEntry
		bookkeeping, unattributed bool
	}{
		"an action":      {e: scorecard.LedgerEntry{Actor: "remediator", Kind: "restart"}},
		"bookkeeping":    {e: scorecard.LedgerEntry{Actor: "remediator", Kind: "bookkeeping"}, bookkeeping: true},
		"a review":       {e: scorecard.LedgerEntry{Actor: "remediator", Kind: "review"}, bookkeeping: true},
		"no one's":       {e: scorecard.LedgerEntry{Actor: "unattributed", Kind: "rollout"}, unattributed: true},
		"not classified": {},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.e.IsBookkeeping(); got != tc.bookkeeping {
				t.Errorf("IsBookkeeping() = %v, want %v", got, tc.bookkeeping)
			}
			if got := tc.e.Unattributed(); got != tc.unattributed {
				t.Errorf("Unattributed() = %v, want %v", got, tc.unattributed)
			}
		})
	}
}

func TestTally(t *testing.T) {
	const me = "system:serviceaccount:interlock-system:remediator"
	s := &scorecard.Scorecard{
		Identity: me,
		Actions: []scorecard.Action{{Kind: "restart", Counted: true}, {Kind: "evict", Counted: true}, {Kind: "evict", Counted: true},
			{Counted: true}, {Kind: "reversal"}},
		Ledger: []scorecard.LedgerEntry{{User: me, Kind: "bookkeeping"}, {User: me, Kind: "review"}, {User: me, Kind: "bookkeeping"},
			{User: "someone", Kind: "bookkeeping"}},
	}
	want := scorecard.ActionTally{
		Counted:         4,
		ByKind:          []scorecard.KindCount{{Kind: "evict", N: 2}, {Kind: "restart", N: 1}, {Kind: "unknown", N: 1}},
		Uncounted:       1,
		UncountedByKind: []scorecard.KindCount{{Kind: "reversal", N: 1}},
		Bookkeeping:     2,
		Reviews:         1,
	}
	if got := s.Tally(); !reflect.DeepEqual(got, want) {
		t.Errorf("Tally() = %+v, want %+v", got, want)
	}
	if got := (scorecard.Action{}).KindOrUnknown(); got != "unknown" {
		t.Errorf("KindOrUnknown() of an action without a kind = %q, want unknown", got)
	}
}
