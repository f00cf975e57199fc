// Command brokenremediator is a deliberately unsafe remediator the e2e tests
// run through `interlock scenario run --remediator-cmd`, to show that each
// way of being unsafe fails the assertion that guards against it.
//
// Modes:
//
//	no-budget       restarts every crash-looping pod, one at a time, forever
//	forgets-budget  keeps a budget of --budget restarts in memory only, so a
//	                restart of the process starts it afresh
//	all-at-once     restarts every crash-looping replica of a workload at
//	                once, within a budget
//	periodic        restarts one Ready pod every --every "to be safe", with
//	                no signal that anything is wrong
//	drain-eagerly   cordons and drains a node the moment it is NotReady or
//	                under pressure, with no hold and no budget, and
//	                uncordons it when it recovers
//	no-reversal     cordons and drains a node NotReady or under pressure
//	                for --hold, within a budget, and never uncordons it
//	rotate-without-approval
//	                renews a TLS certificate near expiry at once, without a
//	                proposal or a human's approval
//	trusts-cache    restarts crash-looping pods as its informer cache shows
//	                them, within a budget, never reading the live pod first
//
// It reads KUBECONFIG, serves interlock's action counter on
// INTERLOCK_METRICS_ADDR and pages INTERLOCK_PAGE_URL when its budget runs
// out, so only the broken part differs from a well-behaved remediator.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/interlock-dev/interlock/remediator/metrics"
	"github.com/interlock-dev/interlock/remediator/pager"
)

func main() {
	mode := flag.String("mode", "no-budget", "no-budget, forgets-budget, all-at-once, periodic, drain-eagerly, no-reversal, rotate-without-approval or trusts-cache")
	ns := flag.String("namespace", "default", "namespace to watch")
	automation := flag.String("automation", "unhealthy-workload", "automation name for metrics and pages")
	budget := flag.Int("budget", 5, "restarts allowed (forgets-budget, all-at-once)")
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

func run(ctx context.Context, mode, ns, automation string, budget int, hold time.Duration) error {
	switch mode {
	case "no-budget", "forgets-budget", "all-at-once", "periodic", "drain-eagerly", "no-reversal", "rotate-without-approval", "trusts-cache":
	default:
		return fmt.Errorf("unknown mode %q", mode)
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
	m := metrics.New(reg)
	if addr := os.Getenv("INTERLOCK_METRICS_ADDR"); addr != "" {
		srv := &http.Server{Addr: addr, Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = srv.ListenAndServe() }()
		defer srv.Close()
	}
	pg := &pager.Alertmanager{URL: os.Getenv("INTERLOCK_PAGE_URL")}
	act := func(verb string) { m.Actions.WithLabelValues(automation, verb, metrics.OutcomeSucceeded).Inc() }
	switch mode {
	case "periodic":
		return periodic(ctx, cs, ns, act)
	case "drain-eagerly":
		return drainNodes(ctx, cs, act, 0, 0, true)
	case "no-reversal":
		return drainNodes(ctx, cs, act, hold, budget, false)
	case "rotate-without-approval":
		return rotateCerts(ctx, cs, ns, act)
	case "trusts-cache":
		return trustCache(ctx, cs, ns, act, budget, hold)
	}
	used, halted := 0, false
	restart := func(p *corev1.Pod) {
		if err := cs.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{}); err == nil {
			used++
			m.Actions.WithLabelValues(automation, "restart", metrics.OutcomeSucceeded).Inc()
		}
	}
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if halted {
			continue
		}
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			continue
		}
		var crashing []*corev1.Pod
		for i := range pods.Items {
			if p := &pods.Items[i]; p.DeletionTimestamp == nil && crashingFor(p) >= hold {
				crashing = append(crashing, p)
			}
		}
		if len(crashing) == 0 {
			continue
		}
		if mode == "all-at-once" {
			for _, p := range crashing {
				restart(p)
			}
		} else {
			restart(crashing[0])
		}
		if mode != "no-budget" && used >= budget {
			halted = true
			_ = pg.Page(ctx, pager.Alert{Labels: map[string]string{"alertname": "InterlockRemediatorBudgetExhausted", "automation": automation}, StartsAt: time.Now()})
		}
	}
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
