package history_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

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

// badFile is a file TestBadFiles puts in the store, and what List must say
// of it.
type badFile struct {
	name, data string
	dir        bool
	want       string
}

// editJSON returns the record goodJSON changed by f.
func editJSON(t *testing.T, goodJSON []byte, f func(m map[string]any)) string {
	t.Helper()
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

// badFiles are the files of TestBadFiles, by test name, made from the
// record good, goodJSON as JSON.
func badFiles(t *testing.T, good history.Record, goodJSON []byte) map[string]badFile {
	edit := func(f func(m map[string]any)) string { return editJSON(t, goodJSON, f) }
	return map[string]badFile{
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
	for name, tc := range badFiles(t, good, goodJSON) {
		t.Run(name, func(t *testing.T) { listFailsOn(t, tc) })
	}
	t.Run("temporary file is skipped", func(t *testing.T) { temporaryFileIsSkipped(t, good) })
	t.Run("bad promotion file", badPromotionFile)
}

// listFailsOn checks that List fails on a store with one good record and
// the bad file tc, naming the file.
func listFailsOn(t *testing.T, tc badFile) {
	root := t.TempDir()
	d := history.NewDir(root)
	other := record(t, 5, history.SuiteNightly, scorecard.VerdictPass)
	if err := d.Append(other); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "runs", tc.name)
	var err error
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
}

// temporaryFileIsSkipped checks that List skips a temporary file being
// written beside the record good.
func temporaryFileIsSkipped(t *testing.T, good history.Record) {
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
}

// badPromotionFile checks that Promotions fails on an invalid promotion,
// naming its file.
func badPromotionFile(t *testing.T) {
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
}
