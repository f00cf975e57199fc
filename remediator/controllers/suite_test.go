package controllers_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/testr"
	"github.com/prometheus/client_golang/prometheus"
	promtestutil "github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	interlockconfig "github.com/interlock-dev/interlock/config"
	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/crds"
	"github.com/interlock-dev/interlock/internal/testcluster"
	"github.com/interlock-dev/interlock/internal/testutil"
	"github.com/interlock-dev/interlock/remediator/engine"
	"github.com/interlock-dev/interlock/remediator/metrics"
	"github.com/interlock-dev/interlock/remediator/pager"
	"github.com/interlock-dev/interlock/safetycases"
)

// clusterUp bounds the cluster's start and the CRDs' install.
const clusterUp = 2 * time.Minute

// waitFor bounds how long a test waits for a controller to do something.
const waitFor = time.Minute

// testEnv is the real API server the suite runs on: the embedded control
// plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
// one kwok node), with interlock's CRDs installed, in a home of its own
// that TestMain removes, started by the first test that needs it and
// stopped by TestMain. A test fails, never skips, when it cannot start:
// the component binaries are built into the tools cache if missing.
var testEnv = &testcluster.Shared{
	Options: cluster.UpOptions{Name: "remediator-controllers", Nodes: 1, Wait: clusterUp},
	Timeout: clusterUp,
	Prepare: func(ctx context.Context, cfg *rest.Config) error {
		all, err := interlockconfig.CRDs()
		if err != nil {
			return err
		}
		return crds.Install(ctx, cfg, all, 30*time.Second)
	},
}

func TestMain(m *testing.M) {
	// Each manager logs to its test; what logs through the global logger
	// is left out.
	ctrl.SetLogger(logr.Discard())
	os.Exit(testEnv.Main(m))
}

// reconciler is what each controller of the package is to a manager.
type reconciler interface {
	SetupWithManager(mgr ctrl.Manager) error
}

// env is one test's corner of the cluster: a namespace of its own, which
// holds its automations, proposals and kill switch, and a manager that
// runs only the controller under test, wired as remediator.New wires it.
type env struct {
	t *testing.T
	// ns is the test's namespace and the engine's.
	ns  string
	cfg *rest.Config
	// c reads and writes straight to the API server, as the test's admin.
	c client.Client
	// engine is the controller's engine, once start has run.
	engine *engine.Engine
	pages  *pageRecorder
}

// newEnv gives the test a namespace of its own, removed when it ends.
func newEnv(t *testing.T) *env {
	t.Helper()
	cfg := testEnv.Config(t)
	cfg.QPS, cfg.Burst = 100, 200
	c, err := client.New(cfg, client.Options{Scheme: contract.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	e := &env{t: t, ns: "rc-" + hex.EncodeToString(b), cfg: cfg, c: c, pages: &pageRecorder{}}
	e.create(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: e.ns}})
	t.Cleanup(func() {
		_ = c.Delete(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: e.ns}})
	})
	return e
}

// start runs a manager with the reconciler newReconciler makes on its
// engine until the test ends, and waits for its caches to sync.
func (e *env) start(newReconciler func(*engine.Engine) reconciler) {
	e.t.Helper()
	mgr, err := ctrl.NewManager(e.cfg, ctrl.Options{
		Scheme:                 contract.Scheme(),
		Logger:                 testr.New(e.t),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		// Every test runs the same controllers again, in a manager of its own.
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
		Cache: cache.Options{ByObject: map[client.Object]cache.ByObject{
			&v1alpha1.Automation{}:          {Namespaces: map[string]cache.Config{e.ns: {}}},
			&v1alpha1.SafetyCase{}:          {Namespaces: map[string]cache.Config{e.ns: {}}},
			&v1alpha1.RemediationProposal{}: {Namespaces: map[string]cache.Config{e.ns: {}}},
		}},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.engine = &engine.Engine{
		Client:    mgr.GetClient(),
		Live:      mgr.GetAPIReader(),
		Informers: mgr.GetCache(),
		Recorder:  mgr.GetEventRecorder("interlock-remediator"),
		Metrics:   metrics.New(prometheus.NewRegistry()),
		Pager:     e.pages,
		Clock:     clock.RealClock{},
		Namespace: e.ns,
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := engine.IndexAutomations(ctx, mgr.GetFieldIndexer()); err != nil {
		e.t.Fatal(err)
	}
	if err := newReconciler(e.engine).SetupWithManager(mgr); err != nil {
		e.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	e.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("the manager stopped with an error: %v", err)
		}
	})
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		e.t.Fatal("the manager's caches never synced")
	}
}

func (e *env) create(obj client.Object) {
	e.t.Helper()
	if err := e.c.Create(context.Background(), obj); err != nil {
		e.t.Fatalf("failed to create %T %s: %v", obj, obj.GetName(), err)
	}
}

func (e *env) get(obj client.Object) {
	e.t.Helper()
	if err := e.c.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
		e.t.Fatalf("failed to get %T %s: %v", obj, obj.GetName(), err)
	}
}

// eventually waits until cond holds, and fails the test if it never does,
// saying what the engine decided meanwhile.
func (e *env) eventually(what string, cond func(ctx context.Context) (bool, error)) {
	e.t.Helper()
	if err := testutil.Until(context.Background(), 100*time.Millisecond, waitFor, cond); err != nil {
		e.t.Fatalf("%s: %v; decisions: %s", what, err, e.decisions())
	}
}

// decisions lists the engine's decisions so far, for failures.
func (e *env) decisions() string {
	if e.engine == nil {
		return "none: the manager is not started"
	}
	ch := make(chan prometheus.Metric, 100)
	go func() {
		e.engine.Metrics.Decisions.Collect(ch)
		close(ch)
	}()
	var out []string
	for m := range ch {
		var d dto.Metric
		if err := m.Write(&d); err != nil {
			continue
		}
		var lbls []string
		for _, l := range d.GetLabel() {
			lbls = append(lbls, l.GetName()+"="+l.GetValue())
		}
		out = append(out, fmt.Sprintf("{%s} %v", strings.Join(lbls, ","), d.GetCounter().GetValue()))
	}
	if len(out) == 0 {
		return "none"
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// shipped returns the shipped safety case for an automation type, edited.
func shipped(t *testing.T, typ v1alpha1.AutomationType, edit func(*v1alpha1.SafetyCaseSpec)) *v1alpha1.SafetyCaseSpec {
	t.Helper()
	sc, err := safetycases.Get(string(typ))
	if err != nil {
		t.Fatal(err)
	}
	spec := sc.Spec.DeepCopy()
	if edit != nil {
		edit(spec)
	}
	return spec
}

// automation creates an Automation in the test's namespace.
func (e *env) automation(name string, typ v1alpha1.AutomationType, rung v1alpha1.Rung, sc *v1alpha1.SafetyCaseSpec, edit func(*v1alpha1.AutomationSpec)) *v1alpha1.Automation {
	e.t.Helper()
	a := &v1alpha1.Automation{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: e.ns},
		Spec:       v1alpha1.AutomationSpec{Type: typ, Rung: string(rung), SafetyCase: sc},
	}
	if edit != nil {
		edit(&a.Spec)
	}
	e.create(a)
	return a
}

// actions are the actions an automation recorded.
func (e *env) actions(name string) []v1alpha1.ActionRecord {
	e.t.Helper()
	a := &v1alpha1.Automation{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: e.ns}}
	e.get(a)
	return a.Status.Actions
}

// waitAction waits for the automation to record an action on target in
// phase Done, and returns it.
func (e *env) waitAction(automation, target string) v1alpha1.ActionRecord {
	e.t.Helper()
	var found v1alpha1.ActionRecord
	e.eventually("no action on "+target+" was recorded done", func(context.Context) (bool, error) {
		for _, rec := range e.actions(automation) {
			if rec.Target == target && rec.Phase == v1alpha1.ActionDone {
				found = rec
				return true, nil
			}
		}
		return false, nil
	})
	return found
}

// waitDecision waits until the engine has decided verdict for reason on
// one of the automation's candidates.
func (e *env) waitDecision(automation, verdict, reason string) {
	e.t.Helper()
	e.eventually("the engine never decided "+verdict+" ("+reason+")", func(context.Context) (bool, error) {
		return promtestutil.ToFloat64(e.engine.Metrics.Decisions.WithLabelValues(automation, verdict, reason)) > 0, nil
	})
}

// killSwitch turns the global kill switch on in the test's namespace.
func (e *env) killSwitch() {
	e.t.Helper()
	e.create(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: engine.KillSwitchName, Namespace: e.ns},
		Data: map[string]string{"enabled": "true"}})
}

// pageRecorder keeps the pages sent.
type pageRecorder struct {
	mu     sync.Mutex
	alerts []pager.Alert
}

func (p *pageRecorder) Page(_ context.Context, alerts ...pager.Alert) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.alerts = append(p.alerts, alerts...)
	return nil
}

// sent is how many pages were sent.
func (p *pageRecorder) sent() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.alerts)
}
