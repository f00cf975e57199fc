package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
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

// loadScenario takes an embedded scenario's name or a file's path.
func loadScenario(arg string) (*scenarios.Scenario, error) {
	if strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml") || strings.ContainsRune(arg, os.PathSeparator) {
		return scenarios.LoadFile(arg)
	}
	s, err := scenarios.Load(arg)
	if err != nil {
		return nil, fmt.Errorf("%w (known scenarios: %s)", err, strings.Join(scenarios.Names(), ", "))
	}
	return s, nil
}

func newScenarioRunCommand(streams Streams) *cobra.Command {
	var (
		remediatorCmd string
		safetyCase    string
		rbacFile      string
		baseline      bool
		outDir        string
		historyDir    string
	)
	out := outputFlag{allowed: []string{"markdown", "json", "junit", "html"}, value: "markdown"}
	cmd := &cobra.Command{
		Use:   "run NAME|FILE",
		Short: "Run a scenario on a fresh embedded cluster and print its scorecard",
		Long: `Run a scenario on a fresh embedded cluster: bring the cluster up, create the
fixture, start the remediator under its own ServiceAccount, inject the faults
on the scenario's timeline, watch the audit log, the remediator's metrics,
its pages and the truth of what was broken, then grade the run against the
assertions compiled from each automation's safety case. The cluster, the
faults and the remediator are gone when it returns, also after Ctrl-C.

Progress goes to standard error; the scorecard to standard output.

` + exitCodesHelp,
		Example: `  # The main job: a remediation storm against the built-in remediator
  interlock scenario run storm

  # Machine-readable, with every format written to a directory
  interlock scenario run storm -o json --out _output/storm

  # Your own remediator, graded the same way
  interlock scenario run storm --remediator-cmd './my-remediator --fast' --safety-case my-case.yaml

  # ... with the rights it needs (a list of PolicyRules, or a ClusterRole)
  interlock scenario run storm --remediator-cmd './my-remediator' --rbac my-rbac.yaml

  # Also run with remediation off, to check the remediator did no harm
  interlock scenario run lying-health-check --baseline`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := out.validate(); err != nil {
				return err
			}
			s, err := loadScenario(args[0])
			if err != nil {
				return err
			}
			if safetyCase != "" {
				if remediatorCmd == "" {
					return fmt.Errorf("--safety-case is for an external remediator: set --remediator-cmd too")
				}
				if err := s.UseSafetyCaseFile(safetyCase); err != nil {
					return err
				}
			}
			if rbacFile != "" {
				if remediatorCmd == "" {
					return fmt.Errorf("--rbac is for an external remediator: set --remediator-cmd too")
				}
				if err := s.UseRBACFile(rbacFile); err != nil {
					return err
				}
			}
			p, err := embeddedProvider(streams.Err)
			if err != nil {
				return err
			}
			opts := run.Options{Scenario: s, Provider: p, RemediatorCmd: remediatorCmd, Progress: streams.Err}
			// Each scorecard is kept as soon as it exists: recorded in the
			// history, and written to --out.
			keep := func(prefix string, sc *scorecard.Scorecard) error {
				if historyDir != "" {
					if err := recordRuns(cmd.Context(), historyDir, s, streams, sc); err != nil {
						return err
					}
				}
				if outDir != "" {
					return render.WriteFiles(outDir, prefix, sc)
				}
				return nil
			}
			_, sc, runErr := run.Pair(cmd.Context(), run.Run, opts, baseline, streams.Err, keep)
			if sc == nil {
				return runErr
			}
			if outDir != "" {
				fmt.Fprintf(streams.Err, "Scorecards written to %s\n", outDir)
			}
			if err := render.Formats[out.value].Write(streams.Out, sc); err != nil {
				return err
			}
			if runErr != nil {
				return runErr
			}
			if code := sc.ExitCode(); code != ExitOK {
				return &exitError{code: code, err: fmt.Errorf("scenario %s: %s", sc.Scenario, failedAssertions(sc))}
			}
			return nil
		},
	}
	out.register(cmd)
	cmd.Flags().StringVar(&remediatorCmd, "remediator-cmd", "", "run this remediator (through sh -c) instead of the built-in one; it gets KUBECONFIG, INTERLOCK_PAGE_URL and INTERLOCK_METRICS_ADDR")
	cmd.Flags().StringVar(&safetyCase, "safety-case", "", "the external remediator's safety case (a SafetyCase YAML file); its figures replace the scenario's")
	cmd.Flags().StringVar(&rbacFile, "rbac", "", "the external remediator's rights: a YAML list of rbac/v1 PolicyRules, or a ClusterRole whose rules are taken; they replace the scenario's spec.rbac")
	cmd.Flags().BoolVar(&baseline, "baseline", false, "also run with remediation off, and assert the remediator did no harm")
	cmd.Flags().StringVar(&outDir, "out", "", "write scorecard.json, junit.xml, scorecard.md and scorecard.html here")
	cmd.Flags().StringVar(&historyDir, "history", history.DirFromEnv(), `history directory the run is recorded in ($INTERLOCK_HISTORY); "" records nothing`)
	return cmd
}

// recordRuns appends the runs, baseline first, to the history in dir.
func recordRuns(ctx context.Context, dir string, s *scenarios.Scenario, streams Streams, runs ...*scorecard.Scorecard) error {
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
		fmt.Fprintf(streams.Err, "Run recorded as %s in %s\n", rec.ID, dir)
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
	out := outputFlag{allowed: []string{"text", "json", "yaml"}, value: "text"}
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
			if out.value != "text" {
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
