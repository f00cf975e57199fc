package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/run"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/harness/scorecard/render"
	"github.com/interlock-dev/interlock/scenarios"
)

func init() { register(newScenarioCommand) }

func newScenarioCommand(streams Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenario",
		Short: "Run, list and validate failure scenarios",
	}
	cmd.AddCommand(newScenarioRunCommand(streams), newScenarioListCommand(streams), newScenarioValidateCommand(streams))
	return cmd
}

// scenarioRunOptions are the flags of `interlock scenario run`.
type scenarioRunOptions struct {
	remediatorCmd string
	safetyCase    string
	provider      string
	rbacFile      string
	baseline      bool
	outDir        string
	historyDir    string
	out           outputFlag
	verbosity     verbosity
}

const scenarioRunLong = `Run a scenario on a fresh cluster (embedded by default; --provider kind for
kind with Chaos Mesh): bring the cluster up, create the fixture, start the
remediator under its own ServiceAccount, inject the faults on the
scenario's timeline, watch the audit log, the remediator's metrics, its
pages and the truth of what was broken, then grade the run against the
assertions compiled from each automation's safety case. The cluster, the
faults and the remediator are gone when it returns, also after Ctrl-C.

Progress goes to standard error (none with --quiet; more with -v: the
plan first, and the run's files kept); the scorecard to standard output.

` + exitCodesHelp

const scenarioRunExample = `  # The main job: a remediation storm against the built-in remediator
  interlock scenario run storm

  # Machine-readable, with every format written to a directory
  interlock scenario run storm -o json --out _output/storm

  # Your own remediator, graded the same way
  interlock scenario run storm --remediator-cmd './my-remediator --fast' --safety-case my-case.yaml

  # ... with the rights it needs (a list of PolicyRules, or a ClusterRole)
  interlock scenario run storm --remediator-cmd './my-remediator' --rbac my-rbac.yaml

  # On a kind cluster, faults through Chaos Mesh (needs Docker)
  interlock scenario run storm --provider kind

  # Also run with remediation off, to check the remediator did no harm
  interlock scenario run lying-health-check --baseline`

func newScenarioRunCommand(streams Streams) *cobra.Command {
	o := scenarioRunOptions{out: outputFlag{allowed: []string{"markdown", "json", "junit", "html"}, value: "markdown"}}
	cmd := &cobra.Command{
		Use:     "run NAME|FILE",
		Short:   "Run a scenario on a fresh cluster and print its scorecard",
		Long:    scenarioRunLong,
		Example: scenarioRunExample,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), streams, args[0])
		},
	}
	o.register(cmd)
	return cmd
}

func (o *scenarioRunOptions) register(cmd *cobra.Command) {
	o.out.register(cmd)
	cmd.Flags().StringVar(&o.remediatorCmd, "remediator-cmd", "", "run this remediator (through sh -c) instead of the built-in one; it gets KUBECONFIG, INTERLOCK_PAGE_URL and INTERLOCK_METRICS_ADDR")
	addSafetyCaseFlag(cmd, &o.safetyCase)
	addProviderFlag(cmd, &o.provider)
	cmd.Flags().StringVar(&o.rbacFile, "rbac", "", "the external remediator's rights: a YAML list of rbac/v1 PolicyRules, or a ClusterRole whose rules are taken; they replace the scenario's spec.rbac")
	cmd.Flags().BoolVar(&o.baseline, "baseline", false, "also run with remediation off, and assert the remediator did no harm")
	cmd.Flags().StringVar(&o.outDir, "out", "", "write scorecard.json, junit.xml, scorecard.md and scorecard.html here")
	cmd.Flags().StringVar(&o.historyDir, "history", history.DirFromEnv(), `history directory the run is recorded in ($INTERLOCK_HISTORY); "" records nothing`)
	o.verbosity.register(cmd, "also print the run's plan (fixture, faults, automations) first, and keep the run's files (kubeconfigs, the remediator's log) in a directory it names")
}

// run runs the scenario arg names (with its baseline if asked), prints the
// scorecard and answers with its verdict.
func (o *scenarioRunOptions) run(ctx context.Context, streams Streams, arg string) error {
	if err := o.out.validate(); err != nil {
		return err
	}
	s, err := o.scenario(arg)
	if err != nil {
		return err
	}
	if o.provider == providerKind {
		if why := chaosMeshRefusals(s); why != "" {
			return fmt.Errorf("scenario %s cannot run on %s: %s", s.Name(), o.provider, why)
		}
	}
	progress := o.verbosity.progress(streams.Err)
	p, injector, err := clusterProvider(o.provider, progress)
	if err != nil {
		return err
	}
	opts := run.Options{Scenario: s, Provider: p, ProviderName: o.provider, Injector: injector, RemediatorCmd: o.remediatorCmd, Progress: progress}
	if o.verbosity.verbose {
		printPlan(progress, s, o.remediatorCmd)
		if opts.WorkDir, err = keepWorkDir(progress, s.Name()); err != nil {
			return err
		}
	}
	_, sc, runErr := run.Pair(ctx, runScenario, opts, o.baseline, progress, o.keeper(ctx, s, progress))
	if sc == nil {
		return runErr
	}
	if o.outDir != "" {
		fmt.Fprintf(progress, "Scorecards written to %s\n", o.outDir)
	}
	if err := render.Formats[o.out.value].Write(streams.Out, sc); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	if code := sc.ExitCode(); code != ExitOK {
		return &exitError{code: code, err: fmt.Errorf("scenario %s: %s", sc.Scenario, failedAssertions(sc))}
	}
	return nil
}

// scenario loads the scenario arg names, with the external remediator's
// safety case and rights in place of its own if the flags give them.
func (o *scenarioRunOptions) scenario(arg string) (*scenarios.Scenario, error) {
	s, err := loadScenario(arg)
	if err != nil {
		return nil, err
	}
	if err := useSafetyCase(s, o.safetyCase, o.remediatorCmd); err != nil {
		return nil, err
	}
	if o.rbacFile != "" {
		if o.remediatorCmd == "" {
			return nil, fmt.Errorf("--rbac is for an external remediator: set --remediator-cmd too")
		}
		if err := s.UseRBACFile(o.rbacFile); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// keeper keeps each scorecard as soon as it exists: recorded in the
// history, and written to --out.
func (o *scenarioRunOptions) keeper(ctx context.Context, s *scenarios.Scenario, progress io.Writer) func(string, *scorecard.Scorecard) error {
	return func(prefix string, sc *scorecard.Scorecard) error {
		if o.historyDir != "" {
			if err := recordRuns(ctx, o.historyDir, s, progress, sc); err != nil {
				return err
			}
		}
		if o.outDir != "" {
			return render.WriteFiles(o.outDir, prefix, sc)
		}
		return nil
	}
}

// recordRuns appends the runs, baseline first, to the history in dir,
// saying so on progress.
func recordRuns(ctx context.Context, dir string, s *scenarios.Scenario, progress io.Writer, runs ...*scorecard.Scorecard) error {
	store, commit := history.NewDir(dir), history.GitCommit(ctx, "")
	for _, run := range runs {
		if run == nil {
			continue
		}
		rec, err := history.FromScorecard(run, history.Meta{Scenario: s, Commit: commit, Suite: history.SuiteAdhoc})
		if err == nil {
			err = store.Append(rec)
		}
		if err != nil {
			return fmt.Errorf("failed to record the run: %w", err)
		}
		fmt.Fprintf(progress, "Run recorded as %s in %s\n", rec.ID, dir)
	}
	return nil
}

func failedAssertions(sc *scorecard.Scorecard) string {
	var names []string
	for _, a := range sc.Assertions {
		if a.Verdict != scorecard.VerdictPass {
			names = append(names, a.Name+" "+string(a.Verdict))
		}
	}
	if len(names) == 0 {
		return string(sc.Verdict) + ": " + sc.Error
	}
	return string(sc.Verdict) + ": " + strings.Join(names, ", ")
}

func newScenarioListCommand(streams Streams) *cobra.Command {
	out := dataOutput()
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the shipped scenarios",
		Example: `  interlock scenario list -o json`,
		Args:    cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if err := out.validate(); err != nil {
				return err
			}
			type row struct {
				Name        string `json:"name"`
				Tier        string `json:"tier"`
				Pattern     string `json:"pattern"`
				Description string `json:"description"`
			}
			var rows []row
			for _, n := range scenarios.Names() {
				s, err := scenarios.Load(n)
				if err != nil {
					return err
				}
				rows = append(rows, row{Name: n, Tier: s.Spec.Tier, Pattern: s.Spec.Pattern, Description: s.Spec.Description})
			}
			if out.structured() {
				return out.print(streams.Out, rows)
			}
			tw := tabwriter.NewWriter(streams.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tTIER\tPATTERN\tDESCRIPTION")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.Tier, r.Pattern, firstSentence(r.Description))
			}
			return tw.Flush()
		},
	}
	out.register(cmd)
	return cmd
}

func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

func newScenarioValidateCommand(streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files without running them",
		Long: `Check scenario files: strict fields, durations, fault windows, selectors,
safety cases and every Chaos Mesh field against what the injector honours.
Each problem is printed with its file and field path; the exit code is 2 if
any file is invalid.`,
		Example: `  interlock scenario validate my-scenario.yaml`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			var errs []error
			for _, a := range args {
				if _, err := loadScenario(a); err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Fprintf(streams.Out, "%s: valid\n", a)
			}
			return errors.Join(errs...)
		},
	}
}
