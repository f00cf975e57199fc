package render

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

var t0 = time.Date(2026, 9, 14, 3, 0, 0, 0, time.UTC)

func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

const remediator = "system:serviceaccount:interlock-system:remediator"

// passingRun is the run the chart once drew as 34 actions against a budget
// of 5: five counted actions and a reversal, among 29 bookkeeping writes
// and reviews of the remediator's.
func passingRun() *scorecard.Scorecard {
	s := &scorecard.Scorecard{
		Scenario: "storm", Identity: remediator, StartedAt: t0, DurationSeconds: 300,
		Assertions: []scorecard.Assertion{{Name: "budget-held", Verdict: scorecard.VerdictPass}},
		Budgets:    []scorecard.BudgetLine{{Automation: "a", MaxActions: 5, WindowSeconds: 600}},
	}
	for i := range 29 {
		kind := "bookkeeping"
		if i%10 == 0 {
			kind = "review"
		}
		s.Ledger = append(s.Ledger, scorecard.LedgerEntry{Time: at(float64(5 + 9*i)), User: remediator, Verb: "update", Resource: "automations",
			Subresource: "status", Name: "a", Code: 200, Actor: "remediator", Kind: kind})
	}
	for i, kind := range []string{"evict", "restart", "evict", "restart", "evict", "reversal"} {
		t := at(float64(30 + 20*i))
		s.Ledger = append(s.Ledger, scorecard.LedgerEntry{Time: t, User: remediator, Verb: "delete", Resource: "pods", Name: fmt.Sprint("p", i),
			Code: 200, Actor: "remediator", Kind: kind})
		s.Actions = append(s.Actions, scorecard.Action{Time: t, Automation: "a", Kind: kind, Class: kind, Target: fmt.Sprint("pods p", i), Counted: kind != "reversal"})
	}
	s.Timeline = []scorecard.Event{{Time: at(135), Kind: scorecard.EventHalt, Message: "a halted"}}
	s.Finalize()
	return s
}

func TestChartCountsActionsNotLedger(t *testing.T) {
	s := passingRun()
	c := newChart(s)
	if got := len(c.StepDots); got != 5 {
		t.Errorf("step dots = %d, want the 5 counted actions", got)
	}
	if got := len(c.Reversals); got != 1 {
		t.Errorf("reversal marks = %d, want 1", got)
	}
	if got := len(c.BkTicks); got != 29 {
		t.Errorf("bookkeeping ticks = %d, want 29", got)
	}
	if got := len(c.Ticks); got != 6 {
		t.Errorf("request ticks = %d, want the 6 requests that are not bookkeeping", got)
	}
	if len(c.BkFrame) != 1 || len(c.BkLabel) != 1 || c.BkLabel[0].Body != "bookkeeping" {
		t.Errorf("bookkeeping lane = %+v %+v, want one lane labelled bookkeeping", c.BkFrame, c.BkLabel)
	}
	// The y axis runs to a little above the budget, not to 34.
	if top := c.YLabels[len(c.YLabels)-4].Body; top != "6" {
		t.Errorf("top of the action axis = %s, want 6", top)
	}
	// The step line ends at the budget's height: five counted actions.
	if last := c.StepDots[4]; !strings.HasSuffix(c.StepPath, " V"+last.Y+" H980") || last.Y != c.Budgets[0].Y1 {
		t.Errorf("step path %q does not end at the budget line y=%s", c.StepPath, c.Budgets[0].Y1)
	}
	// The reversal sits on the line at the count reached by then, 5.
	if !strings.Contains(c.Reversals[0].Points, ","+c.Budgets[0].Y1+" ") {
		t.Errorf("reversal %q is not on the line at 5 (y=%s)", c.Reversals[0].Points, c.Budgets[0].Y1)
	}
	// The halt at +2:15 sits at the 5 counted by then.
	if len(c.Halts) != 1 || c.Halts[0].Y != c.Budgets[0].Y1 {
		t.Errorf("halt = %+v, want it on the line at 5", c.Halts)
	}
	if got, want := tallyLine(s.Tally()), "5 actions: 3 evict, 2 restart; 1 reversal (not counted); 26 bookkeeping writes; 3 access or token reviews"; got != want {
		t.Errorf("tally = %q, want %q", got, want)
	}
}

func TestChartWithoutActions(t *testing.T) {
	tests := map[string]struct {
		budgets []scorecard.BudgetLine
		path    bool
		note    string
	}{
		"no budget": {note: "no remediator actions counted"},
		"a budget":  {budgets: []scorecard.BudgetLine{{Automation: "a", MaxActions: 5}}, path: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := &scorecard.Scorecard{StartedAt: t0, DurationSeconds: 60, Identity: remediator, Budgets: tc.budgets,
				// A rejected request is a tick, never an action.
				Ledger: []scorecard.LedgerEntry{{Time: at(10), User: remediator, Verb: "delete", Resource: "pods", Name: "p", Code: 403}}}
			c := newChart(s)
			if len(c.StepDots) != 0 || len(c.Reversals) != 0 || len(c.BkTicks) != 0 || len(c.BkFrame) != 0 {
				t.Errorf("chart draws actions or bookkeeping: %+v", c)
			}
			if len(c.Ticks) != 1 || c.Ticks[0].Class != "tick rejected" {
				t.Errorf("ticks = %+v, want one rejected", c.Ticks)
			}
			if (c.StepPath != "") != tc.path {
				t.Errorf("step path = %q, want one: %v", c.StepPath, tc.path)
			}
			if tc.path && strings.Contains(c.StepPath, "V") {
				t.Errorf("step path %q rises with no action", c.StepPath)
			}
			var notes []string
			for _, n := range c.Notes {
				notes = append(notes, n.Body)
			}
			if tc.note != "" && !strings.Contains(strings.Join(notes, "|"), tc.note) {
				t.Errorf("notes = %q, want %q", notes, tc.note)
			}
		})
	}
}

// TestChartOneClock checks that the chart counts offsets from StartedAt, as
// the tables do, even when data came before it.
func TestChartOneClock(t *testing.T) {
	s := &scorecard.Scorecard{StartedAt: at(20), DurationSeconds: 60, Identity: remediator,
		Ledger:  []scorecard.LedgerEntry{{Time: at(0), User: remediator, Verb: "create", Resource: "leases", Name: "l", Code: 201, Kind: "bookkeeping"}},
		Actions: []scorecard.Action{{Time: at(30), Kind: "restart", Target: "pods p", Counted: true}},
		Pages:   []scorecard.Page{{Time: at(50), Alert: "A"}},
		Faults:  []scorecard.FaultWindow{{Name: "f", Start: at(25), End: at(40), Recovered: true}},
	}
	c := newChart(s)
	var labels []string
	for _, l := range c.XLabels {
		labels = append(labels, l.Body)
	}
	if got := strings.Join(labels, " "); got != "-0:20 -0:10 0:00 0:10 0:20 0:30 0:40 0:50 1:00" {
		t.Errorf("x labels = %s, want them counted from StartedAt", got)
	}
	for name, title := range map[string]string{
		"bookkeeping": c.BkTicks[0].Title, "action": c.StepDots[0].Title, "page": c.Pages[0].Title, "fault": c.Lanes[0].Title,
	} {
		want := map[string]string{"bookkeeping": "-0:20 ", "action": "+0:10 ", "page": "+0:30 ", "fault": "+0:05 to +0:20"}[name]
		if !strings.Contains(title, want) {
			t.Errorf("%s title %q lacks %q", name, title, want)
		}
	}
}
