package scale

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/interlock-dev/interlock/harness/cluster"
)

// cpuProfileFor is how long the CPU profile taken under the trigger load
// lasts, from the load's start.
const cpuProfileFor = 30 * time.Second

// measurer measures one remediator on a cluster that holds the fixture.
type measurer struct {
	opts     Options
	cluster  *cluster.Cluster
	watch    *Watch
	injector Injector
	binary   Binary
	// first numbers this remediator's first sample, so that fault names
	// differ between remediators.
	first int
	say   func(format string, args ...any)
}

// run starts the remediator, measures it at rest and under the trigger
// load, and stops it.
func (m *measurer) run(ctx context.Context) (*Run, error) {
	dir, err := dirFor(m.opts.Dir, m.opts.Size, m.binary)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	rem, err := StartRemediator(ctx, m.cluster.Config, m.binary.Path, dir, m.binary.Pprof)
	if err != nil {
		return nil, err
	}
	defer rem.Stop()
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	acts, err := FollowActions(actx, m.cluster.AuditLog, rem.User)
	if err != nil {
		return nil, err
	}
	if err := rem.AwaitAutomation(ctx, AutomationName, 5*time.Minute); err != nil {
		return nil, err
	}
	run := &Run{Remediator: m.binary.Name, Synced: time.Since(start)}
	m.say("remediator %q (pid %d) took up its automation in %s; measuring it at rest for %s after %s", m.binary.Name, rem.PID,
		run.Synced.Round(100*time.Millisecond), m.opts.Rest, m.opts.Settle)
	select {
	case <-time.After(m.opts.Settle):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if run.Rest, err = m.window(ctx, rem, acts, func(ctx context.Context) error {
		select {
		case <-time.After(m.opts.Rest):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}); err != nil {
		return nil, err
	}
	m.say("at rest: %s", run.Rest)
	m.say("trigger load: %d samples, %d at a time", m.opts.Samples, m.opts.Concurrency)
	load := &Load{Injector: m.injector, Watch: m.watch, Actions: acts, Workloads: m.opts.Size.Workloads(),
		Concurrency: m.opts.Concurrency, First: m.first,
		Progress: func(done int, s Sample) {
			if done%10 == 0 || done == m.opts.Samples {
				m.say("  %d/%d samples; the last %s → %s", done, m.opts.Samples, s.Pod, s.Latency().Round(time.Millisecond))
			}
		}}
	profiled := m.profileCPU(ctx, rem)
	if run.Load, err = m.window(ctx, rem, acts, func(ctx context.Context) (err error) {
		run.Samples, err = load.Run(ctx, m.opts.Samples)
		return err
	}); err != nil {
		return nil, err
	}
	if err := <-profiled; err != nil {
		return nil, err
	}
	lat := Durations(latencies(run.Samples))
	run.P50, run.P99 = Seconds(Percentile(lat, 50)), Seconds(Percentile(lat, 99))
	run.DecideP50, run.ActP50 = splitMedians(run.Samples)
	m.say("under load: %s; trigger → action p50 %s (decide %s, act %s), p99 %s", run.Load, run.P50.Round(time.Millisecond),
		run.DecideP50.Round(time.Millisecond), run.ActP50.Round(time.Millisecond), run.P99.Round(time.Millisecond))
	if err := m.profile(ctx, rem, "heap?gc=1", "heap"); err != nil {
		return nil, err
	}
	return run, nil
}

// splitMedians are the medians of the samples' splits at the intent write.
func splitMedians(samples []Sample) (decide, act time.Duration) {
	var ds, as []time.Duration
	for _, s := range samples {
		if d, a, ok := s.Split(); ok {
			ds, as = append(ds, d), append(as, a)
		}
	}
	return Seconds(Median(Durations(ds))), Seconds(Median(Durations(as)))
}

func latencies(samples []Sample) []time.Duration {
	out := make([]time.Duration, len(samples))
	for i, s := range samples {
		out[i] = s.Latency()
	}
	return out
}

// window measures the remediator's usage while fn runs: its memory every
// second, its CPU, its writes in the audit log and its requests.
func (m *measurer) window(ctx context.Context, rem *Remediator, acts *Actions, fn func(context.Context) error) (Usage, error) {
	before, err := rem.Requests(ctx)
	if err != nil {
		return Usage{}, err
	}
	first, err := ReadProc(rem.PID)
	if err != nil {
		return Usage{}, err
	}
	readings := []Proc{first}
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return Usage{}, err
			}
			last, err := ReadProc(rem.PID)
			if err != nil {
				return Usage{}, err
			}
			readings = append(readings, last)
			after, err := rem.Requests(ctx)
			if err != nil {
				return Usage{}, err
			}
			return usageOf(readings, acts.Writes(first.At, last.At), after-before), nil
		case <-tick.C:
			p, err := ReadProc(rem.PID)
			if err != nil {
				return Usage{}, err
			}
			readings = append(readings, p)
		}
	}
}

// profileCPU takes the remediator's CPU profile over the next
// cpuProfileFor, when profiles are asked for and it serves them; the
// channel says when it is written.
func (m *measurer) profileCPU(ctx context.Context, rem *Remediator) <-chan error {
	done := make(chan error, 1)
	go func() {
		done <- m.profile(ctx, rem, fmt.Sprintf("profile?seconds=%d", int(cpuProfileFor.Seconds())), "cpu")
	}()
	return done
}

// profile writes the remediator's profile at path (under /debug/pprof/)
// to Profiles as remediator-SIZE-NAME-KIND.pprof, if asked for.
func (m *measurer) profile(ctx context.Context, rem *Remediator, path, kind string) error {
	if m.opts.Profiles == "" || rem.PprofURL == "" {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rem.PprofURL+path, nil)
	if err != nil {
		return fmt.Errorf("failed to profile the remediator: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("failed to profile the remediator: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("failed to profile the remediator: %s from %s", resp.Status, req.URL)
	}
	out := filepath.Join(m.opts.Profiles, fmt.Sprintf("remediator-%s-%s-%s.pprof", clusterName(m.opts.Size), m.binary.Name, kind))
	f, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("failed to write profile: %w", err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("failed to write profile %s: %w", out, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("failed to write profile %s: %w", out, err)
	}
	m.say("%s profile written to %s", kind, out)
	return nil
}
