package cli

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/interlock-dev/interlock/harness/history"
)

func init() { register(newHistoryCommand) }

// historyDirHelp documents --history for the commands that read the history.
const historyDirHelp = "history directory (default: $" + history.DirEnv + ", then " + history.DefaultDir + ")"

// historyFlag registers --history, the history directory, as every command
// that reads or writes the history names it. With oldDir it also registers
// --dir, the name some of them had, as a hidden alias, so that scripts
// written for it still work; using it warns on stderr, never on stdout,
// where it would spoil -o json. cmd's RunE must be set already.
func historyFlag(cmd *cobra.Command, dir *string, def, usage string, oldDir bool) {
	cmd.Flags().StringVar(dir, "history", def, usage)
	_ = cmd.MarkFlagDirname("history")
	if !oldDir {
		return
	}
	cmd.Flags().StringVar(dir, "dir", def, usage)
	_ = cmd.Flags().MarkHidden("dir")
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if c.Flags().Changed("dir") {
			fmt.Fprintln(c.ErrOrStderr(), "Warning: --dir is deprecated, use --history")
		}
		return run(c, args)
	}
}

// historyStore returns the store in dir, or in the default directory.
func historyStore(dir string) *history.Dir {
	if dir == "" {
		dir = history.DirFromEnv()
	}
	return history.NewDir(dir)
}

func newHistoryCommand(streams Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List recorded scenario runs and ladder moves",
		Long: `The history is a directory of records, one JSON file each: DIR/runs/ holds
one per scenario run (its scorecard plus the run's ID, git commit, suite and
the digest of each automation's safety case), DIR/promotions/ one per
promotion or demotion. The directory is $` + history.DirEnv + `, else ` + history.DefaultDir + `,
unless --history says otherwise. Promotions are decided on the nightly runs in it.`,
		Example: `  interlock history list --automation unhealthy-workload
  interlock history promotions`,
	}
	cmd.AddCommand(newHistoryListCommand(streams), newHistoryPromotionsCommand(streams))
	return cmd
}

func newHistoryListCommand(streams Streams) *cobra.Command {
	var (
		dir string
		f   history.Filter
	)
	out := dataOutput()
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List recorded scenario runs, oldest first",
		Long: `List the recorded scenario runs, oldest first, optionally only those of one
automation (by name or type), scenario or suite. The table shows one line per
run; -o json and -o yaml print the records in full, scorecards included.

A file in the history that is not a valid record is an error naming it
(exit 2): a record that cannot be read might be the failing run.

` + exitCodesHelp,
		Example: `  # Every run on record
  interlock history list

  # The nightly runs that exercised unhealthy-workload, as JSON
  interlock history list --automation unhealthy-workload --suite nightly -o json

  # Another history directory
  INTERLOCK_HISTORY=/var/lib/interlock interlock history list --scenario storm`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if err := out.validate(); err != nil {
				return err
			}
			if f.Suite != "" && !slices.Contains(history.Suites, f.Suite) {
				return fmt.Errorf("invalid --suite %q: must be one of %s", f.Suite, strings.Join(history.Suites, ", "))
			}
			store := historyStore(dir)
			records, err := store.List(f)
			if err != nil {
				return err
			}
			if out.structured() {
				if records == nil {
					records = []history.Record{}
				}
				return out.print(streams.Out, records)
			}
			if len(records) == 0 {
				fmt.Fprintf(streams.Out, "No runs recorded in %s match.\n", store.Root())
				return nil
			}
			tw := tabwriter.NewWriter(streams.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTARTED\tSCENARIO\tSUITE\tPROVIDER\tREMEDIATOR\tVERDICT\tCOMMIT\tAUTOMATIONS")
			for _, r := range records {
				var autos []string
				for _, a := range r.Automations {
					autos = append(autos, fmt.Sprintf("%s@%s", a.Name, a.Rung))
				}
				verdict := string(r.Verdict)
				if r.Baseline {
					verdict += " (baseline)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.StartedAt.UTC().Format(time.RFC3339), r.Scenario,
					r.Suite, r.Provider, r.Remediator, verdict, shortCommit(r.Commit), strings.Join(autos, ","))
			}
			return tw.Flush()
		},
	}
	out.register(cmd)
	historyFlag(cmd, &dir, "", historyDirHelp, true)
	cmd.Flags().StringVar(&f.Automation, "automation", "", "only runs with an automation of this name or type under test")
	cmd.Flags().StringVar(&f.Scenario, "scenario", "", "only runs of this scenario")
	cmd.Flags().StringVar(&f.Suite, "suite", "", "only runs of this suite: "+strings.Join(history.Suites, ", "))
	_ = cmd.RegisterFlagCompletionFunc("automation", completeAutomations)
	_ = cmd.RegisterFlagCompletionFunc("scenario", completeScenarioNames)
	_ = cmd.RegisterFlagCompletionFunc("suite", completeValues(history.Suites...))
	return cmd
}

func newHistoryPromotionsCommand(streams Streams) *cobra.Command {
	var dir, automation string
	out := dataOutput()
	cmd := &cobra.Command{
		Use:   "promotions",
		Short: "List recorded promotions and demotions, oldest first",
		Example: `  interlock history promotions --automation unhealthy-workload
  interlock history promotions -o json`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if err := out.validate(); err != nil {
				return err
			}
			store := historyStore(dir)
			ps, err := store.Promotions(automation)
			if err != nil {
				return err
			}
			if out.structured() {
				if ps == nil {
					ps = []history.Promotion{}
				}
				return out.print(streams.Out, ps)
			}
			if len(ps) == 0 {
				fmt.Fprintf(streams.Out, "No promotions recorded in %s match.\n", store.Root())
				return nil
			}
			tw := tabwriter.NewWriter(streams.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tTIME\tACTION\tAUTOMATION\tFROM\tTO\tOWNER\tEVIDENCE\tREASON")
			for _, p := range ps {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d run(s)\t%s\n", p.ID, p.Time.UTC().Format(time.RFC3339), p.Action,
					p.Automation, p.From, p.To, p.Owner, len(p.Evidence), p.Reason)
			}
			return tw.Flush()
		},
	}
	out.register(cmd)
	historyFlag(cmd, &dir, "", historyDirHelp, true)
	cmd.Flags().StringVar(&automation, "automation", "", "only the moves of this automation")
	_ = cmd.RegisterFlagCompletionFunc("automation", completeAutomations)
	return cmd
}

// shortCommit abbreviates a git commit to 12 digits.
func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}
