package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/harness/run"
	"github.com/interlock-dev/interlock/internal/toolchain"
	"github.com/interlock-dev/interlock/scenarios"
)

func main() {
	runs := flag.Int("runs", 5, "baseline runs of each scenario")
	parallel := flag.Int("parallel", 2, "runs at a time")
	out := flag.String("out", "_output/jitter.md", "where to write the report")
	flag.Parse()
	if flag.NArg() == 0 || *runs < 2 || *parallel < 1 {
		fmt.Fprintln(os.Stderr, "usage: jitter [-runs N>=2] [-parallel P] [-out FILE] SCENARIO...")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := measure(ctx, flag.Args(), *runs, *parallel, *out); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(2)
	}
}

func measure(ctx context.Context, names []string, runs, parallel int, out string) error {
	tc, err := toolchain.New(toolchain.Options{Progress: os.Stderr})
	if err != nil {
		return err
	}
	p, err := cluster.NewEmbedded(tc)
	if err != nil {
		return err
	}
	var ss []*scenarios.Scenario
	for _, n := range names {
		s, err := scenarios.Load(n)
		if err != nil {
			return err
		}
		ss = append(ss, s)
	}
	means := map[string][]float64{}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	sem := make(chan struct{}, parallel)
	start := time.Now()
	done, total := 0, runs*len(ss)
	for _, s := range ss {
		for i := 0; i < runs; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				sc, err := run.Run(ctx, run.Options{Scenario: s, Provider: p, NoRemediator: true, Progress: io.Discard})
				mu.Lock()
				defer mu.Unlock()
				done++
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", s.Name(), err))
					return
				}
				means[s.Name()] = append(means[s.Name()], sc.Truth.MeanAvailability)
				fmt.Fprintf(os.Stderr, "[%d/%d, %s] %s baseline: mean availability %.2f%%\n",
					done, total, time.Since(start).Round(time.Second), s.Name(), 100*sc.Truth.MeanAvailability)
			}()
		}
	}
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("%d run(s) failed; first: %w", len(errs), errs[0])
	}
	report := render(names, means, runs, time.Since(start))
	if err := os.MkdirAll(dirOf(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, []byte(report), 0o644); err != nil {
		return err
	}
	fmt.Print(report)
	return nil
}

func dirOf(path string) string {
	if i := strings.LastIndex(path, "/"); i > 0 {
		return path[:i]
	}
	return "."
}

func render(names []string, means map[string][]float64, runs int, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Baseline-to-baseline jitter\n\n%d baseline runs of each scenario (remediation off), %s in all.\n\n", runs, took.Round(time.Second))
	b.WriteString("| scenario | mean true availability of each run | median | spread (largest − smallest) |\n|---|---|---|---|\n")
	worst := 0.0
	for _, n := range names {
		m := slices.Clone(means[n])
		slices.Sort(m)
		var cells []string
		for _, v := range means[n] {
			cells = append(cells, fmt.Sprintf("%.2f%%", 100*v))
		}
		spread := m[len(m)-1] - m[0]
		worst = math.Max(worst, spread)
		fmt.Fprintf(&b, "| `%s` | %s | %.2f%% | %.2f points |\n", n, strings.Join(cells, ", "), 100*m[len(m)/2], 100*spread)
	}
	fmt.Fprintf(&b, "\nLargest spread: %.2f points. `did-no-harm` allows %.2f points (assert.HarmTolerance).\n",
		100*worst, 100*assert.HarmTolerance)
	if worst > assert.HarmTolerance {
		b.WriteString("\n**The tolerance is below the measured spread: runs of these scenarios can fail did-no-harm on jitter alone.**\n")
	}
	return b.String()
}
