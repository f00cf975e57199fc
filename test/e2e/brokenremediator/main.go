package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/metrics"
	"github.com/interlock-dev/interlock/remediator/pager"
)

// modes are the known modes, in the order the package comment lists them.
var modes = []string{
	"no-budget", "forgets-budget", "all-at-once", "periodic", "drain-eagerly",
	"no-reversal", "rotate-without-approval", "trusts-cache",
	"evict", "scale-to-zero", "taint", "fake-halt", "zero-counter",
	"steal-credentials", "forbidden-loop", "inert",
}

func main() {
	mode := flag.String("mode", "no-budget", "one of "+strings.Join(modes, ", "))
	ns := flag.String("namespace", "default", "namespace to watch")
	automation := flag.String("automation", "unhealthy-workload", "automation name for metrics and pages")
	budget := flag.Int("budget", 5, "actions allowed (forgets-budget, all-at-once, no-reversal, trusts-cache, taint, fake-halt, zero-counter, steal-credentials)")
	hold := flag.Duration("hold", 20*time.Second, "how long a pod must crash (or a node be unwell) before it is acted on")
	flag.DurationVar(&every, "every", 10*time.Second, "how often the periodic mode restarts a pod")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *mode, *ns, *automation, *budget, *hold); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// every is how often the periodic mode acts.
var every time.Duration

// env is what every mode works with: its clients, its metrics, its pager
// and its flags.
type env struct {
	cfg        *rest.Config
	cs         kubernetes.Interface
	m          *metrics.Metrics
	pg         pager.Pager
	mode       string
	ns         string
	automation string
	class      string
	budget     int
	hold       time.Duration
}

// classFor is the action class the mode's actions are counted under: that
// of the automation it stands in for (the class its safety case states).
func classFor(mode, automation string) string {
	switch {
	case mode == "rotate-without-approval" || automation == string(v1alpha1.CertificateExpiry):
		return string(v1alpha1.ClassDestructive)
	case automation == string(v1alpha1.BadDeploy):
		return string(v1alpha1.ClassRollback)
	default:
		return string(v1alpha1.ClassRestart)
	}
}

// newMetrics registers interlock's collectors and exposes, at 0, the series
// the harness reads at the start of a run.
func newMetrics(reg prometheus.Registerer, automation, class string) *metrics.Metrics {
	m := metrics.New(reg)
	m.Actions.WithLabelValues(automation, class, metrics.OutcomeSucceeded).Add(0)
	m.PagesSent.WithLabelValues(automation, metrics.OutcomeSucceeded).Add(0)
	return m
}

// act counts one action that succeeded.
func (e *env) act() {
	e.m.Actions.WithLabelValues(e.automation, e.class, metrics.OutcomeSucceeded).Inc()
}

// halt marks the automation halted in the metrics.
func (e *env) halt() {
	e.m.Halted.WithLabelValues(e.automation, v1alpha1.ReasonBudgetExhausted).Set(1)
}

// page sends the budget-exhausted page, started at startsAt, and counts it
// by its outcome.
func (e *env) page(ctx context.Context, startsAt time.Time) {
	err := e.pg.Page(ctx, pager.Alert{Labels: map[string]string{"alertname": "InterlockRemediatorBudgetExhausted", "automation": e.automation}, StartsAt: startsAt})
	if err != nil {
		e.m.PagesSent.WithLabelValues(e.automation, metrics.OutcomeFailed).Inc()
		fmt.Fprintln(os.Stderr, "page failed:", err)
		return
	}
	e.m.PagesSent.WithLabelValues(e.automation, metrics.OutcomeSucceeded).Inc()
}

func run(ctx context.Context, mode, ns, automation string, budget int, hold time.Duration) error {
	if !slices.Contains(modes, mode) {
		return fmt.Errorf("unknown mode %q: known modes are %s", mode, strings.Join(modes, ", "))
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))
	if err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	class := classFor(mode, automation)
	m := newMetrics(reg, automation, class)
	if addr := os.Getenv("INTERLOCK_METRICS_ADDR"); addr != "" {
		srv := &http.Server{Addr: addr, Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.ListenAndServe() }()
		defer srv.Close()
	}
	e := &env{
		cfg: cfg, cs: cs, m: m, pg: &pager.Alertmanager{URL: os.Getenv("INTERLOCK_PAGE_URL")},
		mode: mode, ns: ns, automation: automation, class: class, budget: budget, hold: hold,
	}
	switch mode {
	case "periodic":
		return periodic(ctx, cs, ns, e.act)
	case "drain-eagerly":
		return drainNodes(ctx, cs, e.act, 0, 0, true)
	case "no-reversal":
		return drainNodes(ctx, cs, e.act, hold, budget, false)
	case "rotate-without-approval":
		return rotateCerts(ctx, cs, ns, e.act)
	case "trusts-cache":
		return trustCache(ctx, cs, ns, e.act, budget, hold)
	}
	switch mode {
	case "no-budget":
		return restartLoop(ctx, e, restartOpts{cs: cs, count: true})
	case "forgets-budget", "all-at-once":
		return restartLoop(ctx, e, restartOpts{cs: cs, all: mode == "all-at-once", limit: true, budget: e.budget, count: true, exhausted: func() {
			e.halt()
			e.page(ctx, time.Now())
		}})
	case "evict":
		return restartLoop(ctx, e, restartOpts{cs: cs, evict: true, count: true})
	case "scale-to-zero":
		return scaleToZero(ctx, e)
	case "taint":
		return taintNodes(ctx, e)
	case "forbidden-loop":
		return forbiddenLoop(ctx, e)
	case "inert":
		return inert(ctx)
	case "fake-halt":
		return fakeHalt(ctx, e)
	case "zero-counter":
		return zeroCounter(ctx, e)
	case "steal-credentials":
		return stealCredentials(ctx, e)
	}
	return fmt.Errorf("mode %q has no implementation", mode)
}

// restartOpts say how restartLoop acts.
type restartOpts struct {
	// cs is the client it acts with.
	cs kubernetes.Interface
	// all restarts every crashing pod at each tick, else the first one.
	all bool
	// evict takes pods down through the Eviction API, else by a delete.
	evict bool
	// limit stops acting once budget actions have succeeded.
	limit  bool
	budget int
	// count counts each action that succeeded in actions_total.
	count bool
	// exhausted, if set, is called once when the budget is spent.
	exhausted func()
	// failed, if set, is told of each action that failed.
	failed func(error)
}

// restartLoop restarts the pods of e.ns that have crashed for e.hold,
// every 500ms, as o says, until ctx ends. With o.limit it stops acting
// once o.budget restarts have succeeded, after the tick that spent it.
func restartLoop(ctx context.Context, e *env, o restartOpts) error {
	used, done := 0, false
	restart := func(p *corev1.Pod) {
		var err error
		if o.evict {
			err = o.cs.CoreV1().Pods(p.Namespace).EvictV1(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace}})
		} else {
			err = o.cs.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{})
		}
		if err != nil {
			if o.failed != nil {
				o.failed(err)
			}
			return
		}
		used++
		if o.count {
			e.act()
		}
	}
	return tick(ctx, func() {
		if done {
			return
		}
		crashing := crashingPods(ctx, e.cs, e.ns, e.hold)
		if len(crashing) == 0 {
			return
		}
		if o.all {
			for _, p := range crashing {
				restart(p)
			}
		} else {
			restart(crashing[0])
		}
		if o.limit && used >= o.budget {
			done = true
			if o.exhausted != nil {
				o.exhausted()
			}
		}
	})
}

// crashingPods lists the pods of ns, not being deleted, that have crashed
// for at least hold; nil if it cannot list them.
func crashingPods(ctx context.Context, cs kubernetes.Interface, ns string, hold time.Duration) []*corev1.Pod {
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	var crashing []*corev1.Pod
	for i := range pods.Items {
		if p := &pods.Items[i]; p.DeletionTimestamp == nil && crashingFor(p) >= hold {
			crashing = append(crashing, p)
		}
	}
	return crashing
}

// crashingFor is how long the pod has been unhealthy (not Ready, as in
// CrashLoopBackOff), or 0: the same trigger as the built-in automation's.
func crashingFor(p *corev1.Pod) time.Duration {
	if p.Status.Phase != corev1.PodRunning {
		return 0
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status != corev1.ConditionTrue {
			return time.Since(c.LastTransitionTime.Time)
		}
	}
	return 0
}
