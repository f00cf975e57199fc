package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/test/scale"
)

// worseThanLinear is how far beyond the size's factor a cost may grow and
// still count as linear: measurement noise.
const worseThanLinear = 1.1

// figure is one row of the scale table: a value read from a remediator's
// run, or from the size's result.
type figure struct {
	name   string
	value  func(*scale.Run) float64
	result func(*scale.Result) float64
	format func(float64) string
	// inverse marks a rate, whose cost is its inverse.
	inverse bool
}

func fmtMs(v float64) string  { return ms(scale.Seconds(v)) }
func fmtMiB(v float64) string { return fmt.Sprintf("%.0f MiB", v/(1<<20)) }
func fmtS(v float64) string   { return fmt.Sprintf("%.1f s", v) }
func fmtN(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// runFigures are the remediator's figures.
var runFigures = []figure{
	{name: "trigger → action p50", value: func(r *scale.Run) float64 { return r.P50.Seconds() }, format: fmtMs},
	{name: "of the p50: trigger → intent recorded (decide)", value: func(r *scale.Run) float64 { return r.DecideP50.Seconds() }, format: fmtMs},
	{name: "of the p50: intent recorded → delete (act)", value: func(r *scale.Run) float64 { return r.ActP50.Seconds() }, format: fmtMs},
	{name: "trigger → action p99", value: func(r *scale.Run) float64 { return r.P99.Seconds() }, format: fmtMs},
	{name: "RSS at rest (median)", value: func(r *scale.Run) float64 { return float64(r.Rest.RSS) }, format: fmtMiB},
	{name: "RSS under load (median)", value: func(r *scale.Run) float64 { return float64(r.Load.RSS) }, format: fmtMiB},
	{name: "peak RSS (VmHWM)", value: func(r *scale.Run) float64 { return float64(max(r.Rest.HWM, r.Load.HWM)) }, format: fmtMiB},
	{name: "CPU at rest (cores)", value: func(r *scale.Run) float64 { return r.Rest.CPU }, format: func(v float64) string { return fmt.Sprintf("%.3f", v) }},
	{name: "CPU under load (cores)", value: func(r *scale.Run) float64 { return r.Load.CPU }, format: func(v float64) string { return fmt.Sprintf("%.3f", v) }},
	{name: "writes/s at rest (audit log)", value: func(r *scale.Run) float64 { return r.Rest.Writes }, format: fmtN},
	{name: "writes/s under load (audit log)", value: func(r *scale.Run) float64 { return r.Load.Writes }, format: fmtN},
	{name: "requests/s at rest (its client metrics)", value: func(r *scale.Run) float64 { return r.Rest.Requests }, format: fmtN},
	{name: "requests/s under load (its client metrics)", value: func(r *scale.Run) float64 { return r.Load.Requests }, format: fmtN},
	{name: "start to automation taken up", value: func(r *scale.Run) float64 { return r.Synced.Seconds() }, format: fmtS},
}

// resultFigures are the size's figures, the harness's and the cluster's.
var resultFigures = []figure{
	{name: "cluster up with its nodes Ready", result: func(r *scale.Result) float64 { return r.ClusterUp.Seconds() }, format: fmtS},
	{name: "Deployments created to every pod Ready", result: func(r *scale.Result) float64 { return r.FixtureReady.Seconds() }, format: fmtS},
	{name: "audit log lines at the end", result: func(r *scale.Result) float64 { return float64(r.AuditLines) }, format: fmtN},
	{name: "audit log ingested by the ledger (lines/s)", result: func(r *scale.Result) float64 { return r.AuditLinesPerSecond }, format: fmtN, inverse: true},
}

func (f figure) of(res *scale.Result) float64 {
	if f.result != nil {
		return f.result(res)
	}
	return f.value(&res.Runs[len(res.Runs)-1])
}

// step is two sizes that differ in one dimension, by a factor.
type step struct {
	from, to int
	label    string
	factor   float64
}

// steps are the pairs of measured sizes that differ in nodes or pods alone.
func (r *report) steps() []step {
	var out []step
	for i, a := range r.results {
		for j, b := range r.results {
			switch {
			case a.Size.Nodes == b.Size.Nodes && b.Size.Pods > a.Size.Pods:
				f := float64(b.Size.Pods) / float64(a.Size.Pods)
				out = append(out, step{i, j, fmt.Sprintf("×%.0f pods at %d nodes", f, a.Size.Nodes), f})
			case a.Size.Pods == b.Size.Pods && b.Size.Nodes > a.Size.Nodes:
				f := float64(b.Size.Nodes) / float64(a.Size.Nodes)
				out = append(out, step{i, j, fmt.Sprintf("×%.0f nodes at %d pods", f, a.Size.Pods), f})
			}
		}
	}
	return out
}

// growth says how a cost grew over a step, flagged when worse than linear.
func growth(from, to, factor float64, inverse bool) string {
	if from == 0 || to == 0 {
		return "–"
	}
	m := to / from
	if inverse {
		m = from / to
	}
	s := fmt.Sprintf("×%.2f", m)
	if m > factor*worseThanLinear {
		s += " ⚠"
	}
	return s
}

func (r *report) scaleTable(w io.Writer) {
	if len(r.results) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## The built-in remediator as the cluster grows\n\n")
	fmt.Fprintf(w, "Each size is a fresh embedded cluster: simulated nodes, Deployments of %d pods in namespace `%s`, created without "+
		"client-side throttling, and the unhealthy-workload automation over that namespace (the shipped safety case, trigger `for` %s, "+
		"a budget that allows every sample). The remediator runs as its own process with its own ServiceAccount token, as a scenario run starts it. "+
		"At rest it is measured for 20 s after it has taken up its automation. Under load, %d times (%d at a time) one pod of a "+
		"different Deployment is made to crash-loop by the builtin injector's pod-failure fault; the latency runs from the moment the harness's "+
		"own watch sees the trigger hold (the pod unhealthy, its Ready condition's stored transition time plus `for`, or when the watch saw it, if later) "+
		"to the API server's receipt of the remediator's accepted delete, read from the audit log. RSS is read every second from "+
		"/proc/PID/status (the median; the peak is VmHWM), CPU from /proc/PID/stat, writes from the audit log by the remediator's user "+
		"(reads are not audited) and every request, reads included, from its own client metrics (`rest_client_requests_total`).\n\n",
		scale.Replicas, scale.Namespace, scale.Hold, r.samples, r.concurrency)
	steps := r.steps()
	fmt.Fprintf(w, "| figure |")
	for _, res := range r.results {
		fmt.Fprintf(w, " %d nodes, %d pods |", res.Size.Nodes, res.Size.Pods)
	}
	for _, s := range steps {
		fmt.Fprintf(w, " %s |", s.label)
	}
	fmt.Fprintf(w, "\n|---|%s%s\n", strings.Repeat("---|", len(r.results)), strings.Repeat("---|", len(steps)))
	for _, f := range append(append([]figure{}, runFigures...), resultFigures...) {
		fmt.Fprintf(w, "| %s |", f.name)
		for _, res := range r.results {
			fmt.Fprintf(w, " %s |", f.format(f.of(res)))
		}
		for _, s := range steps {
			fmt.Fprintf(w, " %s |", growth(f.of(r.results[s.from]), f.of(r.results[s.to]), s.factor, f.inverse))
		}
		fmt.Fprintln(w)
	}
	r.flags(w, steps)
	fmt.Fprintf(w, "\nLatency samples:")
	for _, res := range r.results {
		fmt.Fprintf(w, " %s: %s.", res.Size, latencyNote(res))
	}
	fmt.Fprintln(w)
}

// flags lists every figure that grew worse than linear, in words.
func (r *report) flags(w io.Writer, steps []step) {
	var lines []string
	for _, f := range append(append([]figure{}, runFigures...), resultFigures...) {
		for _, s := range steps {
			if g := growth(f.of(r.results[s.from]), f.of(r.results[s.to]), s.factor, f.inverse); strings.HasSuffix(g, "⚠") {
				lines = append(lines, fmt.Sprintf("- %s: %s → %s", f.name, s.label, strings.TrimSuffix(g, " ⚠")))
			}
		}
	}
	if len(lines) == 0 {
		fmt.Fprintf(w, "\nNo figure grows worse than linear.\n")
		return
	}
	fmt.Fprintf(w, "\nWorse than linear:\n\n%s\n", strings.Join(lines, "\n"))
}

// latencyNote is a sentence on the samples' spread at each size.
func latencyNote(res *scale.Result) string {
	run := res.Runs[len(res.Runs)-1]
	lat := scale.Durations(latencies(run.Samples))
	return fmt.Sprintf("%d samples, min %s, max %s", len(lat), ms(scale.Seconds(scale.Percentile(lat, 0))), ms(scale.Seconds(scale.Percentile(lat, 100))))
}

func latencies(samples []scale.Sample) []time.Duration {
	out := make([]time.Duration, len(samples))
	for i, s := range samples {
		out[i] = s.Latency()
	}
	return out
}
