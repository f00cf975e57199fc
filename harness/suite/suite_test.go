package suite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/interlock-dev/interlock/harness/run"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/scenarios"
)

func load(t *testing.T, names ...string) []*scenarios.Scenario {
	t.Helper()
	var out []*scenarios.Scenario
	for _, n := range names {
		s, err := scenarios.Load(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// scripted returns a runner whose verdicts per scenario are given, and
// counts baseline runs.
func scripted(verdicts map[string]scorecard.Verdict, baselines *atomic.Int32) run.Runner {
	return func(_ context.Context, o run.Options) (*scorecard.Scorecard, error) {
		sc := &scorecard.Scorecard{Scenario: o.Scenario.Name(), Provider: "embedded", Baseline: o.NoRemediator}
		if o.NoRemediator {
			baselines.Add(1)
			sc.Truth.MeanAvailability = 0.5
			sc.Assertions = []scorecard.Assertion{{Name: "min-availability", Verdict: scorecard.VerdictPass}}
			sc.Finalize()
			return sc, nil
		}
		if o.Baseline == nil {
			return nil, errors.New("the run was not given its baseline")
		}
		sc.Truth.MeanAvailability = 0.9
		v := verdicts[o.Scenario.Name()]
		if v == scorecard.VerdictError {
			sc.Error = "cluster failure: boom"
			sc.Finalize()
			return sc, errors.New(sc.Error)
		}
		sc.Assertions = []scorecard.Assertion{{Name: "budget-held", Verdict: v}}
		sc.Ledger = []scorecard.LedgerEntry{{Verb: "delete", Resource: "pods", Name: "a", Code: 200}, {Verb: "delete", Resource: "pods", Name: "b", Code: 403}, {Verb: "update", Resource: "automations", Subresource: "status", Code: 200}}
		// The grader counts the accepted delete of a; the refused one and
		// the status write are no action.
		sc.Actions = []scorecard.Action{{Kind: "restart", Class: "restart", Target: "pods a", Counted: true}}
		sc.Finalize()
		return sc, nil
	}
}

func TestRunWritesEveryReportAndSummary(t *testing.T) {
	dir := t.TempDir()
	var baselines atomic.Int32
	var recorded atomic.Int32
	ss := load(t, "storm", "node-loss", "lying-health-check")
	sum, err := Run(context.Background(), Options{
		Scenarios: ss, Baseline: true, Parallel: 2, OutDir: dir,
		Runner: scripted(map[string]scorecard.Verdict{
			"storm": scorecard.VerdictPass, "node-loss": scorecard.VerdictFail, "lying-health-check": scorecard.VerdictError,
		}, &baselines),
		Recorded: func(*scorecard.Scorecard) error { recorded.Add(1); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := baselines.Load(); got != 3 {
		t.Errorf("baseline runs = %d, want 3", got)
	}
	if got := recorded.Load(); got != 6 {
		t.Errorf("recorded scorecards = %d, want 6 (3 baselines, 3 runs)", got)
	}
	if sum.Verdict != scorecard.VerdictFail || sum.ExitCode() != 1 {
		t.Errorf("verdict %s exit %d, want fail 1", sum.Verdict, sum.ExitCode())
	}
	want := map[string]scorecard.Verdict{"storm": "pass", "node-loss": "fail", "lying-health-check": "error"}
	for i, e := range sum.Entries {
		if e.Scenario != ss[i].Name() {
			t.Errorf("entry %d is %s, want %s (the order given)", i, e.Scenario, ss[i].Name())
		}
		if e.Verdict != want[e.Scenario] {
			t.Errorf("%s: verdict %s, want %s", e.Scenario, e.Verdict, want[e.Scenario])
		}
		if e.BaselineAvailability == nil || *e.BaselineAvailability != 0.5 {
			t.Errorf("%s: baseline availability %v, want 0.5", e.Scenario, e.BaselineAvailability)
		}
	}
	if e := sum.Entries[1]; e.Actions != 1 || len(e.Failed) != 1 || e.Failed[0] != "budget-held fail" {
		t.Errorf("node-loss entry = %+v, want 1 accepted action and budget-held failed", e)
	}
	for _, f := range []string{"summary.md", "summary.json", "index.html",
		"storm/scorecard.json", "storm/baseline-scorecard.html", "storm/junit.xml", "storm/progress.log"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, "summary.md"))
	for _, s := range []string{"| [storm](storm/scorecard.md) |", "❌ fail", "50.0% → 90.0%", "cluster failure: boom", "1 passed, 1 failed, 1 could not run"} {
		if !strings.Contains(string(md), s) {
			t.Errorf("summary.md lacks %q:\n%s", s, md)
		}
	}
	html, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	for _, s := range []string{`href="storm/scorecard.html"`, `href="node-loss/baseline-scorecard.html"`} {
		if !strings.Contains(string(html), s) {
			t.Errorf("index.html lacks %s", s)
		}
	}
	if strings.Contains(string(html), "http://") || strings.Contains(string(html), "https://") {
		t.Error("index.html links outside itself")
	}
	back, err := ReadJSON(filepath.Join(dir, "summary.json"))
	if err != nil || len(back.Entries) != 3 {
		t.Fatalf("summary.json read back: %v, %+v", err, back)
	}
}

func TestShard(t *testing.T) {
	ss := load(t, "storm", "node-loss", "lying-health-check", "remediator-crash-mid-storm")
	seen := map[string]int{}
	for i := 1; i <= 3; i++ {
		part, err := Shard(ss, i, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(part) < 1 || len(part) > 2 {
			t.Errorf("shard %d/3 has %d scenarios, want 1 or 2", i, len(part))
		}
		for _, s := range part {
			seen[s.Name()]++
		}
	}
	for _, s := range ss {
		if seen[s.Name()] != 1 {
			t.Errorf("%s is in %d shards, want exactly 1", s.Name(), seen[s.Name()])
		}
	}
	for name, c := range map[string][2]int{"zero": {0, 3}, "past-end": {4, 3}, "no-shards": {1, 0}} {
		if _, err := Shard(ss, c[0], c[1]); err == nil {
			t.Errorf("%s: Shard(%d, %d) accepted", name, c[0], c[1])
		}
	}
}

func TestMerge(t *testing.T) {
	a := &Summary{WallSeconds: 100, Provider: "kind", Verdict: "pass", Entries: []Entry{{Scenario: "storm", Verdict: "pass"}}}
	b := &Summary{WallSeconds: 300, Provider: "kind", Verdict: "fail", Entries: []Entry{{Scenario: "node-loss", Verdict: "fail"}}}
	m := Merge(a, b)
	if m.Verdict != scorecard.VerdictFail || m.WallSeconds != 300 || len(m.Entries) != 2 || m.Entries[0].Scenario != "node-loss" {
		t.Errorf("merged = %+v", m)
	}
}
