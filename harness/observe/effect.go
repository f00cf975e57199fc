package observe

import (
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Observer takes the periodic snapshots of the cluster that a run's
// observers grade it by. Snapshots come in time order.
type Observer interface {
	// Observe records the pods and deployments as listed at t.
	Observe(t time.Time, pods []*corev1.Pod, deployments []*appsv1.Deployment)
}

var _ Observer = (*Truth)(nil)

// Effect is one thing the harness broke, or made look broken, and when.
//
// An effect covers a pod if it targets pods and selects it (Namespace,
// Selector and Pods all agree), or if the pod is scheduled on one of its
// Nodes. It applies from Start until End.
type Effect struct {
	// Name names the effect in reports, such as the fault's name.
	Name string
	// Namespace limits the pods targeted; empty means every namespace.
	Namespace string
	// Selector selects the pods targeted by their labels. Nil with Pods
	// empty targets no pod directly (a node-only effect); use
	// labels.Everything() to target every pod in Namespace.
	Selector labels.Selector
	// Pods, if set, limits the pods targeted to these names.
	Pods []string
	// Nodes are the nodes the effect is on. Every pod scheduled there is
	// covered.
	Nodes []string
	// TrulyBroken means what is covered really does not serve (a crash
	// loop, a node that is down), whatever the API says.
	TrulyBroken bool
	// LooksBroken means what is covered looks broken to a health check (a
	// lying readiness probe, a node that stopped heartbeating but runs) but
	// serves. TrulyBroken wins when both are set.
	LooksBroken bool
	// Start is when the effect began.
	Start time.Time
	// End is when it was recovered; zero means it lasted to the end of the run.
	End time.Time
}

// activeAt reports whether the effect applies at t: Start <= t < End.
func (e *Effect) activeAt(t time.Time) bool {
	return !t.Before(e.Start) && (e.End.IsZero() || t.Before(e.End))
}

// activeDuring reports whether t falls in [Start, End], End included: an
// action at the very moment of recovery still answered the effect.
func (e *Effect) activeDuring(t time.Time) bool {
	return !t.Before(e.Start) && (e.End.IsZero() || !t.After(e.End))
}

func (e *Effect) targetsPods() bool { return e.Selector != nil || len(e.Pods) > 0 }

func (e *Effect) selects(p *corev1.Pod) bool {
	if !e.targetsPods() || (e.Namespace != "" && p.Namespace != e.Namespace) {
		return false
	}
	if len(e.Pods) > 0 && !slices.Contains(e.Pods, p.Name) {
		return false
	}
	return e.Selector == nil || e.Selector.Matches(labels.Set(p.Labels))
}

func (e *Effect) onNode(node string) bool { return node != "" && slices.Contains(e.Nodes, node) }

func (e *Effect) covers(p *corev1.Pod) bool { return e.selects(p) || e.onNode(p.Spec.NodeName) }

// describe says what the effect covers, such as
// "pods app=api in shop on nodes kwok-node-1".
func (e *Effect) describe() string {
	var parts []string
	if e.targetsPods() {
		s := "pods"
		if len(e.Pods) > 0 {
			s += " " + strings.Join(e.Pods, ",")
		}
		if e.Selector != nil && !e.Selector.Empty() {
			s += " " + e.Selector.String()
		}
		if e.Namespace != "" {
			s += " in " + e.Namespace
		}
		parts = append(parts, s)
	}
	if len(e.Nodes) > 0 {
		parts = append(parts, "nodes "+strings.Join(e.Nodes, ","))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, " and on ")
}

func (e *Effect) window(at func(time.Time) string) string {
	if e.End.IsZero() {
		return "from " + at(e.Start) + " to the end of the run"
	}
	return "from " + at(e.Start) + " to " + at(e.End)
}

// clock formats t for reports.
func clock(t time.Time) string { return t.UTC().Format("15:04:05") + " UTC" }
