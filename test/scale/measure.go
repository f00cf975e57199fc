package scale

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/experiments/builtin"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/harness/setup"
)

// Binary is a build of interlock whose remediator is measured.
type Binary struct {
	// Name labels it in the results, for example "now" or "before".
	Name string
	// Path is the interlock executable.
	Path string
	// Pprof says the build serves profiles (--pprof-addr).
	Pprof bool
}

// Options say what to measure.
type Options struct {
	// Size is the cluster's size. Required.
	Size Size
	// Provider brings the embedded cluster up. Required.
	Provider *cluster.Embedded
	// Remediators are the builds measured, one after the other on the same
	// cluster. Required.
	Remediators []Binary
	// Dir keeps the remediators' kubeconfigs and logs. Required.
	Dir string
	// Samples is how many trigger → action samples each remediator gets.
	// Defaults to 40.
	Samples int
	// Concurrency is how many samples run at once. Defaults to 2.
	Concurrency int
	// Settle is how long a remediator runs after it has taken up its
	// automation before it is measured at rest. Defaults to 10s.
	Settle time.Duration
	// Rest is how long it is measured at rest. Defaults to 20s.
	Rest time.Duration
	// Profiles, if set, is where each remediator's CPU profile (over the
	// trigger load) and heap profile (after it) are written.
	Profiles string
	// Progress receives a line per step. Defaults to io.Discard.
	Progress io.Writer
}

func (o *Options) setDefaults() {
	if o.Samples == 0 {
		o.Samples = 40
	}
	if o.Concurrency == 0 {
		o.Concurrency = 2
	}
	if o.Settle == 0 {
		o.Settle = 10 * time.Second
	}
	if o.Rest == 0 {
		o.Rest = 20 * time.Second
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
}

// Result is what one size measured.
type Result struct {
	Size Size `json:"size"`
	// ClusterUp is how long the control plane and the nodes took to be Ready.
	ClusterUp time.Duration `json:"clusterUp"`
	// FixtureReady is how long the Deployments took from creation to every
	// pod Ready.
	FixtureReady time.Duration `json:"fixtureReady"`
	// Runs are the remediators', in Options.Remediators' order.
	Runs []Run `json:"runs"`
	// AuditLines is how many lines the audit log had at the end.
	AuditLines int `json:"auditLines"`
	// AuditLinesPerSecond is the ledger's ingestion of that log: the median
	// of three parses.
	AuditLinesPerSecond float64 `json:"auditLinesPerSecond"`
}

// Run is one remediator's figures at one size.
type Run struct {
	Remediator string `json:"remediator"`
	// Synced is how long it took from its start to taking up its automation.
	Synced time.Duration `json:"synced"`
	// Samples are its trigger → action samples.
	Samples []Sample `json:"samples"`
	// P50 and P99 are the samples' latency percentiles.
	P50 time.Duration `json:"p50"`
	P99 time.Duration `json:"p99"`
	// DecideP50 and ActP50 split the latency at the intent write: the
	// medians of Sample.Split over the samples that have one.
	DecideP50 time.Duration `json:"decideP50"`
	ActP50    time.Duration `json:"actP50"`
	// Rest and Load are its usage at rest and under the trigger load.
	Rest Usage `json:"rest"`
	Load Usage `json:"load"`
}

// clusterName names the cluster of a size.
func clusterName(s Size) string { return fmt.Sprintf("scale-%d-%d", s.Nodes, s.Pods) }

// Measure brings up a cluster of opts.Size, creates the fixture, and
// measures each remediator in turn: at rest, then under a trigger load. The
// cluster and every remediator are gone when it returns.
func Measure(ctx context.Context, opts Options) (_ *Result, err error) {
	opts.setDefaults()
	res := &Result{Size: opts.Size}
	say := func(format string, args ...any) {
		fmt.Fprintf(opts.Progress, "[%s] "+format+"\n", append([]any{opts.Size}, args...)...)
	}
	name := clusterName(opts.Size)
	say("bringing up cluster %s with %d nodes", name, opts.Size.Nodes)
	c, err := opts.Provider.Up(ctx, cluster.UpOptions{Name: name, Nodes: opts.Size.Nodes, Wait: 10 * time.Minute})
	if err != nil {
		return nil, fmt.Errorf("failed to bring up cluster %s: %w", name, err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		if derr := opts.Provider.Down(dctx, name); derr != nil {
			err = errors.Join(err, fmt.Errorf("failed to take down cluster %s: %w", name, derr))
		}
	}()
	res.ClusterUp = c.Elapsed
	say("cluster up in %s; creating %d Deployments of %d pods", c.Elapsed.Round(100*time.Millisecond), opts.Size.Workloads(), Replicas)

	wctx, stop := context.WithCancel(ctx)
	defer stop()
	w, err := StartWatch(wctx, c.Config)
	if err != nil {
		return nil, err
	}
	// The watch's informers end with wctx, and Shutdown waits for them:
	// stop first, or Shutdown waits for ever.
	defer func() {
		stop()
		w.Shutdown()
	}()
	start := time.Now()
	if err := CreateFixture(ctx, c.Config, opts.Size); err != nil {
		return nil, err
	}
	if err := WaitPodsReady(ctx, w, opts.Size.Pods, opts.Progress); err != nil {
		return nil, err
	}
	res.FixtureReady = time.Since(start)
	say("%d pods Ready in %s", opts.Size.Pods, res.FixtureReady.Round(100*time.Millisecond))

	if err := installAutomation(ctx, c); err != nil {
		return nil, err
	}
	inj, err := builtin.New(c.Config)
	if err != nil {
		return nil, err
	}
	for i, b := range opts.Remediators {
		m := &measurer{opts: opts, cluster: c, watch: w, injector: inj, binary: b, first: i * opts.Samples, say: say}
		run, err := m.run(ctx)
		if err != nil {
			return nil, fmt.Errorf("remediator %s: %w", b.Name, err)
		}
		res.Runs = append(res.Runs, *run)
	}
	say("parsing the audit log")
	if res.AuditLines, res.AuditLinesPerSecond, err = ParseAuditLog(c.AuditLog, 3); err != nil {
		return nil, err
	}
	say("audit log: %d lines, ingested at %.0f lines/s", res.AuditLines, res.AuditLinesPerSecond)
	return res, nil
}

// installAutomation installs interlock's CRDs and the automation under test.
func installAutomation(ctx context.Context, c *cluster.Cluster) error {
	if err := setup.InstallCRDs(ctx, c.Config); err != nil {
		return err
	}
	admin, err := client.New(c.Config, client.Options{Scheme: contract.Scheme()})
	if err != nil {
		return fmt.Errorf("failed to create client: %w", err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: contract.Namespace}}
	if err := admin.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("failed to create namespace %s: %w", contract.Namespace, err)
	}
	return InstallAutomation(ctx, admin)
}

// dirFor is a remediator's own directory under dir.
func dirFor(dir string, s Size, b Binary) (string, error) {
	d := filepath.Join(dir, fmt.Sprintf("%s-%s", clusterName(s), b.Name))
	if err := os.MkdirAll(d, 0o755); err != nil {
		return "", fmt.Errorf("failed to create %s: %w", d, err)
	}
	return d, nil
}
