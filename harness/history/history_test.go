package history_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/safetycases"
	"github.com/interlock-dev/interlock/scenarios"
)

var t0 = time.Date(2026, 9, 14, 3, 0, 0, 0, time.UTC)

// run returns a finalized scorecard of a storm run at t0+min minutes.
func run(min int, verdict scorecard.Verdict) *scorecard.Scorecard {
	sc := &scorecard.Scorecard{
		Scenario: "storm", Remediator: history.BuiltInRemediator, Provider: history.ProviderEmbedded,
		Identity: "system:serviceaccount:interlock-system:remediator", StartedAt: t0.Add(time.Duration(min) * time.Minute), DurationSeconds: 100,
		Assertions: []scorecard.Assertion{{Name: "budget-held", Verdict: verdict, Measured: "5 actions in 10m", Limit: "at most 5 actions in 10m", Automation: "unhealthy-workload"}},
	}
	sc.Finalize()
	return sc
}

func storm(t *testing.T) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load("storm")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func record(t *testing.T, min int, suite string, verdict scorecard.Verdict) history.Record {
	t.Helper()
	r, err := history.FromScorecard(run(min, verdict), history.Meta{Scenario: storm(t), Commit: "abc123", Suite: suite})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDigest(t *testing.T) {
	sc, err := safetycases.Get("unhealthy-workload")
	if err != nil {
		t.Fatal(err)
	}
	spec := sc.Spec
	d := history.Digest(spec)
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(d) {
		t.Fatalf("Digest = %q, want sha256:<64 hex>", d)
	}
	same := *spec.DeepCopy()
	same.Trigger.For = metav1.Duration{Duration: spec.Trigger.For.Duration} // same duration, built anew
	if got := history.Digest(same); got != d {
		t.Errorf("Digest of an equal spec = %s, want %s", got, d)
	}
	withEmpty := *spec.DeepCopy()
	withEmpty.Telemetry = append([]v1alpha1.TelemetrySignal{}, spec.Telemetry...)
	if got := history.Digest(withEmpty); got != d {
		t.Errorf("Digest changed with a copied list: %s, want %s", got, d)
	}
	changed := *spec.DeepCopy()
	changed.Budget.MaxActions++
	if got := history.Digest(changed); got == d {
		t.Errorf("Digest did not change when the budget did")
	}
	if history.Digest(v1alpha1.SafetyCaseSpec{}) == d {
		t.Errorf("Digest of an empty spec equals the shipped one's")
	}
}

func TestFromScorecard(t *testing.T) {
	sc, err := safetycases.Get("unhealthy-workload")
	if err != nil {
		t.Fatal(err)
	}
	r, err := history.FromScorecard(run(0, scorecard.VerdictPass), history.Meta{Scenario: storm(t)})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^20260914T030000\.000Z-storm-[0-9a-f]{8}$`).MatchString(r.ID) {
		t.Errorf("ID = %q", r.ID)
	}
	if r.Suite != history.SuiteAdhoc || r.Commit != history.UnknownCommit {
		t.Errorf("suite, commit = %q, %q; want adhoc, unknown", r.Suite, r.Commit)
	}
	want := []history.Automation{{Name: "unhealthy-workload", Type: v1alpha1.UnhealthyWorkload, Rung: "unsupervised", SafetyCaseDigest: history.Digest(sc.Spec)}}
	if diff := cmp.Diff(want, r.Automations); diff != "" {
		t.Errorf("automations (-want +got):\n%s", diff)
	}
	if r.Scenario != "storm" || r.Provider != "embedded" || r.Remediator != "built-in" || !r.Passed() {
		t.Errorf("scorecard fields not kept: %+v", r.Scorecard)
	}

	// The digest is of the safety case the run used, not the shipped one.
	s := storm(t)
	custom := sc.Spec.DeepCopy()
	custom.Budget.MaxActions = 2
	s.Spec.Automations[0].SafetyCase, s.Spec.Automations[0].SafetyCaseSpec = "", custom
	r2, err := history.FromScorecard(run(0, scorecard.VerdictPass), history.Meta{Scenario: s, Suite: history.SuiteNightly})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Automations[0].SafetyCaseDigest != history.Digest(*custom) || r2.Automations[0].SafetyCaseDigest == r.Automations[0].SafetyCaseDigest {
		t.Errorf("digest of an inline safety case = %s", r2.Automations[0].SafetyCaseDigest)
	}

	errCases := map[string]struct {
		sc   *scorecard.Scorecard
		meta history.Meta
		want string
	}{
		"no scorecard":   {nil, history.Meta{Scenario: storm(t)}, "no scorecard"},
		"no scenario":    {run(0, scorecard.VerdictPass), history.Meta{}, "no scenario"},
		"other scenario": {&scorecard.Scorecard{Scenario: "node-loss"}, history.Meta{Scenario: storm(t)}, `scenario "node-loss", not "storm"`},
		"unknown suite":  {run(0, scorecard.VerdictPass), history.Meta{Scenario: storm(t), Suite: "weekly"}, `unknown suite "weekly"`},
	}
	for name, tc := range errCases {
		t.Run(name, func(t *testing.T) {
			_, err := history.FromScorecard(tc.sc, tc.meta)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestAppendList(t *testing.T) {
	d := history.NewDir(t.TempDir())
	if rs, err := d.List(history.Filter{}); err != nil || len(rs) != 0 {
		t.Fatalf("empty store: %v, %v", rs, err)
	}
	late := record(t, 30, history.SuiteNightly, scorecard.VerdictFail)
	early := record(t, 10, history.SuiteNightly, scorecard.VerdictPass)
	adhoc := record(t, 20, history.SuiteAdhoc, scorecard.VerdictPass)
	for _, r := range []history.Record{late, early, adhoc} {
		if err := d.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(rs []history.Record) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	tests := map[string]struct {
		f    history.Filter
		want []string
	}{
		"all, by time":            {history.Filter{}, []string{early.ID, adhoc.ID, late.ID}},
		"nightly":                 {history.Filter{Suite: history.SuiteNightly}, []string{early.ID, late.ID}},
		"by automation type":      {history.Filter{Automation: "unhealthy-workload"}, []string{early.ID, adhoc.ID, late.ID}},
		"other automation":        {history.Filter{Automation: "node-loss"}, nil},
		"by scenario":             {history.Filter{Scenario: "storm", Suite: history.SuiteAdhoc}, []string{adhoc.ID}},
		"scenario with no record": {history.Filter{Scenario: "node-loss"}, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rs, err := d.List(tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, ids(rs)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}

	// A record reads back as it was written, and its file is scorecard JSON
	// with the record's fields added: no null lists.
	rs, _ := d.List(history.Filter{})
	if diff := cmp.Diff(early, rs[0]); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	data, err := os.ReadFile(filepath.Join(d.Root(), "runs", early.ID+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "null") {
		t.Errorf("record JSON holds null:\n%s", data)
	}
	var sc scorecard.Scorecard
	if err := json.Unmarshal(data, &sc); err != nil || sc.Scenario != "storm" || sc.Verdict != scorecard.VerdictPass {
		t.Errorf("record is not scorecard JSON: %v, %+v", err, sc)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "commit", "suite", "automations", "scenario", "verdict", "provider", "remediator", "startedAt", "ledger"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("record JSON lacks %q", k)
		}
	}

	if err := d.Append(early); err == nil || !errors.Is(err, fs.ErrExist) {
		t.Errorf("appending an existing ID: %v, want ErrExist", err)
	}
	bad := early
	bad.ID = "../escape"
	if err := d.Append(bad); err == nil || !strings.Contains(err.Error(), "not a record ID") {
		t.Errorf("appending a bad ID: %v", err)
	}
}

// TestConcurrentAppend appends from many goroutines at the same instant:
// every record lands, none is lost or torn, and no temporary file is left.
func TestConcurrentAppend(t *testing.T) {
	d := history.NewDir(t.TempDir())
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for range writers {
		wg.Go(func() {
			for range each {
				r, err := history.FromScorecard(run(0, scorecard.VerdictPass), history.Meta{Scenario: storm(t), Suite: history.SuiteNightly})
				if err == nil {
					err = d.Append(r)
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkStore(t, d.Root(), writers*each)
}

func checkStore(t *testing.T, root string, want int) {
	t.Helper()
	rs, err := history.NewDir(root).List(history.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != want {
		t.Errorf("%d records, want %d", len(rs), want)
	}
	entries, err := os.ReadDir(filepath.Join(root, "runs"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != want {
		t.Errorf("%d files in runs/, want %d (temporary files left?)", len(entries), want)
	}
}

// TestConcurrentAppendProcesses appends from two processes at once.
func TestConcurrentAppendProcesses(t *testing.T) {
	if dir := os.Getenv("HISTORY_TEST_APPEND_DIR"); dir != "" {
		n, _ := strconv.Atoi(os.Getenv("HISTORY_TEST_APPEND_N"))
		d := history.NewDir(dir)
		for range n {
			if err := d.Append(record(t, 0, history.SuiteNightly, scorecard.VerdictPass)); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	root := t.TempDir()
	const procs, each = 2, 25
	var cmds []*exec.Cmd
	for range procs {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestConcurrentAppendProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), "HISTORY_TEST_APPEND_DIR="+root, "HISTORY_TEST_APPEND_N="+strconv.Itoa(each))
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("appender process: %v", err)
		}
	}
	checkStore(t, root, procs*each)
}

// TestBadFiles: every file in the store that is not a valid record makes
// List fail with an error naming it; nothing panics and nothing is skipped,
// except a temporary file being written.
func TestBadFiles(t *testing.T) {
	good := record(t, 0, history.SuiteNightly, scorecard.VerdictPass)
	goodJSON, err := json.Marshal(good)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(m map[string]any)) string {
		var m map[string]any
		if err := json.Unmarshal(goodJSON, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	tests := map[string]struct {
		name, data string
		dir        bool
		want       string
	}{
		"not JSON":          {name: "x.json", data: "{not json", want: "invalid character"},
		"truncated":         {name: "x.json", data: string(goodJSON[:len(goodJSON)/2]), want: "unexpected end of JSON input"},
		"wrong type":        {name: "x.json", data: `{"id": 3}`, want: "cannot unmarshal number"},
		"empty object":      {name: "x.json", data: `{}`, want: "scenario is missing"},
		"id not file name":  {name: "other.json", data: string(goodJSON), want: `does not match its file name`},
		"unknown suite":     {name: good.ID + ".json", data: edit(func(m map[string]any) { m["suite"] = "weekly" }), want: `suite "weekly"`},
		"no verdict":        {name: good.ID + ".json", data: edit(func(m map[string]any) { delete(m, "verdict") }), want: "verdict is missing"},
		"automation digest": {name: good.ID + ".json", data: edit(func(m map[string]any) { m["automations"] = []any{map[string]any{"type": "node-loss"}} }), want: "automations[0]"},
		"stray file":        {name: "notes.txt", data: "hello", want: "not a history record"},
		"directory":         {name: "sub", dir: true, want: "not a history record"},
		"null":              {name: "x.json", data: "null", want: "scenario is missing"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			d := history.NewDir(root)
			other := record(t, 5, history.SuiteNightly, scorecard.VerdictPass)
			if err := d.Append(other); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(root, "runs", tc.name)
			if tc.dir {
				err = os.Mkdir(path, 0o755)
			} else {
				err = os.WriteFile(path, []byte(tc.data), 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
			rs, err := d.List(history.Filter{})
			if err == nil {
				t.Fatalf("List succeeded with %d records, want an error naming %s", len(rs), path)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v\nwant it to name %s and say %q", err, path, tc.want)
			}
		})
	}

	t.Run("temporary file is skipped", func(t *testing.T) {
		root := t.TempDir()
		d := history.NewDir(root)
		if err := d.Append(good); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "runs", ".tmp-123"), []byte("{half"), 0o644); err != nil {
			t.Fatal(err)
		}
		if rs, err := d.List(history.Filter{}); err != nil || len(rs) != 1 {
			t.Errorf("List = %d records, %v; want 1, nil", len(rs), err)
		}
	})
	t.Run("bad promotion file", func(t *testing.T) {
		root := t.TempDir()
		path := filepath.Join(root, "promotions", "p.json")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(`{"id":"p","action":"promote"}`), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := history.NewDir(root).Promotions("")
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "owner is missing") {
			t.Errorf("error = %v, want it to name %s", err, path)
		}
	})
}

func TestPromotions(t *testing.T) {
	d := history.NewDir(t.TempDir())
	promo := history.Promotion{
		ID: history.NewID(t0, "unhealthy-workload"), Action: history.Promote, Automation: "unhealthy-workload",
		From: v1alpha1.RungAlert, To: v1alpha1.RungSupervised, Owner: "alice", Time: t0, Evidence: []string{"run-1"}, RunsRequired: 3,
	}
	demo := history.Promotion{
		ID: history.NewID(t0.Add(time.Hour), "unhealthy-workload"), Action: history.Demote, Automation: "unhealthy-workload",
		From: v1alpha1.RungSupervised, To: v1alpha1.RungRunbook, Owner: "bob", Time: t0.Add(time.Hour), Reason: "false positives in prod",
	}
	other := history.Promotion{
		ID: history.NewID(t0.Add(time.Minute), "node-loss"), Action: history.Promote, Automation: "node-loss",
		From: v1alpha1.RungAlert, To: v1alpha1.RungRunbook, Owner: "carol", Time: t0.Add(time.Minute),
	}
	for _, p := range []history.Promotion{demo, promo, other} {
		if err := d.AppendPromotion(p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.Promotions("unhealthy-workload")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]history.Promotion{promo, demo}, got); diff != "" {
		t.Errorf("promotions (-want +got):\n%s", diff)
	}
	all, err := d.Promotions("")
	if err != nil || len(all) != 3 {
		t.Errorf("all promotions: %d, %v", len(all), err)
	}

	invalid := map[string]struct {
		edit func(*history.Promotion)
		want string
	}{
		"no owner": {func(p *history.Promotion) { p.Owner = " " }, "owner is missing"},
		"demotion, no reason": {func(p *history.Promotion) {
			p.Action, p.From, p.To = history.Demote, v1alpha1.RungSupervised, v1alpha1.RungAlert
		}, "reason is missing"},
		"promotion going down": {func(p *history.Promotion) { p.From, p.To = v1alpha1.RungSupervised, v1alpha1.RungRunbook }, "goes up the ladder"},
		"demotion going up":    {func(p *history.Promotion) { p.Action, p.Reason = history.Demote, "x" }, "goes down the ladder"},
		"unknown rung":         {func(p *history.Promotion) { p.To = "autonomous" }, `unknown rung "autonomous"`},
		"unknown action":       {func(p *history.Promotion) { p.Action = "skip" }, `action "skip"`},
		"no time":              {func(p *history.Promotion) { p.Time = time.Time{} }, "time is missing"},
	}
	for name, tc := range invalid {
		t.Run(name, func(t *testing.T) {
			p := promo
			p.ID = history.NewID(t0, "x")
			tc.edit(&p)
			if err := d.AppendPromotion(p); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("AppendPromotion error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestGitCommit(t *testing.T) {
	if got := history.GitCommit(t.Context(), t.TempDir()); got != history.UnknownCommit {
		t.Errorf("GitCommit outside a repository = %q, want unknown", got)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	if got := history.GitCommit(t.Context(), "."); !regexp.MustCompile(`^[0-9a-f]{40,64}$`).MatchString(got) {
		t.Errorf("GitCommit in this repository = %q", got)
	}
}

func TestDirFromEnv(t *testing.T) {
	t.Setenv(history.DirEnv, "")
	if got := history.DirFromEnv(); got != "_output/history" {
		t.Errorf("default = %q", got)
	}
	t.Setenv(history.DirEnv, "/var/lib/interlock")
	if got := history.DirFromEnv(); got != "/var/lib/interlock" {
		t.Errorf("from env = %q", got)
	}
}

func ExampleDigest() {
	spec := v1alpha1.SafetyCaseSpec{Owner: "team-sre", Budget: v1alpha1.Budget{MaxActions: 5, Window: metav1.Duration{Duration: 10 * time.Minute}}}
	again := v1alpha1.SafetyCaseSpec{Budget: v1alpha1.Budget{Window: metav1.Duration{Duration: 600 * time.Second}, MaxActions: 5}, Owner: "team-sre"}
	fmt.Println(history.Digest(spec) == history.Digest(again))
	spec.Budget.MaxActions = 6
	fmt.Println(history.Digest(spec) == history.Digest(again))
	// Output:
	// true
	// false
}
