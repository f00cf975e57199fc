package workload

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/scenarios"
)

// AutoscalerSettle bounds how long the fixture waits for its autoscalers to
// read their metric: metrics-server serves a new pod's CPU 30 to 45s after
// it starts, and the autoscaler needs it before it scales on it.
const AutoscalerSettle = 3 * time.Minute

// NeedsMetrics reports whether the run's cluster must serve the resource
// metrics API: some fixture workload has a HorizontalPodAutoscaler.
func NeedsMetrics(s *scenarios.Scenario) bool { return s.Autoscales() }

// hpaState is what the run last saw of one autoscaler.
type hpaState struct {
	desired int32
	// blind holds why the autoscaler cannot compute a recommendation
	// (ScalingActive False), empty while it can.
	blind string
}

// Autoscalers follows the fixture's HorizontalPodAutoscalers through a run:
// each change of desired replicas, and each time one loses or regains its
// metric, goes into the timeline, and the desired replicas over the run
// into a closing summary.
type Autoscalers struct {
	seen    map[string]hpaState
	history map[string][]int32
	order   []string
}

// NewAutoscalers returns an Autoscalers that has seen none yet.
func NewAutoscalers() *Autoscalers {
	return &Autoscalers{seen: map[string]hpaState{}, history: map[string][]int32{}}
}

// cpuUtilization returns the autoscaler's current average CPU utilization.
func cpuUtilization(h *autoscalingv2.HorizontalPodAutoscaler) (int32, bool) {
	for _, m := range h.Status.CurrentMetrics {
		if m.Resource != nil && m.Resource.Name == corev1.ResourceCPU && m.Resource.Current.AverageUtilization != nil {
			return *m.Resource.Current.AverageUtilization, true
		}
	}
	return 0, false
}

// cpuTarget returns the autoscaler's CPU utilization target.
func cpuTarget(h *autoscalingv2.HorizontalPodAutoscaler) (int32, bool) {
	for _, m := range h.Spec.Metrics {
		if m.Resource != nil && m.Resource.Name == corev1.ResourceCPU && m.Resource.Target.AverageUtilization != nil {
			return *m.Resource.Target.AverageUtilization, true
		}
	}
	return 0, false
}

// blindness says why the autoscaler cannot compute a recommendation, or "".
func blindness(h *autoscalingv2.HorizontalPodAutoscaler) string {
	for _, c := range h.Status.Conditions {
		if c.Type == autoscalingv2.ScalingActive && c.Status == corev1.ConditionFalse {
			return c.Reason + ": " + c.Message
		}
	}
	return ""
}

// utilization describes the autoscaler's CPU reading against its target.
func utilization(h *autoscalingv2.HorizontalPodAutoscaler) string {
	target, _ := cpuTarget(h)
	if u, ok := cpuUtilization(h); ok {
		return fmt.Sprintf("CPU %d%% of requests, target %d%%", u, target)
	}
	return fmt.Sprintf("CPU not read, target %d%%", target)
}

// Observe records one listing of the autoscalers, telling progress what
// changed.
func (a *Autoscalers) Observe(list []autoscalingv2.HorizontalPodAutoscaler, progress func(kind, format string, args ...any)) {
	for i := range list {
		h := &list[i]
		key := h.Namespace + "/" + h.Name
		now := hpaState{desired: h.Status.DesiredReplicas, blind: blindness(h)}
		if now.desired == 0 {
			// Not computed yet: nothing to report.
			now.desired = h.Status.CurrentReplicas
		}
		last, known := a.seen[key]
		a.seen[key] = now
		if !known {
			a.order = append(a.order, key)
			a.history[key] = []int32{now.desired}
			continue
		}
		if now.desired != last.desired {
			a.history[key] = append(a.history[key], now.desired)
			progress(scorecard.EventProgress, "Autoscaler %s: %d → %d replicas (%s)", key, last.desired, now.desired, utilization(h))
		}
		switch {
		case now.blind != "" && last.blind == "":
			progress(scorecard.EventProgress, "Autoscaler %s cannot read its metric and holds %d replicas: %s", key, now.desired, now.blind)
		case now.blind == "" && last.blind != "":
			progress(scorecard.EventProgress, "Autoscaler %s reads its metric again (%s)", key, utilization(h))
		}
	}
}

// Summary returns one line per autoscaler: its desired replicas over the
// run and how often the direction of scaling reversed.
func (a *Autoscalers) Summary() []string {
	var out []string
	for _, key := range a.order {
		h := a.history[key]
		steps := make([]string, len(h))
		for i, n := range h {
			steps[i] = fmt.Sprint(n)
		}
		lo, hi := slices.Min(h), slices.Max(h)
		out = append(out, fmt.Sprintf("Autoscaler %s over the run: %s replicas (%d change(s), %d reversal(s) of direction, between %d and %d)",
			key, strings.Join(steps, " → "), len(h)-1, reversals(h), lo, hi))
	}
	return out
}

// reversals counts the changes of direction in a series of replica counts.
func reversals(h []int32) int {
	n, dir := 0, 0
	for i := 1; i < len(h); i++ {
		d := 0
		switch {
		case h[i] > h[i-1]:
			d = 1
		case h[i] < h[i-1]:
			d = -1
		}
		if d == 0 {
			continue
		}
		if dir != 0 && d != dir {
			n++
		}
		dir = d
	}
	return n
}

// ListAutoscalers lists the cluster's autoscalers, by namespace and name.
func ListAutoscalers(ctx context.Context, c client.Reader) ([]autoscalingv2.HorizontalPodAutoscaler, error) {
	var list autoscalingv2.HorizontalPodAutoscalerList
	if err := c.List(ctx, &list); err != nil {
		return nil, fmt.Errorf("failed to list autoscalers: %w", err)
	}
	items := list.Items
	slices.SortFunc(items, func(a, b autoscalingv2.HorizontalPodAutoscaler) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	return items, nil
}

// Settle reports the loads' usage, as the run will, until every
// autoscaler reads its metric and has settled: its desired replicas are
// its current ones and the Deployment has them available. Only then does
// the run start, so that its first seconds are not the autoscaler reacting
// to the fixture coming up. It samples the cluster every interval, for at
// most AutoscalerSettle.
func Settle(ctx context.Context, env Env, loads *Loads, every time.Duration, sample func(context.Context) (observe.Sample, error)) error {
	start := time.Now()
	last := "no autoscaler listed yet"
	var settled []autoscalingv2.HorizontalPodAutoscaler
	err := wait.PollUntilContextTimeout(ctx, every, AutoscalerSettle, true, func(ctx context.Context) (bool, error) {
		snap, err := sample(ctx)
		if err != nil {
			return false, nil
		}
		if err := loads.ReportUsage(ctx, env, snap); err != nil {
			return false, err
		}
		list, err := ListAutoscalers(ctx, env.Client)
		if err != nil {
			return false, nil
		}
		if why := unsettled(list, snap); why != "" {
			last = why
			return false, nil
		}
		settled = list
		return len(list) > 0, nil
	})
	if err != nil {
		return fmt.Errorf("the fixture's autoscalers did not settle within %s, last %s: %w", AutoscalerSettle, last, err)
	}
	for i := range settled {
		h := &settled[i]
		env.Progress(scorecard.EventProgress, "Autoscaler %s/%s settled in %s at %d replicas (%s)",
			h.Namespace, h.Name, time.Since(start).Round(time.Second), h.Status.CurrentReplicas, utilization(h))
	}
	return nil
}

// unsettled says why an autoscaler of list has not settled, as snap shows
// its Deployment; "" if every one has.
func unsettled(list []autoscalingv2.HorizontalPodAutoscaler, snap observe.Sample) string {
	for i := range list {
		h := &list[i]
		key := h.Namespace + "/" + h.Name
		if _, ok := cpuUtilization(h); !ok {
			return fmt.Sprintf("%s has not read its metric (%s)", key, blindness(h))
		}
		if h.Status.DesiredReplicas != h.Status.CurrentReplicas {
			return fmt.Sprintf("%s is scaling from %d to %d replicas (%s)", key, h.Status.CurrentReplicas, h.Status.DesiredReplicas, utilization(h))
		}
		for _, d := range snap.Deployments {
			if d.Namespace == h.Namespace && d.Name == h.Spec.ScaleTargetRef.Name && d.Spec.Replicas != nil && d.Status.AvailableReplicas < *d.Spec.Replicas {
				return fmt.Sprintf("%s/%s has %d of %d replicas available", d.Namespace, d.Name, d.Status.AvailableReplicas, *d.Spec.Replicas)
			}
		}
	}
	return ""
}
