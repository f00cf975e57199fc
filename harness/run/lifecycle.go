package run

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/builtin"
	"github.com/interlock-dev/interlock/experiments/chaosmesh"
	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/pages"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/harness/setup"
	"github.com/interlock-dev/interlock/harness/staleview"
	"github.com/interlock-dev/interlock/harness/workload"
	"github.com/interlock-dev/interlock/scenarios"
)

// Options configure one run.
type Options struct {
	// Scenario is the scenario to run. Required.
	Scenario *scenarios.Scenario
	// Provider brings the cluster up and down. Required.
	Provider cluster.Provider
	// ProviderName names the provider in the scorecard: "embedded" or
	// "kind". Defaults to "embedded".
	ProviderName string
	// Injector names the fault injector: "builtin" (kwok Stages and the
	// API, for the embedded cluster) or "chaosmesh" (Chaos Mesh objects,
	// for a cluster that runs Chaos Mesh). Defaults to "builtin".
	Injector string
	// RemediatorCmd runs a remediator other than the built-in one, through
	// sh -c, in the environment the README's external-remediator contract
	// gives (PATH, HOME, KUBECONFIG, INTERLOCK_PAGE_URL,
	// INTERLOCK_METRICS_ADDR, INTERLOCK_NAMESPACE) and nothing else. Empty
	// runs the built-in remediator.
	RemediatorCmd string
	// Interlock is the interlock binary that runs the built-in remediator.
	// Defaults to this process's executable.
	Interlock string
	// NoRemediator runs the scenario with remediation off: the baseline.
	NoRemediator bool
	// Baseline is the scorecard of the same scenario run with remediation
	// off. When set, the run is also graded on doing no harm.
	Baseline *scorecard.Scorecard
	// Progress receives one line per step. Defaults to io.Discard.
	Progress io.Writer
	// WorkDir keeps the run's files (kubeconfigs, the remediator's log).
	// Defaults to a temporary directory removed at the end.
	WorkDir string
	// SampleEvery is how often truth is sampled. Defaults to 500ms.
	SampleEvery time.Duration
}

// Run runs the scenario once on a fresh cluster and grades it. The cluster,
// every injected fault and the remediator process are gone when it returns,
// whether the run passed, failed, errored or was interrupted. An error means
// the run could not be carried out; the scorecard then says so too.
func Run(ctx context.Context, opts Options) (*scorecard.Scorecard, error) {
	r := &runner{opts: opts, sc: &scorecard.Scorecard{Scenario: opts.Scenario.Name(), Description: opts.Scenario.Spec.Description, Provider: opts.ProviderName}}
	if r.sc.Provider == "" {
		r.sc.Provider = "embedded"
	}
	if r.opts.Progress == nil {
		r.opts.Progress = io.Discard
	}
	if r.opts.SampleEvery == 0 {
		r.opts.SampleEvery = 500 * time.Millisecond
	}
	r.sc.Remediator = "built-in"
	if opts.RemediatorCmd != "" {
		r.sc.Remediator = opts.RemediatorCmd
	}
	r.sc.Baseline = opts.NoRemediator
	err := r.do(ctx)
	r.sc.DurationSeconds = time.Since(r.sc.StartedAt).Seconds()
	if err != nil {
		r.sc.Error = err.Error()
	}
	r.sc.Finalize()
	return r.sc, err
}

// runner is one run as it goes.
type runner struct {
	opts  Options
	sc    *scorecard.Scorecard
	cfg   *rest.Config
	admin client.Client
	// start is when the scenario's timeline began (the fixture ready);
	// offsets people read count from sc.StartedAt.
	start time.Time
	// actors say who is who in the ledger.
	actors ledger.Actors
	// ob reads the remediator's metrics.
	ob *observer
	mu sync.Mutex
	// stale is the proxy the remediator talks through when the scenario
	// makes its view stale; nil otherwise.
	stale *staleview.Proxy
	// samp watches the cluster for the run's samples.
	samp *sampler
	// loads are the scenario's loads as the run plays them.
	loads *workload.Loads
	// teardowns undo what the run set up, last first (see do).
	teardowns []func(context.Context) error
}

// hasStaleCache reports whether the scenario makes the remediator's view stale.
func hasStaleCache(s *scenarios.Scenario) bool {
	return slices.ContainsFunc(s.Spec.RemediatorFaults, func(f scenarios.RemediatorFault) bool {
		return f.Action == scenarios.RemediatorStaleCache
	})
}

func (r *runner) progress(kind, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	now := time.Now()
	r.mu.Lock()
	r.sc.Timeline = append(r.sc.Timeline, scorecard.Event{Time: now, Kind: kind, Message: msg})
	r.mu.Unlock()
	fmt.Fprintf(r.opts.Progress, "[%s] %s\n", offset(now.Sub(r.sc.StartedAt)), msg)
}

// offset prints a time since the run's start as people read it in every
// format: "+1:05".
func offset(d time.Duration) string {
	d = d.Round(time.Second)
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	if h := d / time.Hour; h > 0 {
		return fmt.Sprintf("%s%d:%02d:%02d", sign, h, int(d/time.Minute)%60, int(d/time.Second)%60)
	}
	return fmt.Sprintf("%s%d:%02d", sign, int(d/time.Minute), int(d/time.Second)%60)
}

// onTeardown registers what undoes a step: run at the end, last first,
// with a context that an interrupt does not cancel.
func (r *runner) onTeardown(undo func(context.Context) error) {
	r.teardowns = append(r.teardowns, undo)
}

// teardown undoes every step, last first, and joins what failed to err.
func (r *runner) teardown(ctx context.Context, err *error) {
	for i := len(r.teardowns) - 1; i >= 0; i-- {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		if terr := r.teardowns[i](cctx); terr != nil {
			*err = errors.Join(*err, terr)
		}
		cancel()
	}
}

// do carries the run out: the cluster, the observers and the fixture, the
// remediator, the scenario's timeline, then the grading.
func (r *runner) do(ctx context.Context) (err error) {
	r.sc.StartedAt = time.Now()
	defer r.teardown(ctx, &err)
	dir := r.opts.WorkDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "interlock-run-"); err != nil {
			return fmt.Errorf("failed to create work dir: %w", err)
		}
		r.onTeardown(func(context.Context) error { return os.RemoveAll(dir) })
	}
	c, err := r.up(ctx)
	if err != nil {
		return err
	}
	led, id, startCanary, err := r.observeCluster(ctx, c)
	if err != nil {
		return err
	}
	rem, err := r.prepare(ctx, id, dir)
	if err != nil {
		return err
	}
	inj, err := r.injector(r.cfg)
	if err != nil {
		return err
	}
	r.onTeardown(func(ctx context.Context) error {
		if err := inj.RecoverAll(ctx); err != nil {
			return fmt.Errorf("failed to recover faults: %w", err)
		}
		return nil
	})
	if err := r.startRemediator(ctx, rem); err != nil {
		return err
	}
	r.start = time.Now()
	r.progress(scorecard.EventProgress, "Fixture ready; scenario %s runs for %s", r.opts.Scenario.Name(), r.opts.Scenario.Spec.Duration.Duration)
	active, snaps, err := r.play(ctx, inj, rem, led)
	if err != nil {
		return err
	}
	entries, endCanary, end, err := r.finish(ctx, inj, rem, led, active)
	if err != nil {
		return err
	}
	return r.grade(entries, led.Err(), []string{startCanary, endCanary}, active, snaps, end)
}

// up brings the cluster up, with its teardown, and the harness's clients.
func (r *runner) up(ctx context.Context) (*cluster.Cluster, error) {
	s := r.opts.Scenario
	name := clusterName(s.Name())
	r.progress(scorecard.EventProgress, "Bringing up "+r.sc.Provider+" cluster %s with %d node(s)", name, s.Spec.Fixture.Nodes)
	c, err := r.opts.Provider.Up(ctx, cluster.UpOptions{Name: name, Nodes: s.Spec.Fixture.Nodes, Metrics: workload.NeedsMetrics(s), Progress: io.Discard})
	if err != nil {
		return nil, fmt.Errorf("cluster failure: %w", err)
	}
	r.onTeardown(func(ctx context.Context) error {
		if err := r.opts.Provider.Down(ctx, name); err != nil {
			return fmt.Errorf("failed to tear down cluster %s: %w", name, err)
		}
		r.progress(scorecard.EventProgress, "Teardown: cluster %s removed", name)
		return nil
	})
	// The harness's own requests carry its user agent, which tells them
	// from the components that share the admin identity.
	// They are not throttled: a fault on a fleet of pods must land at once.
	r.cfg = cluster.Unthrottled(c.Config)
	r.cfg.UserAgent = ledger.HarnessUserAgent + "/" + version()
	if r.admin, err = client.New(r.cfg, client.Options{Scheme: contract.Scheme()}); err != nil {
		return nil, fmt.Errorf("failed to create client: %w", err)
	}
	if r.samp, err = startSampler(ctx, r.cfg); err != nil {
		return nil, err
	}
	r.onTeardown(func(context.Context) error { r.samp.close(); return nil })
	r.progress(scorecard.EventProgress, "Cluster up in %s", c.Elapsed.Round(100*time.Millisecond))
	return c, nil
}

// observeCluster starts the ledger on every user's writes, installs the
// CRDs and the remediator's identity, learns who the admin is, and writes
// the start canary.
func (r *runner) observeCluster(ctx context.Context, c *cluster.Cluster) (*ledger.Ledger, *setup.Identity, string, error) {
	led, err := ledger.Start(ctx, c.AuditLog, "")
	if err != nil {
		return nil, nil, "", fmt.Errorf("failed to read the audit log: %w", err)
	}
	r.onTeardown(func(context.Context) error { led.Stop(); return nil })
	if err := setup.InstallCRDs(ctx, r.cfg); err != nil {
		return nil, nil, "", err
	}
	var rules []rbacv1.PolicyRule
	if r.opts.RemediatorCmd != "" {
		rules = r.opts.Scenario.Spec.RBAC
	}
	id, err := setup.Remediator(ctx, r.cfg, contract.Namespace, contract.ServiceAccount, rules, 2*time.Hour)
	if err != nil {
		return nil, nil, "", err
	}
	r.sc.Identity = id.Username
	admin, err := whoAmI(ctx, r.cfg)
	if err != nil {
		return nil, nil, "", err
	}
	r.actors = ledger.Actors{Remediator: id.Username, Admin: admin, AdminComponentAgents: ledger.DefaultAdminComponentAgents}
	if r.opts.Injector == InjectorChaosMesh {
		r.actors.Components = append(r.actors.Components, "system:serviceaccount:chaos-mesh:")
	}
	canary, err := r.writeCanary(ctx, "start")
	return led, id, canary, err
}

// prepare makes the remediator's sandbox and kubeconfig (through the
// stale-view proxy when the scenario asks for one), the fixture, and the
// page receiver, and returns the remediator ready to start.
func (r *runner) prepare(ctx context.Context, id *setup.Identity, dir string) (*remediatorProc, error) {
	s := r.opts.Scenario
	box, err := newSandbox()
	if err != nil {
		return nil, err
	}
	r.onTeardown(func(context.Context) error { box.remove(); return nil })
	kubeconfig := id.Kubeconfig
	if hasStaleCache(s) && !r.opts.NoRemediator {
		// The remediator reaches the API server through a proxy that can
		// hold back its watch events.
		if r.stale, err = staleview.Start(id.Kubeconfig); err != nil {
			return nil, err
		}
		r.onTeardown(func(context.Context) error { r.stale.Close(); return nil })
		if kubeconfig, err = r.stale.Kubeconfig(id.Kubeconfig); err != nil {
			return nil, err
		}
	}
	kc, err := box.writeFile("kubeconfig", kubeconfig)
	if err != nil {
		return nil, err
	}
	r.loads = workload.NewLoads(s.Spec.Load)
	if err := r.fixture(ctx); err != nil {
		return nil, err
	}
	rcv, err := pages.Start("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r.onTeardown(func(context.Context) error { rcv.Close(); return nil })
	metricsAddr, err := cluster.FreeAddr()
	if err != nil {
		return nil, err
	}
	r.ob = &observer{scraper: observe.NewScraper("http://" + metricsAddr + "/metrics")}
	return &remediatorProc{r: r, box: box, kubeconfig: kc, pageURL: rcv.URL(), metricsAddr: metricsAddr,
		logPath: filepath.Join(dir, "remediator.log"), receiver: rcv}, nil
}

// startRemediator starts the remediator, unless this is the baseline, and
// reads its counters' starting point.
func (r *runner) startRemediator(ctx context.Context, rem *remediatorProc) error {
	if r.opts.NoRemediator {
		r.progress(scorecard.EventProgress, "Baseline: no remediator runs")
		return nil
	}
	if err := rem.start(ctx); err != nil {
		return err
	}
	r.onTeardown(func(context.Context) error { rem.stop(); return nil })
	rem.awaitSeries(ctx, r.ob.scraper, automationNames(r.opts.Scenario), 30*time.Second)
	r.ob.scrape(ctx) // the counters' starting point
	r.progress(scorecard.EventProgress, "Remediator %s started as %s; it %s", r.sc.Remediator, r.sc.Identity, rem.box.Isolation())
	return nil
}

// finish reads the remediator's own account and stops it, recovers what
// is left of the faults, writes the end canary and waits for the ledger to
// hold it. It returns the ledger and when the timeline ended.
func (r *runner) finish(ctx context.Context, inj Injector, rem *remediatorProc, led *ledger.Ledger, active []*injected) ([]scorecard.LedgerEntry, string, time.Time, error) {
	end := time.Now()
	if !r.opts.NoRemediator {
		r.ob.scrape(ctx)
	}
	r.remediatorEvents(ctx)
	rem.stop()
	r.progress(scorecard.EventRecover, "Recovering %d fault(s)", len(active))
	for _, f := range active {
		if !f.window.End.IsZero() {
			continue
		}
		if err := inj.Recover(ctx, f.fault); err != nil {
			return nil, "", end, fmt.Errorf("failed to recover fault %s: %w", f.fault.Name, err)
		}
		f.window.End, f.window.Recovered, f.window.AtTeardown = time.Now(), true, true
	}
	canary, err := r.writeCanary(ctx, "end")
	if err != nil {
		return nil, "", end, err
	}
	entries := r.settleLedger(ctx, led, canary)
	for _, p := range rem.receiver.Pages() {
		r.sc.Pages = append(r.sc.Pages, scorecard.Page{Time: p.ReceivedAt, Alert: p.Labels["alertname"], Labels: p.Labels, Summary: p.Annotations["summary"]})
	}
	for _, f := range active {
		r.sc.Faults = append(r.sc.Faults, f.window)
	}
	return entries, canary, end, nil
}

// grade hands what the run observed to the grader and fills the scorecard.
func (r *runner) grade(entries []scorecard.LedgerEntry, ledgerErr error, canaries []string, active []*injected, snaps []observe.Sample, end time.Time) error {
	res := assert.Grade(r.record(entries, ledgerErr, canaries, active, snaps, end))
	r.sc.Assertions, r.sc.Skipped, r.sc.Actions = res.Assertions, res.Skipped, res.Actions
	r.sc.Ledger, r.sc.Budgets, r.sc.Truth = res.Ledger, res.Budgets, res.Truth
	r.sc.Timeline = append(r.sc.Timeline, res.Halts...)
	if r.opts.Baseline != nil {
		r.sc.Comparison = &scorecard.Comparison{AvailabilityWithout: r.opts.Baseline.Truth.MeanAvailability, AvailabilityWith: r.sc.Truth.MeanAvailability}
	}
	if res.Error != "" {
		return errors.New(res.Error)
	}
	return nil
}

// Injector applies a run's faults and takes them all back at teardown.
type Injector interface {
	experiments.Injector
	// RecoverAll takes back every fault the injector ever applied to the
	// cluster, also those of an interrupted run.
	RecoverAll(ctx context.Context) error
}

// The injectors Options.Injector names.
const (
	InjectorBuiltin   = builtin.Name
	InjectorChaosMesh = chaosmesh.Name
)

func (r *runner) injector(cfg *rest.Config) (Injector, error) {
	name := r.opts.Injector
	if name == "" {
		name = InjectorBuiltin
	}
	return experiments.Connect(name, cfg)
}

// clusterName names a run's cluster after its scenario, unique per run.
func clusterName(scenario string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	n := "run-" + scenario
	if len(n) > 34 {
		n = n[:34]
	}
	return strings.TrimSuffix(n, "-") + "-" + hex.EncodeToString(b)
}

// ActionCount is how many remediation actions the run counted: its
// Actions that count against a budget, the same figure as the scorecard's
// card and chart.
func ActionCount(sc *scorecard.Scorecard) int {
	n := 0
	for _, a := range sc.Actions {
		if a.Counted {
			n++
		}
	}
	return n
}

// version is the interlock build's version, for the harness's user agent.
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
