package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/promote"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/cli"
	"github.com/interlock-dev/interlock/scenarios"
)

// runInterlock runs the interlock command line in process and returns its
// exit code and output.
func runInterlock(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cli.Run(t.Context(), args, cli.Streams{Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

// exercising returns the shipped scenarios with an automation of type typ.
func exercising(t *testing.T, typ v1alpha1.AutomationType) []*scenarios.Scenario {
	t.Helper()
	all, err := scenarios.All()
	if err != nil {
		t.Fatal(err)
	}
	var out []*scenarios.Scenario
	for _, s := range all {
		if slices.ContainsFunc(s.Spec.Automations, func(a scenarios.Automation) bool { return a.Type == typ }) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no shipped scenario exercises %s", typ)
	}
	return out
}

// scorecardOf is a finalized scorecard of a run of s that started
// hoursAgo hours ago on the embedded cluster, passing unless mods change it.
func scorecardOf(s *scenarios.Scenario, hoursAgo int, mods ...func(*scorecard.Scorecard)) *scorecard.Scorecard {
	sc := &scorecard.Scorecard{
		Scenario: s.Name(), Description: s.Spec.Description, Remediator: history.BuiltInRemediator,
		Identity: "system:serviceaccount:interlock-system:remediator", Provider: history.ProviderEmbedded,
		StartedAt: time.Now().Add(-time.Duration(hoursAgo) * time.Hour), DurationSeconds: 100,
		Assertions: []scorecard.Assertion{
			{Name: "budget-held", Verdict: scorecard.VerdictPass, Measured: "5 actions in 10m", Limit: "at most 5 actions in 10m", Automation: s.Spec.Automations[0].Name},
			{Name: "halted-and-paged", Verdict: scorecard.VerdictPass, Measured: "paged after 3s", Limit: "within 1m", Automation: s.Spec.Automations[0].Name},
		},
	}
	// Every other assertion a promotion needs, graded and passed.
	for _, name := range promote.RequiredAssertions[v1alpha1.RungUnsupervised] {
		if name == "budget-held" || name == "halted-and-paged" {
			continue
		}
		a := scorecard.Assertion{Name: name, Verdict: scorecard.VerdictPass, Measured: "held", Limit: "held", Automation: s.Spec.Automations[0].Name}
		if name == "no-unattributed-writes" || name == "within-rbac" {
			a.Automation = ""
		}
		sc.Assertions = append(sc.Assertions, a)
	}
	for _, m := range mods {
		m(sc)
	}
	sc.Finalize()
	return sc
}

func failedBudget(sc *scorecard.Scorecard) {
	sc.Assertions[0].Verdict, sc.Assertions[0].Measured = scorecard.VerdictFail, "9 actions in 10m"
}
func onKind(sc *scorecard.Scorecard) { sc.Provider = history.ProviderKind }

// appendRun records one run of s in the history at dir.
func appendRun(t *testing.T, dir string, s *scenarios.Scenario, suite string, sc *scorecard.Scorecard) history.Record {
	t.Helper()
	r, err := history.FromScorecard(sc, history.Meta{Scenario: s, Commit: "0123456789abcdef0123456789abcdef01234567", Suite: suite})
	if err != nil {
		t.Fatal(err)
	}
	if err := history.NewDir(dir).Append(r); err != nil {
		t.Fatal(err)
	}
	return r
}

// nightlyRuns records n passing nightly runs, 1..n hours ago, of every
// scenario that exercises typ, and returns their IDs.
func nightlyRuns(t *testing.T, dir string, typ v1alpha1.AutomationType, n int, mods ...func(*scorecard.Scorecard)) []string {
	t.Helper()
	var ids []string
	for _, s := range exercising(t, typ) {
		for i := 1; i <= n; i++ {
			ids = append(ids, appendRun(t, dir, s, history.SuiteNightly, scorecardOf(s, i, mods...)).ID)
		}
	}
	return ids
}

func TestHistoryList(t *testing.T) {
	dir := t.TempDir()
	storm, err := scenarios.Load("storm")
	if err != nil {
		t.Fatal(err)
	}
	nodeLoss, err := scenarios.Load("node-loss")
	if err != nil {
		t.Fatal(err)
	}
	h := listedHistory{
		dir:   dir,
		empty: t.TempDir(),
		older: appendRun(t, dir, storm, history.SuiteNightly, scorecardOf(storm, 3, failedBudget)),
		newer: appendRun(t, dir, storm, history.SuiteAdhoc, scorecardOf(storm, 1)),
		nl:    appendRun(t, dir, nodeLoss, history.SuitePR, scorecardOf(nodeLoss, 2, onKind)),
	}
	for name, tc := range h.cases() {
		t.Run(name, func(t *testing.T) { checkHistoryList(t, tc) })
	}
	t.Run("json", h.checkJSON)
	t.Run("a bad file is an error naming it", func(t *testing.T) { checkBadHistoryFile(t, storm) })
}

// listedHistory is the history TestHistoryList lists: three runs in dir,
// and an empty directory.
type listedHistory struct {
	dir, empty       string
	older, newer, nl history.Record
}

// historyListCase is a history list command line and what it must print.
type historyListCase struct {
	args     []string
	env      string // $INTERLOCK_HISTORY
	wantCode int
	wantOut  []string // substrings of stdout, in order
	notOut   []string
	wantErr  string
}

func (h listedHistory) cases() map[string]historyListCase {
	dir, empty, older, newer, nl := h.dir, h.empty, h.older, h.newer, h.nl
	return map[string]historyListCase{
		"table, oldest first": {
			args:     []string{"history", "list", "--history", dir},
			wantCode: cli.ExitOK,
			wantOut: []string{"ID", "STARTED", "SCENARIO", "SUITE", "PROVIDER", "REMEDIATOR", "VERDICT", "COMMIT", "AUTOMATIONS",
				older.ID, "storm", "nightly", "embedded", "built-in", "fail", "0123456789ab", "unhealthy-workload@unsupervised",
				nl.ID, "node-loss", "pr", "kind", "pass", "node-loss@unsupervised",
				newer.ID, "adhoc"},
		},
		"directory from the environment": {
			args: []string{"history", "list"}, env: dir,
			wantCode: cli.ExitOK,
			wantOut:  []string{older.ID, nl.ID, newer.ID},
		},
		"by automation": {
			args:     []string{"history", "list", "--history", dir, "--automation", "node-loss"},
			wantCode: cli.ExitOK,
			wantOut:  []string{nl.ID},
			notOut:   []string{older.ID, newer.ID},
		},
		"by scenario and suite": {
			args:     []string{"history", "list", "--history", dir, "--scenario", "storm", "--suite", "nightly"},
			wantCode: cli.ExitOK,
			wantOut:  []string{older.ID},
			notOut:   []string{newer.ID, nl.ID},
		},
		"nothing matches": {
			args:     []string{"history", "list", "--history", dir, "--scenario", "lying-health-check"},
			wantCode: cli.ExitOK,
			wantOut:  []string{"No runs recorded in " + dir + " match."},
		},
		"empty history": {
			args:     []string{"history", "list", "--history", empty},
			wantCode: cli.ExitOK,
			wantOut:  []string{"No runs recorded"},
		},
		"unknown suite": {
			args:     []string{"history", "list", "--history", dir, "--suite", "weekly"},
			wantCode: cli.ExitError,
			wantErr:  `error: invalid --suite "weekly": must be one of nightly, pr, adhoc`,
		},
		"unknown output": {
			args:     []string{"history", "list", "--history", dir, "-o", "xml"},
			wantCode: cli.ExitError,
			wantErr:  `invalid --output "xml": must be one of text, json, yaml`,
		},
		"table, the old name of text, still works": {
			args:     []string{"history", "list", "--history", dir, "-o", "table"},
			wantCode: cli.ExitOK,
			wantOut:  []string{"ID", "STARTED", older.ID},
			wantErr:  "Warning: -o table is deprecated, use -o text",
		},
		"--dir, the old name of --history, still works and warns on stderr": {
			args:     []string{"history", "list", "--dir", dir, "-o", "json"},
			wantCode: cli.ExitOK,
			wantOut:  []string{`"id": "` + older.ID + `"`},
			wantErr:  "Warning: --dir is deprecated, use --history",
		},
	}
}

// checkHistoryList runs tc's command line and checks its exit code and output.
func checkHistoryList(t *testing.T, tc historyListCase) {
	t.Helper()
	t.Setenv(history.DirEnv, tc.env)
	code, out, errOut := runInterlock(t, tc.args...)
	if code != tc.wantCode {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, out, errOut)
	}
	checkInOrder(t, out, tc.wantOut)
	for _, s := range tc.notOut {
		if strings.Contains(out, s) {
			t.Errorf("stdout contains %q:\n%s", s, out)
		}
	}
	if !strings.Contains(errOut, tc.wantErr) {
		t.Errorf("stderr = %q, want it to contain %q", errOut, tc.wantErr)
	}
}

// checkJSON checks history list -o json on the runs and on no runs.
func (h listedHistory) checkJSON(t *testing.T) {
	dir, empty, older, newer := h.dir, h.empty, h.older, h.newer
	code, out, errOut := runInterlock(t, "history", "list", "--history", dir, "--automation", "unhealthy-workload", "-o", "json")
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []history.Record
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != older.ID || got[1].ID != newer.ID || got[0].Verdict != scorecard.VerdictFail ||
		got[0].Automations[0].SafetyCaseDigest != older.Automations[0].SafetyCaseDigest || len(got[0].Assertions) != len(older.Assertions) {
		t.Errorf("records = %+v", got)
	}
	code, out, _ = runInterlock(t, "history", "list", "--history", empty, "-o", "json")
	if code != cli.ExitOK || strings.TrimSpace(out) != "[]" {
		t.Errorf("empty history as JSON: %d %q", code, out)
	}
}

// checkBadHistoryFile checks that a history file that is not a record is
// an error naming it.
func checkBadHistoryFile(t *testing.T, storm *scenarios.Scenario) {
	bad := t.TempDir()
	appendRun(t, bad, storm, history.SuiteNightly, scorecardOf(storm, 1))
	path := filepath.Join(bad, "runs", "broken.json")
	if err := os.WriteFile(path, []byte(`{"id": "broken", "scenario": `), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runInterlock(t, "history", "list", "--history", bad)
	if code != cli.ExitError || !strings.Contains(errOut, path) || out != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2 and an error naming %s", code, out, errOut, path)
	}
}

// checkInOrder checks that out contains each of want, in order.
func checkInOrder(t *testing.T, out string, want []string) {
	t.Helper()
	rest := out
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("stdout lacks %q (in order):\n%s", w, out)
			return
		}
		rest = rest[i+len(w):]
	}
}
