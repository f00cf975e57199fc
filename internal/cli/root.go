package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes, documented in `interlock --help` and the README.
const (
	// ExitOK means the command did what was asked and every check passed.
	ExitOK = 0
	// ExitFailed means the command ran and its answer is no: a scenario
	// assertion failed, a lint found problems, a promotion was refused.
	ExitFailed = 1
	// ExitError means the command could not be carried out: a bad flag or
	// input file, a missing tool, a cluster that would not start.
	ExitError = 2
)

// exitError carries an exit code with its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// failed marks err as a "no" answer (exit 1) rather than an error (exit 2).
func failed(err error) error { return &exitError{code: ExitFailed, err: err} }

const exitCodesHelp = `Exit codes:
  0  success: the command did what was asked and every check passed
  1  the command ran and its answer is no (a scenario failed, a lint found problems, a promotion was refused)
  2  the command could not be carried out (bad flag or input, missing tool, cluster failure, interrupted)`

// Streams are the command's standard output and error.
type Streams struct {
	Out io.Writer
	Err io.Writer
}

// NewRootCommand returns the interlock command tree.
func NewRootCommand(streams Streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "interlock",
		Short: "Chaos harness that tests remediators against their safety cases",
		Long: `interlock injects failure-catalog scenarios into a Kubernetes cluster while a
remediator runs, and grades the run against the assertions drawn from the
remediator's safety case: budgets held, halts paged, blast radius, reversal
time, posture, truthful telemetry, and no harm done.

` + exitCodesHelp,
		Example: `  # Run the storm scenario on a fresh embedded cluster and print its scorecard
  interlock scenario run storm

  # Bring up an embedded cluster with three simulated nodes
  interlock cluster up --name dev --nodes 3 --kubeconfig /tmp/dev.kubeconfig

  # Check a safety case before an automation may act on its own
  interlock safetycase lint my-automation.yaml`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	root.SetFlagErrorFunc(flagError)
	for _, sub := range subcommands {
		root.AddCommand(sub(streams))
	}
	groupCommands(root)
	return root
}

// subcommands are the top-level commands; each file registers its own in init.
var subcommands []func(Streams) *cobra.Command

func register(sub func(Streams) *cobra.Command) { subcommands = append(subcommands, sub) }

// Run executes the command line and returns the process exit code. Errors
// are printed as one line, never as a stack trace.
func Run(ctx context.Context, args []string, streams Streams) int {
	root := NewRootCommand(streams)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintf(streams.Err, "error: %s\n", strings.TrimSpace(err.Error()))
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return ExitError
}
