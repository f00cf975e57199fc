package cli_test

import (
	"strings"
	"testing"

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
