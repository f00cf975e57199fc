package engine

import (
	"context"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/policy"
)

// AutomationTypeIndex indexes the cached Automations by spec.type.
const AutomationTypeIndex = "spec.type"

// IndexAutomations adds AutomationTypeIndex to the manager's cache, which
// AutomationsOfType reads. Call it once per manager, before its
// controllers run.
func IndexAutomations(ctx context.Context, indexer client.FieldIndexer) error {
	if err := indexer.IndexField(ctx, &v1alpha1.Automation{}, AutomationTypeIndex, func(o client.Object) []string {
		return []string{string(o.(*v1alpha1.Automation).Spec.Type)}
	}); err != nil {
		return fmt.Errorf("failed to index automations: %w", err)
	}
	return nil
}

// AutomationsOfType lists, from the cache, the automations of one type.
func (e *Engine) AutomationsOfType(ctx context.Context, t v1alpha1.AutomationType) ([]v1alpha1.Automation, error) {
	var list v1alpha1.AutomationList
	if err := e.Client.List(ctx, &list, client.InNamespace(e.Namespace), client.MatchingFields{AutomationTypeIndex: string(t)}); err != nil {
		return nil, fmt.Errorf("failed to list automations: %w", err)
	}
	return list.Items, nil
}

// InFlight returns the targets of actions taken within d whose recovery
// check still fails.
func InFlight(a *v1alpha1.Automation, now time.Time, d time.Duration, recovered func(target string) bool) []string {
	var out []string
	for _, rec := range a.Status.Actions {
		if rec.Phase == v1alpha1.ActionFailed || now.Sub(rec.Time.Time) >= d {
			continue
		}
		if !recovered(rec.Target) && !slices.Contains(out, rec.Target) {
			out = append(out, rec.Target)
		}
	}
	return out
}

// LivePod reads pod from the API server, past the cache; nil if it is gone
// or replaced.
func (e *Engine) LivePod(ctx context.Context, pod *corev1.Pod) (*corev1.Pod, error) {
	r := e.Live
	if r == nil {
		r = e.Client
	}
	var cur corev1.Pod
	if err := r.Get(ctx, client.ObjectKeyFromObject(pod), &cur); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("failed to read pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	if cur.UID != pod.UID || cur.DeletionTimestamp != nil {
		return nil, nil
	}
	return &cur, nil
}

// HealthGate is the safety case's health gate as the policy reads it: its
// deadline and minimum, and the trigger's hold.
func HealthGate(sc *v1alpha1.SafetyCaseSpec) policy.HealthGate {
	g := policy.HealthGate{Hold: sc.Trigger.For.Duration}
	if sc.HealthGate != nil {
		g.ProgressDeadline = sc.HealthGate.ProgressDeadline.Duration
		g.MinAvailablePercent = int(sc.HealthGate.MinAvailablePercent)
	}
	return g
}
