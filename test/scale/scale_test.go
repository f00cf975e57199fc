package scale_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/toolchain"
	"github.com/interlock-dev/interlock/test/scale"
)

// BenchmarkRemediatorAtScale is the nightly tier's scale test: it measures
// the built-in remediator on an embedded cluster of 1,000 nodes and 10,000
// pods, as `make bench` does at that size (its fixture alone takes about a
// quarter of an hour on 2 cores), reports its figures, and fails
// when one is past scale.Guard. It runs once whatever -benchtime says (one
// measurement takes minutes and samples thirty actions), and only when
// INTERLOCK_E2E_TIER=nightly:
//
//	INTERLOCK_E2E_TIER=nightly go test -run '^$' -bench RemediatorAtScale -timeout 40m ./test/scale
//
// SCALE_SIZE=NODESxPODS and SCALE_SAMPLES=N change its size and samples.
func BenchmarkRemediatorAtScale(b *testing.B) {
	if os.Getenv(scale.TierEnv) != "nightly" {
		b.Skipf("a nightly-tier benchmark: set %s=nightly", scale.TierEnv)
	}
	size, samples := scale.GoalSize, 30
	if s := os.Getenv("SCALE_SIZE"); s != "" {
		var err error
		if size, err = scale.ParseSize(s); err != nil {
			b.Fatal(err)
		}
	}
	if s := os.Getenv("SCALE_SAMPLES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("SCALE_SAMPLES=%q: %v", s, err)
		}
		samples = n
	}
	ctx := b.Context()
	dir := b.TempDir()
	bin := filepath.Join(dir, "interlock")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/interlock-dev/interlock/cmd/interlock").CombinedOutput(); err != nil {
		b.Fatalf("failed to build interlock: %v: %s", err, out)
	}
	tc, err := toolchain.New(toolchain.Options{Progress: os.Stderr})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tc.Ensure(ctx); err != nil {
		b.Fatal(err)
	}
	var res *scale.Result
	for b.Loop() {
		if res != nil {
			continue // once: a measurement takes minutes
		}
		res, err = scale.Measure(ctx, scale.Options{
			Size: size, Provider: &cluster.Embedded{Home: filepath.Join(dir, "clusters"), Tools: tc},
			Remediators: []scale.Binary{{Name: "now", Path: bin}}, Dir: filepath.Join(dir, "runs"),
			Samples: samples, Progress: os.Stderr,
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	run := &res.Runs[len(res.Runs)-1]
	if len(run.Samples) != samples {
		b.Fatalf("%d samples, want %d", len(run.Samples), samples)
	}
	b.ReportMetric(float64(run.P50)/float64(time.Millisecond), "p50-ms")
	b.ReportMetric(float64(run.P99)/float64(time.Millisecond), "p99-ms")
	b.ReportMetric(scale.MiB(max(run.Rest.HWM, run.Load.HWM)), "peak-MiB")
	b.ReportMetric(run.Load.CPU, "cpu-cores")
	for _, miss := range scale.Guard.Check(run) {
		b.Errorf("%s at %s: past the nightly tier's threshold (test/scale/thresholds.go)", miss, size)
	}
}
