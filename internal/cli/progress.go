package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/run"
	"github.com/interlock-dev/interlock/scenarios"
)

// runScenario runs one scenario for scenario run and nightly; tests put a
// scripted runner in its place to check what the commands print around it.
var runScenario run.Runner = run.Run

// verbosity is --quiet and -v on the commands that run scenarios: quiet
// drops the progress lines from standard error (errors and warnings stay),
// verbose adds detail to them.
type verbosity struct {
	quiet   bool
	verbose bool
}

func (v *verbosity) register(cmd *cobra.Command, verboseHelp string) {
	cmd.Flags().BoolVarP(&v.quiet, "quiet", "q", false, "print no progress on standard error, only errors and warnings")
	cmd.Flags().BoolVarP(&v.verbose, "verbose", "v", false, verboseHelp)
	cmd.MarkFlagsMutuallyExclusive("quiet", "verbose")
}

// progress is where progress lines go: w, or nowhere with --quiet.
func (v *verbosity) progress(w io.Writer) io.Writer {
	if v.quiet {
		return io.Discard
	}
	return w
}

// printPlan says what a run of s will do: its fixture, its timeline of
// faults and the automations under test at their rungs.
func printPlan(w io.Writer, s *scenarios.Scenario, remediatorCmd string) {
	fmt.Fprintf(w, "Scenario %s (pattern %s, tier %s) runs for %s after the fixture is ready\n",
		s.Name(), s.Spec.Pattern, s.Spec.Tier, s.Spec.Duration.Duration)
	var workloads []string
	for _, wl := range s.Spec.Fixture.Workloads {
		workloads = append(workloads, wl.Name)
	}
	fmt.Fprintf(w, "  fixture: %d node(s); workloads %s\n", s.Spec.Fixture.Nodes, orNone(strings.Join(workloads, ", ")))
	for _, f := range s.Spec.Faults {
		until := "to the end"
		if f.For != nil {
			until = "for " + f.For.Duration.String()
		}
		fmt.Fprintf(w, "  fault %s at %s %s\n", f.Name, f.At.Duration, until)
	}
	for _, rf := range s.Spec.RemediatorFaults {
		fmt.Fprintf(w, "  remediator fault %s at %s\n", rf.Action, rf.At.Duration)
	}
	for _, a := range s.Spec.Automations {
		fmt.Fprintf(w, "  automation %s (%s) at rung %s\n", a.Name, a.Type, a.Rung)
	}
	rem := "the built-in remediator"
	if remediatorCmd != "" {
		rem = remediatorCmd
	}
	fmt.Fprintf(w, "  remediator: %s\n", rem)
}

// keepWorkDir makes a directory for a run's files that outlives the run,
// and says where it is.
func keepWorkDir(w io.Writer, name string) (string, error) {
	dir, err := os.MkdirTemp("", "interlock-"+name+"-")
	if err != nil {
		return "", fmt.Errorf("failed to create the run's work dir: %w", err)
	}
	fmt.Fprintf(w, "The run's files (kubeconfigs, the remediator's log) are kept in %s\n", dir)
	return dir, nil
}

// historyEstimate estimates how long each scenario takes, its baseline run
// too when baseline is set: the median duration of its last runs of each
// kind in the history in dir, or, for a scenario never recorded, its own
// duration. An unreadable history leaves every scenario to its duration.
func historyEstimate(dir string, baseline bool) (func(*scenarios.Scenario) time.Duration, error) {
	const lastRuns = 5
	byKind := map[string]map[bool][]float64{} // scenario → baseline? → durations, newest first
	var err error
	if dir != "" {
		var records []history.Record
		records, err = history.NewDir(dir).List(history.Filter{})
		slices.Reverse(records) // newest first
		for _, r := range records {
			if r.DurationSeconds <= 0 || r.Error != "" {
				continue
			}
			if byKind[r.Scenario] == nil {
				byKind[r.Scenario] = map[bool][]float64{}
			}
			if ds := byKind[r.Scenario][r.Baseline]; len(ds) < lastRuns {
				byKind[r.Scenario][r.Baseline] = append(ds, r.DurationSeconds)
			}
		}
		if errors.Is(err, os.ErrNotExist) {
			err = nil
		}
	}
	one := func(s *scenarios.Scenario, isBaseline bool) time.Duration {
		if ds := byKind[s.Name()][isBaseline]; len(ds) > 0 {
			slices.Sort(ds)
			return time.Duration(ds[len(ds)/2] * float64(time.Second))
		}
		return s.Spec.Duration.Duration
	}
	return func(s *scenarios.Scenario) time.Duration {
		d := one(s, false)
		if baseline {
			d += one(s, true)
		}
		return d
	}, err
}
