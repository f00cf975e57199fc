package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/internal/cli"
	"github.com/interlock-dev/interlock/safetycases"
)

func promotions(t *testing.T, dir string) []history.Promotion {
	t.Helper()
	ps, err := history.NewDir(dir).Promotions("")
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// promoteCase is a promote or demote command line on a history that its
// setup fills, and what it must print and record.
type promoteCase struct {
	// setup fills the history directory; it returns IDs the outputs
	// must name, in place of the "{ID0}", "{ID1}"... in wantOut.
	setup    func(t *testing.T, dir string) []string
	args     []string // after the command; --dir DIR is added
	wantCode int
	wantOut  []string // substrings of stdout, in order
	notOut   []string
	wantErr  string
	// wantMoves is how many ladder records the history holds after.
	wantMoves int
}

var promoteAndDemoteTests = map[string]promoteCase{
	"unknown rung": {
		args:     []string{"promote", "unhealthy-workload", "--to", "autonomous", "--owner", "alice"},
		wantCode: cli.ExitError,
		wantErr:  `error: unknown rung "autonomous" for --to: must be one of alert, runbook, supervised, unsupervised`,
	},
	"no rung": {
		args:     []string{"promote", "unhealthy-workload", "--owner", "alice"},
		wantCode: cli.ExitError,
		wantErr:  "error: --to is required",
	},
	"unknown automation": {
		args:     []string{"promote", "restart-everything", "--to", "runbook", "--owner", "alice"},
		wantCode: cli.ExitError,
		wantErr:  `error: unknown automation "restart-everything": must be a built-in automation type: bad-deploy, certificate-expiry`,
	},
	"no owner": {
		args:     []string{"promote", "unhealthy-workload", "--to", "runbook"},
		wantCode: cli.ExitError,
		wantErr:  "error: --owner is required",
	},
	"object without a cluster": {
		args:     []string{"promote", "unhealthy-workload", "--to", "runbook", "--owner", "alice", "--object", "uw"},
		wantCode: cli.ExitError,
		wantErr:  "--object names an Automation in a cluster: give --kubeconfig too",
	},
	"not above the current rung": {
		args:     []string{"promote", "unhealthy-workload", "--to", "alert", "--owner", "alice"},
		wantCode: cli.ExitError,
		wantErr:  "error: unhealthy-workload is at alert (default: no promotion on record): promote moves up the ladder; use interlock demote to move down",
	},
	"supervised on three passing nightly runs of every scenario": {
		setup:     func(t *testing.T, dir string) []string { return nightlyRuns(t, dir, v1alpha1.UnhealthyWorkload, 3) },
		args:      []string{"promote", "unhealthy-workload", "--to", "supervised", "--owner", "alice"},
		wantCode:  cli.ExitOK,
		wantOut:   []string{"Promoted unhealthy-workload from alert to supervised.", "owner:    alice", "record:   ", "evidence: 1 nightly run(s) per scenario passed", "{ID0}", "cluster:  not changed"},
		wantMoves: 1,
	},
	"dry run records nothing": {
		setup:    func(t *testing.T, dir string) []string { return nightlyRuns(t, dir, v1alpha1.UnhealthyWorkload, 3) },
		args:     []string{"promote", "unhealthy-workload", "--to", "supervised", "--owner", "alice", "--dry-run"},
		wantCode: cli.ExitOK,
		wantOut:  []string{"Promotion of unhealthy-workload from alert to supervised allowed (dry run: nothing recorded, no cluster changed)."},
	},
	"too few runs": {
		setup:    func(t *testing.T, dir string) []string { return nightlyRuns(t, dir, v1alpha1.UnhealthyWorkload, 4) },
		args:     []string{"promote", "unhealthy-workload", "--to", "unsupervised", "--owner", "alice"},
		wantCode: cli.ExitFailed,
		wantOut:  []string{"Promotion of unhealthy-workload from alert to unsupervised refused:", "runs", "only 4 of 5 nightly run(s)"},
		wantErr:  "error: promotion of unhealthy-workload to unsupervised refused",
	},
	"adhoc runs do not count": {
		setup: func(t *testing.T, dir string) []string {
			for _, s := range exercising(t, v1alpha1.UnhealthyWorkload) {
				for i := 1; i <= 3; i++ {
					appendRun(t, dir, s, history.SuiteAdhoc, scorecardOf(s, i))
				}
			}
			return nil
		},
		args:     []string{"promote", "unhealthy-workload", "--to", "runbook", "--owner", "alice"},
		wantCode: cli.ExitFailed,
		wantOut:  []string{"only 0 of 1 nightly run(s)"},
	},
	"unsupervised with embedded runs only": {
		setup:    func(t *testing.T, dir string) []string { return nightlyRuns(t, dir, v1alpha1.UnhealthyWorkload, 5) },
		args:     []string{"promote", "unhealthy-workload", "--to", "unsupervised", "--owner", "alice"},
		wantCode: cli.ExitFailed,
		wantOut:  []string{"refused:", "real-cluster", "promotion to unsupervised needs at least one of its last 5 nightly run(s) on kind"},
		notOut:   []string{"only 5 of"},
	},
	"unsupervised with a kind run": {
		setup: func(t *testing.T, dir string) []string {
			ids := nightlyRuns(t, dir, v1alpha1.UnhealthyWorkload, 4)
			for _, s := range exercising(t, v1alpha1.UnhealthyWorkload) {
				appendRun(t, dir, s, history.SuiteNightly, scorecardOf(s, 5, onKind))
			}
			return ids
		},
		args:      []string{"promote", "unhealthy-workload", "--to", "unsupervised", "--owner", "alice"},
		wantCode:  cli.ExitOK,
		wantOut:   []string{"Promoted unhealthy-workload from alert to unsupervised."},
		wantMoves: 1,
	},
	"a failing run is named": {
		setup: func(t *testing.T, dir string) []string {
			nightlyRuns(t, dir, v1alpha1.UnhealthyWorkload, 3)
			s := exercising(t, v1alpha1.UnhealthyWorkload)[0]
			return []string{appendRun(t, dir, s, history.SuiteNightly, scorecardOf(s, 0, failedBudget)).ID}
		},
		args:     []string{"promote", "unhealthy-workload", "--to", "supervised", "--owner", "alice"},
		wantCode: cli.ExitFailed,
		wantOut:  []string{"passed", "nightly run {ID0} failed (budget-held fail)"},
	},
	"posture: certificate-expiry never goes unsupervised": {
		args:     []string{"promote", "certificate-expiry", "--to", "unsupervised", "--owner", "alice"},
		wantCode: cli.ExitFailed,
		wantOut:  []string{"posture", `rung "unsupervised" exceeds the posture of class "destructive" (highest allowed: "supervised")`},
	},
	"a bad history file is an error naming it": {
		setup: func(t *testing.T, dir string) []string {
			nightlyRuns(t, dir, v1alpha1.UnhealthyWorkload, 3)
			path := filepath.Join(dir, "runs", "torn.json")
			if err := os.WriteFile(path, []byte("{"), 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{path}
		},
		args:     []string{"promote", "unhealthy-workload", "--to", "supervised", "--owner", "alice"},
		wantCode: cli.ExitError,
		wantErr:  "torn.json: not a valid history record",
	},
	"demote needs a reason": {
		args:     []string{"demote", "unhealthy-workload", "--to", "alert", "--owner", "bob"},
		wantCode: cli.ExitError,
		wantErr:  "error: --reason is required",
	},
	"demote below the current rung only": {
		args:     []string{"demote", "unhealthy-workload", "--to", "alert", "--owner", "bob", "--reason", "noisy"},
		wantCode: cli.ExitError,
		wantErr:  "error: unhealthy-workload is at alert (default: no promotion on record): demote moves down the ladder",
	},
}

func TestPromoteAndDemote(t *testing.T) {
	for name, tc := range promoteAndDemoteTests {
		t.Run(name, func(t *testing.T) { checkPromoteCase(t, tc) })
	}
}

// checkPromoteCase runs tc's command line on a history of its own and
// checks its exit code, its output and the ladder records it leaves.
func checkPromoteCase(t *testing.T, tc promoteCase) {
	t.Helper()
	dir := t.TempDir()
	var ids []string
	if tc.setup != nil {
		ids = tc.setup(t, dir)
	}
	code, out, errOut := runInterlock(t, append(tc.args, "--history", dir)...)
	if code != tc.wantCode {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.wantCode, out, errOut)
	}
	want := make([]string, len(tc.wantOut))
	for i, w := range tc.wantOut {
		for j, id := range ids {
			w = strings.ReplaceAll(w, "{ID"+string(rune('0'+j))+"}", id)
		}
		want[i] = w
	}
	checkInOrder(t, out, want)
	for _, s := range tc.notOut {
		if strings.Contains(out, s) {
			t.Errorf("stdout contains %q:\n%s", s, out)
		}
	}
	if !strings.Contains(errOut, tc.wantErr) {
		t.Errorf("stderr = %q, want it to contain %q", errOut, tc.wantErr)
	}
	if ps := promotions(t, dir); len(ps) != tc.wantMoves {
		t.Errorf("%d ladder records, want %d: %+v", len(ps), tc.wantMoves, ps)
	}
}

// TestPromoteRecords follows one automation up and down the ladder
// without a cluster: the current rung comes from the latest record.
func TestPromoteRecords(t *testing.T) {
	dir := t.TempDir()
	var ids []string // the latest night's runs: K is 1 at supervised
	for i, id := range nightlyRuns(t, dir, v1alpha1.UnhealthyWorkload, 3) {
		if i%3 == 0 {
			ids = append(ids, id)
		}
	}
	p := checkPromotedToSupervised(t, dir, ids)
	checkPromoteFromSupervised(t, dir, p)
	demoted := checkDemotedToRunbook(t, dir)
	code, out, _ := runInterlock(t, "history", "promotions", "--history", dir)
	if code != cli.ExitOK {
		t.Fatalf("history promotions: exit %d", code)
	}
	checkInOrder(t, out, []string{"ID", "ACTION", p.ID, "promote", "alert", "supervised", "alice", fmt.Sprintf("%d run(s)", len(ids)), demoted.ID, "demote", "supervised", "runbook", "bob", "restarted healthy pods"})
	checkRefusalJSON(t, dir)
}

// checkPromotedToSupervised promotes unhealthy-workload to supervised with
// -o json on the runs in dir, ids the latest night's, and checks the report
// and the record, which it returns.
func checkPromotedToSupervised(t *testing.T, dir string, ids []string) history.Promotion {
	t.Helper()
	code, out, errOut := runInterlock(t, "promote", "unhealthy-workload", "--to", "supervised", "--owner", "alice", "--history", dir, "-o", "json")
	if code != cli.ExitOK {
		t.Fatalf("promote: exit %d\n%s\n%s", code, out, errOut)
	}
	var report struct {
		Allowed      bool               `json:"allowed"`
		From         v1alpha1.Rung      `json:"from"`
		To           v1alpha1.Rung      `json:"to"`
		Evidence     []string           `json:"evidence"`
		RunsRequired int                `json:"runsRequired"`
		Record       *history.Promotion `json:"record"`
		Patched      bool               `json:"patched"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	sc, err := safetycases.Get("unhealthy-workload")
	if err != nil {
		t.Fatal(err)
	}
	ps := promotions(t, dir)
	if len(ps) != 1 {
		t.Fatalf("%d records, want 1", len(ps))
	}
	p := ps[0]
	if p.Action != history.Promote || p.Automation != "unhealthy-workload" || p.From != v1alpha1.RungAlert || p.To != v1alpha1.RungSupervised ||
		p.Owner != "alice" || p.RunsRequired != 1 || p.SafetyCaseDigest != history.Digest(sc.Spec) || p.Object != "" {
		t.Errorf("promotion record = %+v", p)
	}
	if diff := cmp.Diff(sortedCopy(ids), sortedCopy(p.Evidence)); diff != "" {
		t.Errorf("evidence (-want +got):\n%s", diff)
	}
	if !report.Allowed || report.Patched || report.Record == nil || report.Record.ID != p.ID || report.RunsRequired != 1 {
		t.Errorf("report = %+v", report)
	}
	return p
}

// checkPromoteFromSupervised checks that the next promotion starts from
// supervised, where promotion p left the automation.
func checkPromoteFromSupervised(t *testing.T, dir string, p history.Promotion) {
	t.Helper()
	code, _, errOut := runInterlock(t, "promote", "unhealthy-workload", "--to", "supervised", "--owner", "alice", "--history", dir)
	if code != cli.ExitError || !strings.Contains(errOut, "unhealthy-workload is at supervised (promotion record "+p.ID+")") {
		t.Errorf("promote again: exit %d, %s", code, errOut)
	}
	code, out, _ := runInterlock(t, "promote", "unhealthy-workload", "--to", "unsupervised", "--owner", "alice", "--history", dir)
	if code != cli.ExitFailed || !strings.Contains(out, "from supervised to unsupervised refused") {
		t.Errorf("promote to unsupervised: exit %d\n%s", code, out)
	}
}

// checkDemotedToRunbook demotes unhealthy-workload from supervised to
// runbook and checks what it prints and records; it returns the record.
func checkDemotedToRunbook(t *testing.T, dir string) history.Promotion {
	t.Helper()
	code, out, errOut := runInterlock(t, "demote", "unhealthy-workload", "--to", "runbook", "--owner", "bob", "--reason", "restarted healthy pods", "--history", dir)
	if code != cli.ExitOK {
		t.Fatalf("demote: exit %d\n%s\n%s", code, out, errOut)
	}
	checkInOrder(t, out, []string{"Demoted unhealthy-workload from supervised to runbook.", "owner:    bob", "reason:   restarted healthy pods", "cluster:  not changed"})
	ps := promotions(t, dir)
	if len(ps) != 2 || ps[1].Action != history.Demote || ps[1].From != v1alpha1.RungSupervised || ps[1].To != v1alpha1.RungRunbook ||
		ps[1].Reason != "restarted healthy pods" || ps[1].Owner != "bob" || len(ps[1].Evidence) != 0 {
		t.Errorf("records after demotion = %+v", ps)
	}
	if len(ps) < 2 {
		t.FailNow()
	}
	return ps[1]
}

// checkRefusalJSON checks that a refusal as JSON lists the unmet conditions.
func checkRefusalJSON(t *testing.T, dir string) {
	t.Helper()
	code, out, _ := runInterlock(t, "promote", "unhealthy-workload", "--to", "unsupervised", "--owner", "alice", "--history", dir, "-o", "json")
	var refused struct {
		Allowed bool `json:"allowed"`
		Unmet   []struct{ Name, Reason string }
	}
	if err := json.Unmarshal([]byte(out), &refused); err != nil || code != cli.ExitFailed || refused.Allowed || len(refused.Unmet) == 0 {
		t.Errorf("refusal as JSON: exit %d, %v, %s", code, err, out)
	}
	for _, c := range refused.Unmet {
		if c.Name != "runs" && c.Name != "real-cluster" {
			t.Errorf("unexpected unmet condition %+v", c)
		}
	}
}

func sortedCopy(s []string) []string { return slices.Sorted(slices.Values(s)) }
