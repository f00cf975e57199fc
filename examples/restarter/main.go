package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/interlock-dev/interlock/contract"
)

// options are the remediator's flags; their defaults are the figures of
// the unhealthy-workload safety case (safety-case.yaml here).
type options struct {
	automation string
	namespace  string
	budget     int
	hold       time.Duration
	every      time.Duration
}

func (o *options) register(fs *flag.FlagSet) {
	fs.StringVar(&o.automation, "automation", "unhealthy-workload", "the Automation (in $"+contract.EnvNamespace+") this remediator acts for")
	fs.StringVar(&o.namespace, "watch-namespace", "default", "the namespace whose pods it restarts")
	fs.IntVar(&o.budget, "budget", 5, "restarts allowed before it halts and pages (the safety case's budget.maxActions)")
	fs.DurationVar(&o.hold, "hold", 20*time.Second, "how long a pod must be Running but not Ready before it is restarted (the safety case's trigger.for)")
	fs.DurationVar(&o.every, "every", time.Second, "how often it looks")
}

func main() {
	var o options
	o.register(flag.CommandLine)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Fatalf("restarter: %v", err)
	}
}

// remediator is the running remediator: its clients, metrics and state.
type remediator struct {
	o       options
	pods    kubernetes.Interface
	status  dynamic.ResourceInterface
	pageURL string

	actions   *prometheus.CounterVec
	halted    *prometheus.GaugeVec
	pagesSent *prometheus.CounterVec

	used     int       // restarts the API server accepted
	last     *lastPod  // the pod restarted last, until it is replaced
	haltedAt time.Time // zero until it halts
}

// lastPod is a restarted pod, in flight until its ReplicaSet has replaced it.
type lastPod struct {
	uid   types.UID
	owner types.UID
}

func run(ctx context.Context, o options) error {
	for _, env := range []string{contract.EnvKubeconfig, contract.EnvPageURL, contract.EnvMetricsAddr, contract.EnvNamespace} {
		if os.Getenv(env) == "" {
			return fmt.Errorf("$%s is not set: run me through interlock scenario run --remediator-cmd", env)
		}
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", os.Getenv(contract.EnvKubeconfig))
	if err != nil {
		return fmt.Errorf("failed to load $%s: %w", contract.EnvKubeconfig, err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("failed to make a client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("failed to make a client: %w", err)
	}
	automations := schema.GroupVersionResource{Group: "interlock.dev", Version: "v1alpha1", Resource: "automations"}
	r := &remediator{
		o: o, pods: cs, status: dyn.Resource(automations).Namespace(os.Getenv(contract.EnvNamespace)),
		pageURL: os.Getenv(contract.EnvPageURL),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: contract.MetricActionsTotal, Help: "Actions taken."},
			[]string{contract.LabelAutomation, contract.LabelClass, contract.LabelOutcome}),
		halted: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: contract.MetricHalted, Help: "1 while the automation is halted."},
			[]string{contract.LabelAutomation, contract.LabelReason}),
		pagesSent: prometheus.NewCounterVec(prometheus.CounterOpts{Name: contract.MetricPagesSentTotal, Help: "Pages sent."},
			[]string{contract.LabelAutomation, contract.LabelOutcome}),
	}
	// Every series the harness reads exists from the start, at 0: an absent
	// series fails telemetry-truthful, it is never read as 0.
	r.actions.WithLabelValues(o.automation, "restart", contract.OutcomeSucceeded).Add(0)
	r.pagesSent.WithLabelValues(o.automation, contract.OutcomeSucceeded).Add(0)
	reg := prometheus.NewRegistry()
	reg.MustRegister(r.actions, r.halted, r.pagesSent)
	srv := &http.Server{Addr: os.Getenv(contract.EnvMetricsAddr), Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("restarter: metrics: %v", err)
		}
	}()
	defer srv.Close()
	log.Printf("restarter: acting for %s on pods of %s, budget %d", o.automation, o.namespace, o.budget)

	t := time.NewTicker(o.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := r.tick(ctx); err != nil {
				log.Printf("restarter: %v", err)
			}
		}
	}
}

// tick looks once: it halts when the budget is spent, else restarts the
// first pod that has been unhealthy for --hold, if the last one restarted
// has been replaced.
func (r *remediator) tick(ctx context.Context) error {
	if !r.haltedAt.IsZero() {
		return nil // halted: only a human resumes it
	}
	if r.used >= r.o.budget {
		return r.halt(ctx)
	}
	pods, err := r.pods.CoreV1().Pods(r.o.namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("failed to list pods: %w", err)
	}
	if r.last != nil && !replaced(pods.Items, r.last) {
		return nil // one restart in flight at a time
	}
	r.last = nil
	for i := range pods.Items {
		p := &pods.Items[i]
		owner := metav1.GetControllerOf(p)
		if owner == nil || owner.Kind != "ReplicaSet" || p.DeletionTimestamp != nil || unhealthyFor(p) < r.o.hold {
			continue
		}
		if err := r.pods.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &p.UID}}); err != nil {
			r.actions.WithLabelValues(r.o.automation, "restart", contract.OutcomeFailed).Inc()
			return fmt.Errorf("failed to restart %s/%s: %w", p.Namespace, p.Name, err)
		}
		r.used++
		r.last = &lastPod{uid: p.UID, owner: owner.UID}
		r.actions.WithLabelValues(r.o.automation, "restart", contract.OutcomeSucceeded).Inc()
		log.Printf("restarter: restarted %s/%s (%d of %d)", p.Namespace, p.Name, r.used, r.o.budget)
		return nil
	}
	return nil
}

// replaced reports whether the restarted pod is gone and its ReplicaSet
// has a new pod in its place.
func replaced(pods []corev1.Pod, last *lastPod) bool {
	newer := false
	for i := range pods {
		p := &pods[i]
		if p.UID == last.uid {
			return false
		}
		if owner := metav1.GetControllerOf(p); owner != nil && owner.UID == last.owner && p.DeletionTimestamp == nil {
			newer = true
		}
	}
	return newer
}

// unhealthyFor is how long the pod has been Running but not Ready, or 0.
func unhealthyFor(p *corev1.Pod) time.Duration {
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

// halt stops the automation at the end of its budget: the Halted condition
// on its Automation's status (which the harness reads in the audit log),
// the halted metric, and one page.
func (r *remediator) halt(ctx context.Context) error {
	now := time.Now().UTC()
	cond := metav1.Condition{Type: "Halted", Status: metav1.ConditionTrue, Reason: "BudgetExhausted",
		Message: fmt.Sprintf("%d restarts: the budget is spent; a human must resume the automation", r.used), LastTransitionTime: metav1.NewTime(now)}
	patch, err := json.Marshal(map[string]any{"status": map[string]any{"conditions": []metav1.Condition{cond}}})
	if err != nil {
		return fmt.Errorf("failed to encode the halt: %w", err)
	}
	if _, err := r.status.Patch(ctx, r.o.automation, types.MergePatchType, patch, metav1.PatchOptions{}, "status"); err != nil {
		return fmt.Errorf("failed to halt %s: %w", r.o.automation, err)
	}
	r.haltedAt = now
	r.halted.WithLabelValues(r.o.automation, "BudgetExhausted").Set(1)
	log.Printf("restarter: halted %s after %d restarts", r.o.automation, r.used)
	outcome := contract.OutcomeSucceeded
	if err := r.page(ctx, now); err != nil {
		outcome = contract.OutcomeFailed
		log.Printf("restarter: %v", err)
	}
	r.pagesSent.WithLabelValues(r.o.automation, outcome).Inc()
	return nil
}

// page posts one alert, labelled with the automation, to the Alertmanager
// v2 API at $INTERLOCK_PAGE_URL.
func (r *remediator) page(ctx context.Context, at time.Time) error {
	body, err := json.Marshal([]map[string]any{{
		"labels":      map[string]string{"alertname": contract.AlertBudgetExhausted, contract.PageLabel: r.o.automation},
		"annotations": map[string]string{"summary": fmt.Sprintf("%s halted: %d restarts, its budget, are spent", r.o.automation, r.used)},
		"startsAt":    at,
	}})
	if err != nil {
		return fmt.Errorf("failed to encode the page: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.pageURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("failed to page: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("failed to page: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("failed to page: %s", resp.Status)
	}
	log.Printf("restarter: paged for %s", r.o.automation)
	return nil
}
