package main

import (
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// skipUnits are the metrics every benchmark has, shown in their own columns
// or not at all.
var skipUnits = map[string]bool{"ns/op": true, "B/op": true, "allocs/op": true}

func (r *report) harnessCost(w io.Writer) {
	if len(r.gobench) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## The harness's own cost, and the policy decision\n\n")
	fmt.Fprintf(w, "Go benchmarks (`go test -bench`, each repeated; medians). The truth's sample is a cluster of Deployments of 10 pods "+
		"with a fault on one in a hundred; the ledger parses a synthetic audit log of every user's writes; a scorecard of N actions "+
		"holds ten ledger entries, twenty truth samples and two timeline events per action. Growth is against the family's smallest size, "+
		"in time per operation.\n\n")
	fmt.Fprintf(w, "| benchmark | time/op | per unit | allocs/op | growth |\n|---|---|---|---|---|\n")
	smallest := map[string]*goBench{}
	for _, b := range r.gobench {
		fam := b.Pkg + " " + family(b.Name)
		if s, ok := smallest[fam]; !ok || sizeParam(b.Name) < sizeParam(s.Name) {
			smallest[fam] = b
		}
	}
	for _, b := range r.gobench {
		var units []string
		for _, u := range b.Units {
			if !skipUnits[u] {
				units = append(units, fmt.Sprintf("%s %s", fmtN(b.Median(u)), u))
			}
		}
		g := "–"
		if s := smallest[b.Pkg+" "+family(b.Name)]; s != b && sizeParam(s.Name) > 0 {
			factor := sizeParam(b.Name) / sizeParam(s.Name)
			g = fmt.Sprintf("×%.0f size → %s", factor, growth(s.Median("ns/op"), b.Median("ns/op"), factor, false))
		}
		fmt.Fprintf(w, "| `%s` (%s) | %s | %s | %s | %s |\n", strings.TrimPrefix(b.Name, "Benchmark"), path.Base(b.Pkg),
			duration(b.Median("ns/op")), strings.Join(units, ", "), fmtN(b.Median("allocs/op")), g)
	}
	r.truthPerSample(w)
}

// truthPerSample adds up the truth's cost per sample at each size: the
// sample taken from the run's watches (BenchmarkSample) and the truth's
// grading of it (BenchmarkTruthObserve).
func (r *report) truthPerSample(w io.Writer) {
	take := map[string]float64{}
	var sizes []string
	for _, b := range r.gobench {
		if size, ok := strings.CutPrefix(b.Name, "BenchmarkSample/"); ok {
			take[size] = b.Median("ns/op")
		}
	}
	grade := map[string]float64{}
	for _, b := range r.gobench {
		if size, ok := strings.CutPrefix(b.Name, "BenchmarkTruthObserve/"); ok {
			grade[size] = b.Median("ns/op")
			sizes = append(sizes, size)
		}
	}
	var lines []string
	for _, size := range sizes {
		lines = append(lines, fmt.Sprintf("%s: %s (%s to take it from the watches, %s to grade it), %.1f%% of a core at one sample every 500 ms",
			strings.ReplaceAll(size, "/", ", "), duration(take[size]+grade[size]), duration(take[size]), duration(grade[size]),
			100*(take[size]+grade[size])/float64(500*time.Millisecond)))
	}
	if len(lines) > 0 {
		fmt.Fprintf(w, "\nThe truth sampler's cost per sample: %s.\n", strings.Join(lines, "; "))
	}
}

// duration formats nanoseconds as people read them.
func duration(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.1f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}
