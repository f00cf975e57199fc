package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/run"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/harness/suite"
	"github.com/interlock-dev/interlock/scenarios"
)

func init() { register(newNightlyCommand) }

// nightlyOptions are the flags of `interlock nightly`.
type nightlyOptions struct {
	tier          string
	provider      string
	outDir        string
	parallel      int
	baseline      bool
	shard         string
	remediatorCmd string
	safetyCase    string
	historyDir    string
	verbosity     verbosity
}

const nightlyLong = `Run every scenario of a tier (nightly: all of them; pr: the fast set), each
first with remediation off and then with the remediator, so that each is
also graded on doing no harm. Every scenario's scorecards go to
OUT/SCENARIO/, and the suite's summary to OUT/summary.md (the scenario ×
verdict table), OUT/summary.json and OUT/index.html, a page linking every
report. Naming scenarios runs only those.

One line per scenario goes to standard error as it starts and ends, the
end line with the count done of the total and the time left, estimated
from the median duration of each scenario's last runs in the history (its
own duration when it has none). Each run's own progress goes to
OUT/SCENARIO/progress.log, and with -v to standard error too; --quiet
prints no progress. The summary table is printed at the end, with the
suite's wall time.

` + exitCodesHelp

const nightlyExample = `  # The nightly tier on the embedded cluster, two scenarios at a time
  interlock nightly --out _output/nightly

  # The fast tier, without baselines
  interlock nightly --tier pr --baseline=false

  # Shard 2 of 4, as the CI matrix does
  interlock nightly --shard 2/4 --out _output/nightly-2

  # Your own remediator on the scenarios of its automation, with its safety case
  interlock nightly storm remediator-crash-mid-storm --remediator-cmd './my-remediator' --safety-case my-case.yaml

  # Join the shards' summaries into one
  interlock nightly merge _output/nightly-1 _output/nightly-2 --out _output/nightly`

func newNightlyCommand(streams Streams) *cobra.Command {
	var o nightlyOptions
	cmd := &cobra.Command{
		Use:     "nightly [SCENARIO...]",
		Short:   "Run a tier of scenarios, each with a baseline, and write one summary",
		Long:    nightlyLong,
		Example: nightlyExample,
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), streams, args)
		},
	}
	o.register(cmd)
	cmd.AddCommand(newNightlyMergeCommand(streams))
	return cmd
}

func (o *nightlyOptions) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.tier, "tier", scenarios.TierNightly, "which scenarios: nightly (every scenario) or pr (the fast set)")
	addProviderFlag(cmd, &o.provider)
	cmd.Flags().StringVar(&o.outDir, "out", "_output/nightly", "directory for the scorecards and the summary")
	cmd.Flags().IntVar(&o.parallel, "parallel", 2, "scenarios run at once")
	cmd.Flags().BoolVar(&o.baseline, "baseline", true, "also run each scenario with remediation off, and grade did-no-harm")
	cmd.Flags().StringVar(&o.shard, "shard", "", "run only shard I of N (I/N), scenarios dealt round-robin by name")
	cmd.Flags().StringVar(&o.remediatorCmd, "remediator-cmd", "", "run this remediator instead of the built-in one (see scenario run)")
	addSafetyCaseFlag(cmd, &o.safetyCase)
	o.verbosity.register(cmd, "also print every run's own progress lines, each with its scenario's name")
	cmd.Flags().StringVar(&o.historyDir, "history", history.DirFromEnv(), "history directory every run is recorded in ($INTERLOCK_HISTORY)")
}

// run runs the suite, prints its summary and answers with its verdict.
func (o *nightlyOptions) run(ctx context.Context, streams Streams, args []string) error {
	ss, err := o.scenarios(args)
	if err != nil {
		return err
	}
	progress := o.verbosity.progress(streams.Err)
	p, injector, err := clusterProvider(o.provider, progress)
	if err != nil {
		return err
	}
	if injector == run.InjectorChaosMesh {
		ss = chaosMeshRunnable(ss, o.provider, streams.Err)
	}
	estimate, herr := historyEstimate(o.historyDir, o.baseline)
	if herr != nil {
		fmt.Fprintf(streams.Err, "Warning: the time left is estimated from the scenarios' durations: %v\n", herr)
	}
	var total time.Duration
	for _, s := range ss {
		total += estimate(s)
	}
	fmt.Fprintf(progress, "Running %d scenario(s) of tier %s on the %s cluster, %d at a time (about %s); reports in %s\n",
		len(ss), o.tier, o.provider, o.parallel, roundMinutes(total/time.Duration(max(min(o.parallel, len(ss)), 1))), o.outDir)
	opts := suite.Options{
		Scenarios: ss, Baseline: o.baseline, Parallel: o.parallel, OutDir: o.outDir, Progress: progress, Estimate: estimate, Runner: runScenario,
		Run:      run.Options{Provider: p, ProviderName: o.provider, Injector: injector, RemediatorCmd: o.remediatorCmd},
		Recorded: o.recorder(ctx, ss),
	}
	if o.verbosity.verbose {
		opts.RunProgress = progress
	}
	sum, err := suite.Run(ctx, opts)
	if sum != nil {
		if werr := suite.WriteMarkdown(streams.Out, sum); werr != nil {
			return werr
		}
		fmt.Fprintf(progress, "Wall time %s. Summary: %s. Runs recorded in %s\n",
			(time.Duration(sum.WallSeconds) * time.Second).String(), filepath.Join(o.outDir, "index.html"), o.historyDir)
	}
	if err != nil {
		return err
	}
	if code := sum.ExitCode(); code != ExitOK {
		return &exitError{code: code, err: fmt.Errorf("suite %s", sum.Verdict)}
	}
	return nil
}

// scenarios checks the flags and returns the scenarios to run: the named
// ones or the tier's, and of those the shard's.
func (o *nightlyOptions) scenarios(args []string) ([]*scenarios.Scenario, error) {
	if !slices.Contains(scenarios.Tiers, o.tier) {
		return nil, fmt.Errorf("invalid --tier %q: must be one of %s", o.tier, strings.Join(scenarios.Tiers, ", "))
	}
	if o.parallel < 1 {
		return nil, fmt.Errorf("invalid --parallel %d: must be at least 1", o.parallel)
	}
	ss, err := tierScenarios(o.tier, args)
	if err != nil {
		return nil, err
	}
	if o.shard != "" {
		i, n, err := parseShard(o.shard)
		if err != nil {
			return nil, err
		}
		if ss, err = suite.Shard(ss, i, n); err != nil {
			return nil, err
		}
	}
	for _, s := range ss {
		if err := useSafetyCase(s, o.safetyCase, o.remediatorCmd); err != nil {
			return nil, err
		}
	}
	return ss, nil
}

// chaosMeshRunnable leaves out what Chaos Mesh cannot inject (it has no
// node faults), saying so on w.
func chaosMeshRunnable(ss []*scenarios.Scenario, provider string, w io.Writer) []*scenarios.Scenario {
	var keep []*scenarios.Scenario
	for _, s := range ss {
		if why := chaosMeshRefusals(s); why != "" {
			fmt.Fprintf(w, "Skipping %s on %s: %s\n", s.Name(), provider, why)
			continue
		}
		keep = append(keep, s)
	}
	return keep
}

// recorder returns what records each scorecard of the suite in the history,
// under the tier's suite name.
func (o *nightlyOptions) recorder(ctx context.Context, ss []*scenarios.Scenario) func(*scorecard.Scorecard) error {
	store, commit := history.NewDir(o.historyDir), history.GitCommit(ctx, "")
	suiteName := map[string]string{scenarios.TierNightly: history.SuiteNightly, scenarios.TierPR: history.SuitePR}[o.tier]
	byName := map[string]*scenarios.Scenario{}
	for _, s := range ss {
		byName[s.Name()] = s
	}
	return func(sc *scorecard.Scorecard) error {
		rec, err := history.FromScorecard(sc, history.Meta{Scenario: byName[sc.Scenario], Commit: commit, Suite: suiteName})
		if err != nil {
			return err
		}
		return store.Append(rec)
	}
}

// tierScenarios returns the named scenarios, or every scenario of the tier:
// the nightly tier is every scenario, the pr tier those marked pr.
func tierScenarios(tier string, names []string) ([]*scenarios.Scenario, error) {
	var out []*scenarios.Scenario
	if len(names) > 0 {
		for _, n := range names {
			s, err := loadScenario(n)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	for _, n := range scenarios.Names() {
		s, err := scenarios.Load(n)
		if err != nil {
			return nil, err
		}
		if tier == scenarios.TierNightly || s.Spec.Tier == tier {
			out = append(out, s)
		}
	}
	return out, nil
}

func parseShard(v string) (int, int, error) {
	a, b, ok := strings.Cut(v, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("invalid --shard %q: want I/N with 1 <= I <= N, such as 2/4", v)
	}
	return i, n, nil
}

func newNightlyMergeCommand(streams Streams) *cobra.Command {
	var outDir string
	cmd := &cobra.Command{
		Use:   "merge DIR...",
		Short: "Join the summaries of suite shards into one",
		Long: `Read DIR/summary.json of each shard and write one summary.md, summary.json
and index.html into --out, linking each scenario's reports where the shard
wrote them. The exit code follows the merged verdict.`,
		Example: `  interlock nightly merge shard-1 shard-2 shard-3 --out nightly`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			var parts []*suite.Summary
			for _, d := range args {
				s, err := suite.ReadJSON(filepath.Join(d, "summary.json"))
				if err != nil {
					return err
				}
				for i := range s.Entries {
					rel, err := filepath.Rel(outDir, filepath.Join(d, s.Entries[i].Dir))
					if err != nil {
						return fmt.Errorf("failed to link %s from %s: %w", d, outDir, err)
					}
					s.Entries[i].Dir = rel
				}
				parts = append(parts, s)
			}
			sum := suite.Merge(parts...)
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return fmt.Errorf("failed to create %s: %w", outDir, err)
			}
			if err := suite.WriteFiles(outDir, sum); err != nil {
				return err
			}
			if err := suite.WriteMarkdown(streams.Out, sum); err != nil {
				return err
			}
			if code := sum.ExitCode(); code != ExitOK {
				return &exitError{code: code, err: fmt.Errorf("suite %s", sum.Verdict)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&outDir, "out", "_output/nightly", "directory for the merged summary")
	return cmd
}

// roundMinutes prints d rounded to the minute, or to the second under one.
func roundMinutes(d time.Duration) string {
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
}
