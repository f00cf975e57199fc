package run

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// Runner runs a scenario once; Run is the real one.
type Runner func(ctx context.Context, opts Options) (*scorecard.Scorecard, error)

// Pair runs a scenario the way the CLI and the nightly suite both do: with
// baseline, first with remediation off, then with the remediator, graded
// against the baseline's availability (did-no-harm); without, once with the
// remediator. Each scorecard goes to done as soon as it exists, with the
// prefix its files take ("baseline-" or ""), so that it is kept even if
// the next run fails. note receives a line before each of two runs.
//
// A baseline that could not be carried out stops the pair: its error is
// returned with the baseline's scorecard and no second run. Otherwise the
// second run's scorecard and error are returned.
func Pair(ctx context.Context, runner Runner, opts Options, baseline bool, note io.Writer,
	done func(prefix string, sc *scorecard.Scorecard) error) (base, sc *scorecard.Scorecard, err error) {
	if runner == nil {
		runner = Run
	}
	if note == nil {
		note = io.Discard
	}
	if baseline {
		fmt.Fprintln(note, "Baseline run, with remediation off:")
		bo := opts
		bo.NoRemediator, bo.Baseline = true, nil
		base, err = runner(ctx, bo)
		if base != nil && done != nil {
			if derr := done("baseline-", base); derr != nil {
				return base, nil, derr
			}
		}
		if err != nil {
			return base, nil, fmt.Errorf("baseline run failed: %w", err)
		}
		if base == nil {
			return nil, nil, errors.New("baseline run failed: it returned no scorecard")
		}
		opts.Baseline = base
		fmt.Fprintln(note, "Run with the remediator:")
	}
	sc, err = runner(ctx, opts)
	if sc != nil && done != nil {
		if derr := done("", sc); derr != nil {
			return base, sc, errors.Join(err, derr)
		}
	}
	return base, sc, err
}
