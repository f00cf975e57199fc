package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/scenarios"
)

// stormScenario is the scenario whose overhead the goal names.
const stormScenario = "storm"

// stormRun is one `interlock scenario run storm`, timed.
type stormRun struct {
	// Wall is the command's wall time, from its start to its exit.
	Wall time.Duration `json:"wall"`
	// Duration is the scenario's own duration.
	Duration time.Duration `json:"duration"`
	// Setup is from the run's start to the fixture ready, when the
	// scenario's timeline begins: cluster up, fixture, remediator.
	Setup time.Duration `json:"setup"`
	// ClusterUp is the part of Setup the cluster took, as the run says.
	ClusterUp time.Duration `json:"clusterUp"`
	// Verdict is the run's verdict.
	Verdict string `json:"verdict"`
}

// Overhead is the wall time beyond the scenario's own duration.
func (r stormRun) Overhead() time.Duration { return r.Wall - r.Duration }

// After is the rest of the overhead: the command's start before the run's
// clock, and after the timeline the settling ledger, the grading, the
// reports and the teardown.
func (r stormRun) After() time.Duration { return r.Wall - r.Setup - r.Duration }

// stormOverhead runs the storm scenario runs times, each under the lock,
// and reads its timings.
func stormOverhead(ctx context.Context, interlock string, runs int, lock, home string) ([]stormRun, error) {
	s, err := scenarios.Load(stormScenario)
	if err != nil {
		return nil, err
	}
	var out []stormRun
	for i := range runs {
		dir := filepath.Join(home, fmt.Sprintf("storm-%d", i))
		var r stormRun
		if err := locked(ctx, lock, fmt.Sprintf("scenario %s, run %d of %d", stormScenario, i+1, runs), func() (err error) {
			r, err = runStorm(ctx, interlock, dir, home)
			return err
		}); err != nil {
			return nil, err
		}
		r.Duration = s.Spec.Duration.Duration
		progress("scenario %s run %d: wall %s, scenario %s, overhead %s (setup %s, of which cluster up %s; after the timeline %s); %s",
			stormScenario, i+1, r.Wall.Round(100*time.Millisecond), r.Duration, r.Overhead().Round(100*time.Millisecond),
			r.Setup.Round(100*time.Millisecond), r.ClusterUp.Round(100*time.Millisecond), r.After().Round(100*time.Millisecond), r.Verdict)
		out = append(out, r)
	}
	return out, nil
}

// runStorm runs the scenario once, its reports in dir, its clusters and
// history under home, and reads its scorecard.
func runStorm(ctx context.Context, interlock, dir, home string) (stormRun, error) {
	cmd := exec.CommandContext(ctx, interlock, "scenario", "run", stormScenario, "-o", "json", "--out", dir, "--history", "")
	cmd.Env = append(os.Environ(), "INTERLOCK_HOME="+filepath.Join(home, "storm-home"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		return stormRun{}, fmt.Errorf("interlock scenario run %s: %w: %s", stormScenario, err, stderr.String())
	}
	data, err := os.ReadFile(filepath.Join(dir, "scorecard.json"))
	if err != nil {
		return stormRun{}, fmt.Errorf("failed to read the storm run's scorecard: %w", err)
	}
	var sc scorecard.Scorecard
	if err := json.Unmarshal(data, &sc); err != nil {
		return stormRun{}, fmt.Errorf("failed to read the storm run's scorecard: %w", err)
	}
	r := stormRun{Wall: wall, Verdict: string(sc.Verdict)}
	for _, ev := range sc.Timeline {
		switch {
		case strings.HasPrefix(ev.Message, "Cluster up in "):
			r.ClusterUp, _ = time.ParseDuration(strings.TrimPrefix(ev.Message, "Cluster up in "))
		case strings.HasPrefix(ev.Message, "Fixture ready"):
			r.Setup = ev.Time.Sub(sc.StartedAt)
		}
	}
	if r.Setup == 0 {
		return stormRun{}, fmt.Errorf("the storm run's timeline has no \"Fixture ready\" event")
	}
	return r, nil
}
