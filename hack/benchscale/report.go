package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/test/scale"
)

// The goals of issue 13, at the largest size.
const (
	goalP50      = 50 * time.Millisecond
	goalP99      = 500 * time.Millisecond
	goalRSS      = 150 << 20
	goalOverhead = 10 * time.Second
	goalPRTier   = 5 * time.Minute
)

// report is everything one run of the benchmarks measured.
type report struct {
	sizes       []scale.Size
	samples     int
	concurrency int
	started     time.Time
	elapsed     time.Duration
	results     []*scale.Result
	storm       []stormRun
	clusterup   string
	gobench     []*goBench
}

// readIncluded reads hack/benchup's report and the Go benchmarks' output.
func (r *report) readIncluded(clusterup, gobench string) error {
	if clusterup != "" {
		data, err := os.ReadFile(clusterup)
		if err != nil {
			return fmt.Errorf("failed to read the cluster-up report: %w", err)
		}
		r.clusterup = string(data)
	}
	if gobench != "" {
		f, err := os.Open(gobench)
		if err != nil {
			return fmt.Errorf("failed to read the Go benchmarks: %w", err)
		}
		defer f.Close()
		if r.gobench, err = parseGoBench(f); err != nil {
			return fmt.Errorf("failed to read the Go benchmarks: %w", err)
		}
	}
	return nil
}

func (r *report) write(path string) error {
	var b bytes.Buffer
	r.header(&b)
	r.goals(&b)
	r.scaleTable(&b)
	r.beforeAfter(&b)
	r.harnessCost(&b)
	r.stormTable(&b)
	if r.clusterup != "" {
		fmt.Fprintf(&b, "\n%s", strings.Replace(r.clusterup, "## ", "## Cluster up: ", 1))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("failed to write the report: %w", err)
	}
	return nil
}

func (r *report) header(w io.Writer) {
	commit, _ := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	fmt.Fprintf(w, "# Benchmarks\n\n")
	fmt.Fprintf(w, "`make bench` on this machine (%d cores), %s, at commit %s; the run took %s. "+
		"Every figure is a median over repetitions measured in this run. "+
		"Growth is shown as ×N size → ×M cost; ⚠ marks a figure that grows worse than linear (M > 1.1 N).\n",
		runtime.NumCPU(), r.started.Format("2006-01-02 15:04"), strings.TrimSpace(string(commit)), r.elapsed.Round(time.Second))
}

// largest is the last size's result and its current remediator's run.
func (r *report) largest() (*scale.Result, *scale.Run) {
	if len(r.results) == 0 {
		return nil, nil
	}
	res := r.results[len(r.results)-1]
	return res, &res.Runs[len(res.Runs)-1]
}

func (r *report) goals(w io.Writer) {
	fmt.Fprintf(w, "\n## Goals\n\n| goal | target | measured | |\n|---|---|---|---|\n")
	res, run := r.largest()
	if run != nil {
		at := fmt.Sprintf("%d nodes, %d pods", res.Size.Nodes, res.Size.Pods)
		goalRow(w, "trigger → action p50, "+at, "≤ "+ms(goalP50), ms(run.P50), run.P50 <= goalP50)
		goalRow(w, "trigger → action p99, "+at, "≤ "+ms(goalP99), ms(run.P99), run.P99 <= goalP99)
		peak := max(run.Rest.HWM, run.Load.HWM)
		goalRow(w, "remediator RSS, "+at, fmt.Sprintf("≤ %.0f MiB", scale.MiB(goalRSS)),
			fmt.Sprintf("%s under load (median), %s at rest, peak %s", mib(run.Load.RSS), mib(run.Rest.RSS), mib(peak)), peak <= goalRSS)
	}
	if len(r.storm) > 0 {
		var over []float64
		for _, s := range r.storm {
			over = append(over, s.Overhead().Seconds())
		}
		m := scale.Seconds(scale.Median(over))
		goalRow(w, "scenario overhead (`interlock scenario run storm`: wall time − 100 s)", "≤ "+goalOverhead.String(),
			fmt.Sprintf("%s (median of %d)", m.Round(100*time.Millisecond), len(r.storm)), m <= goalOverhead)
	}
	fmt.Fprintf(w, "| PR tier on 2 cores | ≤ %s | measured by `make test`, not here; what bounds it: docs/test-suite.md, \"What bounds the PR tier\" | |\n", goalPRTier)
}

func goalRow(w io.Writer, goal, target, measured string, met bool) {
	verdict := "met"
	if !met {
		verdict = "**missed**"
	}
	fmt.Fprintf(w, "| %s | %s | %s | %s |\n", goal, target, measured, verdict)
}

func ms(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", scale.MiB(b)) }

func (r *report) beforeAfter(w io.Writer) {
	res, now := r.largest()
	if res == nil || len(res.Runs) < 2 {
		return
	}
	before := &res.Runs[0]
	fmt.Fprintf(w, "\n## Before and after, %d nodes and %d pods\n\n", res.Size.Nodes, res.Size.Pods)
	fmt.Fprintf(w, "The remediator built at `%s` and the current one, one after the other on the same cluster.\n\n",
		strings.TrimPrefix(before.Remediator, "before-"))
	fmt.Fprintf(w, "| figure | before | now | now/before |\n|---|---|---|---|\n")
	for _, f := range runFigures {
		b, n := f.value(before), f.value(now)
		ratio := "–"
		if b != 0 {
			ratio = fmt.Sprintf("×%.2f", n/b)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", f.name, f.format(b), f.format(n), ratio)
	}
}

func (r *report) stormTable(w io.Writer) {
	if len(r.storm) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## Scenario overhead: `interlock scenario run storm`\n\n")
	fmt.Fprintf(w, "Wall time of the command against the scenario's own %s; setup is the run's start to its fixture ready "+
		"(of which the cluster), the rest is the command's start, the ledger settling, the grading, the reports and the teardown.\n\n", r.storm[0].Duration)
	fmt.Fprintf(w, "| run | wall | overhead | setup | of which cluster up | rest | verdict |\n|---|---|---|---|---|---|---|\n")
	var over []float64
	for i, s := range r.storm {
		over = append(over, s.Overhead().Seconds())
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s |\n", i+1, secs(s.Wall), secs(s.Overhead()), secs(s.Setup), secs(s.ClusterUp), secs(s.After()), s.Verdict)
	}
	fmt.Fprintf(w, "| median | | %s | | | | |\n", secs(scale.Seconds(scale.Median(over))))
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
