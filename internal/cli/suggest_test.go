package cli_test

import (
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/cli"
)

// usageTest is a command line that is wrong, or only asks for help, and
// what it must answer.
type usageTest struct {
	args     []string
	wantCode int
	wantOut  string // substring of stdout
	wantErr  []string
}

// Unknown subcommands and flags exit 2 with a suggestion, at the root and
// under a command that only groups others; such a command alone prints its
// help and succeeds.
func TestUnknownCommandsAndFlags(t *testing.T) {
	tests := map[string]usageTest{
		"unknown top-level command": {
			args: []string{"clustr"}, wantCode: cli.ExitError,
			wantErr: []string{`error: unknown command "clustr" for "interlock"`, "Did you mean this?\n\tcluster"},
		},
		"unknown subcommand of a group": {
			args: []string{"scenario", "lst"}, wantCode: cli.ExitError,
			wantErr: []string{`error: unknown command "lst" for "interlock scenario"`, "Did you mean this?\n\tlist"},
		},
		"unknown subcommand of a nested group": {
			args: []string{"history", "promotion"}, wantCode: cli.ExitError,
			wantErr: []string{`unknown command "promotion" for "interlock history"`, "\tpromotions"},
		},
		"unknown subcommand with nothing close": {
			args: []string{"catalog", "zzzzzzzz"}, wantCode: cli.ExitError,
			wantErr: []string{`unknown command "zzzzzzzz" for "interlock catalog"`},
		},
		"unknown flag": {
			args: []string{"cluster", "up", "--nodez", "3"}, wantCode: cli.ExitError,
			wantErr: []string{`error: unknown flag: --nodez (did you mean "--nodes"?) (see 'interlock cluster up --help')`},
		},
		"unknown flag with nothing close": {
			args: []string{"scenario", "list", "--zzzzzzzz"}, wantCode: cli.ExitError,
			wantErr: []string{"error: unknown flag: --zzzzzzzz (see 'interlock scenario list --help')"},
		},
		"bad flag value": {
			args: []string{"cluster", "up", "--nodes", "x"}, wantCode: cli.ExitError,
			wantErr: []string{`invalid argument "x" for "--nodes"`},
		},
		"a group alone prints its help": {
			args: []string{"scenario"}, wantCode: cli.ExitOK,
			wantOut: "Available Commands:",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) { checkUsage(t, tc) })
	}
}

func checkUsage(t *testing.T, tc usageTest) {
	t.Helper()
	code, out, errOut := runInterlock(t, tc.args...)
	if code != tc.wantCode {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.wantCode, out, errOut)
	}
	if !strings.Contains(out, tc.wantOut) {
		t.Errorf("stdout lacks %q:\n%s", tc.wantOut, out)
	}
	for _, w := range tc.wantErr {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut)
		}
	}
	if strings.Contains(errOut, "goroutine ") {
		t.Errorf("stderr has a stack trace:\n%s", errOut)
	}
}

// A mistyped scenario, automation, safety case, failure pattern or cluster
// is an error that names the bad value and suggests the close names.
func TestDidYouMean(t *testing.T) {
	t.Setenv(cluster.HomeEnv, t.TempDir())
	tests := map[string]usageTest{
		"scenario run": {
			args: []string{"scenario", "run", "strom"}, wantCode: cli.ExitError,
			wantErr: []string{`error: no such scenario "strom" (did you mean "storm"?); known scenarios: autoscaler-feedback-loop,`},
		},
		"scenario validate": {
			args: []string{"scenario", "validate", "node-los"}, wantCode: cli.ExitError,
			wantErr: []string{`no such scenario "node-los" (did you mean "node-loss" or "node-loss-at-scale"?)`},
		},
		"nightly": {
			args: []string{"nightly", "lying-health"}, wantCode: cli.ExitError,
			wantErr: []string{`no such scenario "lying-health" (did you mean "lying-health-check" or "lying-health-check-blind"?)`},
		},
		"scenario with nothing close": {
			args: []string{"scenario", "run", "zzzzzzzz"}, wantCode: cli.ExitError,
			wantErr: []string{`no such scenario "zzzzzzzz"; known scenarios: `},
		},
		"automation to promote": {
			args: []string{"promote", "unhealthy-workloads", "--to", "runbook", "--owner", "alice"}, wantCode: cli.ExitError,
			wantErr: []string{`unknown automation "unhealthy-workloads" (did you mean "unhealthy-workload"?): must be a built-in automation type: bad-deploy,`},
		},
		"automation to demote": {
			args: []string{"demote", "nodeloss", "--to", "alert", "--owner", "bob", "--reason", "r"}, wantCode: cli.ExitError,
			wantErr: []string{`unknown automation "nodeloss" (did you mean "node-loss"?)`},
		},
		"safety case": {
			args: []string{"safetycase", "show", "disk-presure"}, wantCode: cli.ExitError,
			wantErr: []string{`no such safety case "disk-presure" (did you mean "disk-pressure"?); known safety cases: bad-deploy,`},
		},
		"failure pattern": {
			args: []string{"catalog", "show", "remediation-strom"}, wantCode: cli.ExitError,
			wantErr: []string{`no such failure pattern "remediation-strom" (did you mean "remediation-storm"?); known patterns: `},
		},
		"cluster, when there is none": {
			args: []string{"cluster", "status", "--name", "dev"}, wantCode: cli.ExitError,
			wantErr: []string{`cluster not found: "dev"; there are no clusters (interlock cluster up --name dev)`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) { checkUsage(t, tc) })
	}
}
