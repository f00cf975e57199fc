package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/flock"
	"github.com/interlock-dev/interlock/internal/toolchain"
	"github.com/interlock-dev/interlock/test/scale"
)

// config is the command line.
type config struct {
	sizes       []scale.Size
	samples     int
	concurrency int
	interlock   string
	before      string
	out         string
	report      string
	clusterup   string
	gobench     string
	stormRuns   int
	lock        string
}

func main() {
	var c config
	var sizes string
	flag.StringVar(&sizes, "sizes", "100x1000,100x10000,1000x1000,1000x10000", "cluster sizes, NODESxPODS, comma-separated; the last is the goals' size")
	flag.IntVar(&c.samples, "samples", 40, "trigger → action samples per size")
	flag.IntVar(&c.concurrency, "concurrency", 2, "samples taken at once")
	flag.StringVar(&c.interlock, "interlock", "bin/interlock", "the interlock binary whose remediator is measured")
	flag.StringVar(&c.before, "before", "", "a git revision whose remediator is also measured at the last size, for before and after")
	flag.StringVar(&c.out, "out", "_output", "where profiles and raw results go")
	flag.StringVar(&c.report, "report", "_output/bench.md", "the Markdown report")
	flag.StringVar(&c.clusterup, "clusterup", "", "hack/benchup's report, included as it is")
	flag.StringVar(&c.gobench, "gobench", "", "go test -bench output of the harness and policy benchmarks")
	flag.IntVar(&c.stormRuns, "storm-runs", 3, "runs of the storm scenario for its overhead; 0 skips it")
	flag.StringVar(&c.lock, "lock", "/tmp/interlock-heavy.lock", "the lock every measurement holds; empty when the caller holds it")
	flag.Parse()
	var err error
	if c.sizes, err = parseSizes(sizes); err == nil {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err = run(ctx, c)
		stop()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func parseSizes(s string) ([]scale.Size, error) {
	var out []scale.Size
	for _, f := range strings.Split(s, ",") {
		size, err := scale.ParseSize(f)
		if err != nil {
			return nil, err
		}
		out = append(out, size)
	}
	return out, nil
}

// progress says what the benchmark is doing, on stderr: a run takes minutes.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchscale %s: "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func run(ctx context.Context, c config) error {
	start := time.Now()
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return fmt.Errorf("failed to create %s: %w", c.out, err)
	}
	home, err := os.MkdirTemp("", "interlock-benchscale-")
	if err != nil {
		return fmt.Errorf("failed to create a working directory: %w", err)
	}
	defer os.RemoveAll(home)
	b, err := prepare(ctx, c, home)
	if err != nil {
		return err
	}
	rep := &report{sizes: c.sizes, samples: c.samples, concurrency: c.concurrency, started: start}
	if err := rep.readIncluded(c.clusterup, c.gobench); err != nil {
		return err
	}
	if err := b.measureSizes(ctx, c, rep); err != nil {
		return err
	}
	if c.stormRuns > 0 {
		if rep.storm, err = stormOverhead(ctx, b.interlock, c.stormRuns, c.lock, home); err != nil {
			return err
		}
	}
	rep.elapsed = time.Since(start)
	if err := rep.write(c.report); err != nil {
		return err
	}
	progress("report written to %s after %s", c.report, rep.elapsed.Round(time.Second))
	return nil
}

// bench is what every size is measured with.
type bench struct {
	home      string
	interlock string
	provider  *cluster.Embedded
	bins      []scale.Binary
	// before is the remediator of --before, measured at the goals' size;
	// nil without it.
	before *scale.Binary
}

// prepare makes sure the cluster components are built, and builds the
// remediator of --before if it is asked for.
func prepare(ctx context.Context, c config, home string) (*bench, error) {
	interlock, err := filepath.Abs(c.interlock)
	if err != nil {
		return nil, fmt.Errorf("failed to resolve %s: %w", c.interlock, err)
	}
	tc, err := toolchain.New(toolchain.Options{Progress: os.Stderr})
	if err != nil {
		return nil, fmt.Errorf("failed to find the cluster components: %w", err)
	}
	if _, err := tc.Ensure(ctx); err != nil {
		return nil, fmt.Errorf("failed to build the cluster components: %w", err)
	}
	b := &bench{home: home, interlock: interlock,
		provider: &cluster.Embedded{Home: filepath.Join(home, "clusters"), Tools: tc},
		bins:     []scale.Binary{{Name: "now", Path: interlock, Pprof: true}}}
	if c.before != "" {
		if b.before, err = buildAt(ctx, c.before, home); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// measureSizes measures each size, the goals' size (the last) first, and
// rewrites the report after each: a run cut short still reports the
// figures the goals are stated at.
func (b *bench) measureSizes(ctx context.Context, c config, rep *report) error {
	goal := len(c.sizes) - 1
	order := []int{goal}
	for i := range goal {
		order = append(order, i)
	}
	measured := make([]*scale.Result, len(c.sizes))
	for _, i := range order {
		size := c.sizes[i]
		opts := scale.Options{Size: size, Provider: b.provider, Remediators: b.bins, Dir: filepath.Join(b.home, "runs"),
			Samples: c.samples, Concurrency: c.concurrency, Progress: os.Stderr}
		if i == goal {
			// The goals' size keeps its profiles, and measures the
			// remediator from before as well.
			opts.Profiles = c.out
			if b.before != nil {
				opts.Remediators = []scale.Binary{*b.before, b.bins[0]}
			}
		}
		var res *scale.Result
		if err := locked(ctx, c.lock, "size "+size.String(), func() (err error) {
			res, err = scale.Measure(ctx, opts)
			return err
		}); err != nil {
			return err
		}
		measured[i] = res
		// In the sizes' order: the goals' size stays last, where the
		// report's goals read it.
		rep.results = rep.results[:0]
		for _, r := range measured {
			if r != nil {
				rep.results = append(rep.results, r)
			}
		}
		if err := writeJSON(filepath.Join(c.out, "bench-scale.json"), rep.results); err != nil {
			return err
		}
		rep.elapsed = time.Since(rep.started)
		if err := rep.write(c.report); err != nil {
			return err
		}
		progress("report written to %s with %d of %d sizes", c.report, len(rep.results), len(c.sizes))
	}
	return nil
}

// locked runs fn holding the heavy-work lock at path, saying when it
// waits; with no path, the caller holds it.
func locked(ctx context.Context, path, what string, fn func() error) error {
	if path == "" {
		return fn() // the caller holds the lock
	}
	progress("%s: waiting for the lock %s", what, path)
	unlock, err := flock.Lock(ctx, path)
	if err != nil {
		return fmt.Errorf("failed to take the lock %s: %w", path, err)
	}
	defer unlock()
	progress("%s: lock taken", what)
	return fn()
}

// buildAt builds interlock at git revision rev into dir, through a
// temporary worktree, and returns it as the remediator "before".
func buildAt(ctx context.Context, rev, dir string) (*scale.Binary, error) {
	progress("building interlock at %s for the before figures", rev)
	tree := filepath.Join(dir, "before-src")
	bin := filepath.Join(dir, "interlock-before")
	steps := [][]string{
		{"git", "worktree", "add", "--detach", tree, rev},
		{"go", "-C", tree, "build", "-o", bin, "./cmd/interlock"},
	}
	var errs []error
	for _, s := range steps {
		cmd := exec.CommandContext(ctx, s[0], s[1:]...)
		if out, err := cmd.CombinedOutput(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w: %s", strings.Join(s, " "), err, out))
			break
		}
	}
	if out, err := exec.Command("git", "worktree", "remove", "--force", tree).CombinedOutput(); err != nil {
		errs = append(errs, fmt.Errorf("git worktree remove: %w: %s", err, out))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("failed to build interlock at %s: %w", rev, err)
	}
	short, _ := exec.Command("git", "rev-parse", "--short", rev).Output()
	return &scale.Binary{Name: "before-" + strings.TrimSpace(string(short)), Path: bin}, nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("failed to write %s: %w", path, err)
	}
	return nil
}
