package suite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/interlock-dev/interlock/harness/run"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/harness/scorecard/render"
	"github.com/interlock-dev/interlock/scenarios"
)

// Options configure a suite run.
type Options struct {
	// Scenarios are run in the order given. Required.
	Scenarios []*scenarios.Scenario
	// Run is the template of every run: provider, remediator, interlock
	// binary. Scenario, Progress, NoRemediator and Baseline are set per run.
	Run run.Options
	// Baseline pairs each run with one of the same scenario with
	// remediation off, so that each is also graded on doing no harm.
	Baseline bool
	// Parallel is how many scenarios run at once. Defaults to 1.
	Parallel int
	// OutDir receives OutDir/SCENARIO/ with every scorecard format (and the
	// baseline's, prefixed "baseline-") and the run's progress log, plus
	// summary.md, summary.json and index.html. Required.
	OutDir string
	// Progress receives one line as each scenario starts and ends; each end
	// line counts the scenarios done of the total and, with Estimate, the
	// time the rest of the suite should take.
	Progress io.Writer
	// RunProgress, when set, also receives each run's own progress lines
	// (which go to OUT/SCENARIO/progress.log regardless), each prefixed
	// with the scenario's name.
	RunProgress io.Writer
	// Estimate says how long a scenario should take, its baseline run
	// included, such as from the durations in the run history. Nil shows
	// no estimate of the time left.
	Estimate func(*scenarios.Scenario) time.Duration
	// Runner defaults to run.Run.
	Runner run.Runner
	// Recorded is called with every scorecard once written, baseline runs
	// included, such as to append it to a history store.
	Recorded func(sc *scorecard.Scorecard) error
}

// Summary is the outcome of a suite run.
type Summary struct {
	// StartedAt is when the suite started.
	StartedAt time.Time `json:"startedAt"`
	// WallSeconds is how long the whole suite took.
	WallSeconds float64 `json:"wallSeconds"`
	// Provider is the cluster provider every run used.
	Provider string `json:"provider"`
	// Parallel is how many scenarios ran at once.
	Parallel int `json:"parallel"`
	// Verdict is pass when every scenario passed, fail when one failed,
	// otherwise error.
	Verdict scorecard.Verdict `json:"verdict"`
	// Entries are the scenarios, in the order they were given.
	Entries []Entry `json:"entries"`
}

// Entry is one scenario's line in the summary.
type Entry struct {
	Scenario string            `json:"scenario"`
	Tier     string            `json:"tier"`
	Pattern  string            `json:"pattern"`
	Verdict  scorecard.Verdict `json:"verdict"`
	// Failed names the assertions that did not pass, with their verdicts.
	Failed []string `json:"failed,omitempty"`
	// Error says why the run could not be carried out.
	Error string `json:"error,omitempty"`
	// Availability is the mean true availability with the remediator.
	Availability float64 `json:"availability"`
	// BaselineAvailability is the mean true availability with remediation
	// off; nil without a baseline run.
	BaselineAvailability *float64 `json:"baselineAvailability,omitempty"`
	// Actions is how many remediation actions the run counted against a
	// budget (run.ActionCount), the figure of the scorecard's card and chart.
	Actions int `json:"actions"`
	// DurationSeconds covers the scenario's runs, baseline included.
	DurationSeconds float64 `json:"durationSeconds"`
	// Dir is the scenario's directory under OutDir, relative to it.
	Dir string `json:"dir"`
}

// ExitCode is 0 when every scenario passed, 1 when one failed, else 2.
func (s *Summary) ExitCode() int {
	switch s.Verdict {
	case scorecard.VerdictPass:
		return 0
	case scorecard.VerdictFail:
		return 1
	}
	return 2
}

// Run runs every scenario and writes their scorecards and the summary.
// It returns an error only when the summary could not be written or the
// suite was interrupted; a scenario that could not be carried out is an
// entry with verdict error.
func Run(ctx context.Context, opts Options) (*Summary, error) {
	if opts.OutDir == "" {
		return nil, errors.New("suite: an output directory is required")
	}
	if opts.Parallel < 1 {
		opts.Parallel = 1
	}
	if opts.Runner == nil {
		opts.Runner = run.Run
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if opts.RunProgress != nil {
		opts.RunProgress = &lockedWriter{w: opts.RunProgress}
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("failed to create %s: %w", opts.OutDir, err)
	}
	sum := &Summary{StartedAt: time.Now(), Provider: providerName(opts.Run), Parallel: opts.Parallel,
		Entries: make([]Entry, len(opts.Scenarios))}
	var mu sync.Mutex
	done := 0
	left := newETA(opts)
	sem := make(chan struct{}, opts.Parallel)
	var wg sync.WaitGroup
	for i, s := range opts.Scenarios {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				sum.Entries[i] = Entry{Scenario: s.Name(), Tier: s.Spec.Tier, Pattern: s.Spec.Pattern,
					Verdict: scorecard.VerdictError, Error: "not run: " + ctx.Err().Error(), Dir: s.Name()}
				return
			}
			defer func() { <-sem }()
			mu.Lock()
			fmt.Fprintf(opts.Progress, "%s  start  %s\n", clock(sum.StartedAt), s.Name())
			left.start(i, time.Now())
			mu.Unlock()
			e := runOne(ctx, opts, s)
			mu.Lock()
			defer mu.Unlock()
			sum.Entries[i] = e
			done++
			left.finish(i)
			line := fmt.Sprintf("%s  %-5s  %s (%s)", clock(sum.StartedAt), e.Verdict, s.Name(), (time.Duration(e.DurationSeconds) * time.Second).String())
			if len(e.Failed) > 0 {
				line += ": " + strings.Join(e.Failed, ", ")
			}
			if e.Error != "" {
				line += ": " + e.Error
			}
			count := fmt.Sprintf("%d/%d", done, len(opts.Scenarios))
			if eta, ok := left.left(time.Now()); ok && done < len(opts.Scenarios) {
				count += ", about " + minutes(eta) + " left"
			}
			fmt.Fprintf(opts.Progress, "%s  [%s]\n", line, count)
		}()
	}
	wg.Wait()
	sum.WallSeconds = time.Since(sum.StartedAt).Seconds()
	sum.Verdict = verdictOf(sum.Entries)
	if err := WriteFiles(opts.OutDir, sum); err != nil {
		return sum, err
	}
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("suite interrupted: %w", err)
	}
	return sum, nil
}

func providerName(o run.Options) string {
	if o.ProviderName != "" {
		return o.ProviderName
	}
	return "embedded"
}

// runOne runs a scenario (after its baseline, when asked) and writes its files.
func runOne(ctx context.Context, opts Options, s *scenarios.Scenario) (e Entry) {
	e = Entry{Scenario: s.Name(), Tier: s.Spec.Tier, Pattern: s.Spec.Pattern, Dir: s.Name()}
	dir := filepath.Join(opts.OutDir, s.Name())
	start := time.Now()
	defer func() { e.DurationSeconds = time.Since(start).Seconds() }()
	fail := func(err error) Entry {
		e.Verdict, e.Error = scorecard.VerdictError, err.Error()
		return e
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(fmt.Errorf("failed to create %s: %w", dir, err))
	}
	logPath := filepath.Join(dir, "progress.log")
	log, err := os.Create(logPath)
	if err != nil {
		return fail(fmt.Errorf("failed to create %s: %w", logPath, err))
	}
	defer log.Close()
	ro := opts.Run
	ro.Scenario, ro.Progress = s, log
	if opts.RunProgress != nil {
		ro.Progress = io.MultiWriter(log, &prefixWriter{w: opts.RunProgress, prefix: s.Name() + ": "})
	}
	record := func(prefix string, sc *scorecard.Scorecard) error {
		if err := render.WriteFiles(dir, prefix, sc); err != nil {
			return err
		}
		if opts.Recorded != nil {
			return opts.Recorded(sc)
		}
		return nil
	}
	base, sc, runErr := run.Pair(ctx, opts.Runner, ro, opts.Baseline, ro.Progress, record)
	if sc == nil {
		if runErr == nil {
			runErr = errors.New("the run returned no scorecard")
		}
		return fail(runErr)
	}
	if base != nil {
		v := base.Truth.MeanAvailability
		e.BaselineAvailability = &v
	}

	e.Verdict, e.Error = sc.Verdict, sc.Error
	e.Availability = sc.Truth.MeanAvailability
	e.Actions = run.ActionCount(sc)
	for _, a := range sc.Assertions {
		if a.Verdict != scorecard.VerdictPass {
			e.Failed = append(e.Failed, a.Name+" "+string(a.Verdict))
		}
	}
	return e
}

// verdictOf is fail if any entry failed, else error if any errored, else pass.
func verdictOf(entries []Entry) scorecard.Verdict {
	v := scorecard.VerdictPass
	if len(entries) == 0 {
		return scorecard.VerdictError
	}
	for _, e := range entries {
		switch e.Verdict {
		case scorecard.VerdictFail:
			return scorecard.VerdictFail
		case scorecard.VerdictPass:
		default:
			v = scorecard.VerdictError
		}
	}
	return v
}

// Shard picks the scenarios of shard i of n (1-based), dealt round-robin
// over the names in sorted order, so that shards stay balanced as
// scenarios are added.
func Shard(ss []*scenarios.Scenario, i, n int) ([]*scenarios.Scenario, error) {
	if n < 1 || i < 1 || i > n {
		return nil, fmt.Errorf("invalid shard %d/%d: want I/N with 1 <= I <= N", i, n)
	}
	sorted := append([]*scenarios.Scenario(nil), ss...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].Name() < sorted[b].Name() })
	var out []*scenarios.Scenario
	for k, s := range sorted {
		if k%n == i-1 {
			out = append(out, s)
		}
	}
	return out, nil
}

func clock(start time.Time) string {
	d := time.Since(start).Round(time.Second)
	return fmt.Sprintf("[%02d:%02d]", int(d.Minutes()), int(d.Seconds())%60)
}
