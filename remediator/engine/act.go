package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/metrics"
	"github.com/interlock-dev/interlock/remediator/pager"
	"github.com/interlock-dev/interlock/remediator/policy"
)

// act records the action in the Automation's status, takes it, and records
// the outcome. Recording first means a crash or restart of the remediator
// can neither reset the budget nor take the action twice.
func (e *Engine) act(ctx context.Context, r *Resolved, c Candidate, d policy.Decision, now time.Time) error {
	rec := v1alpha1.ActionRecord{
		ID:         actionID(r.Name, c.Target, now),
		Target:     c.Target,
		Group:      c.Group,
		TargetUID:  string(c.UID),
		Verb:       c.Verb,
		Time:       metav1.NewTime(now),
		Phase:      v1alpha1.ActionIntended,
		ObservedAt: &metav1.Time{Time: c.Since},
	}
	a := r.Automation.DeepCopy()
	a.Status.Actions = append(prune(a.Status.Actions, now, r.SafetyCase.Budget.Window.Duration), rec)
	// The update carries the resourceVersion read from the cache: if the
	// cache was stale, the API server refuses it and the reconcile retries
	// with fresh data, so the budget is never judged on an old count.
	if err := e.Client.Status().Update(ctx, a); err != nil {
		return fmt.Errorf("failed to record intended action on %s: %w", c.Target, err)
	}
	actErr := c.Act(ctx)
	phase, outcome := v1alpha1.ActionDone, metrics.OutcomeSucceeded
	if actErr != nil {
		phase, outcome = v1alpha1.ActionFailed, metrics.OutcomeFailed
	}
	e.Metrics.Actions.WithLabelValues(r.Name, string(r.Class()), outcome).Inc()
	e.Metrics.TriggerToAction.WithLabelValues(r.Name).Observe(now.Sub(c.Since).Seconds())
	if actErr != nil {
		e.Recorder.Eventf(r.Automation, nil, corev1.EventTypeWarning, "ActionFailed", c.Verb, "%s %s failed: %v", c.Verb, c.Target, actErr)
	} else {
		e.Recorder.Eventf(r.Automation, nil, corev1.EventTypeNormal, "Acted", c.Verb, "%s %s: %s", c.Verb, c.Target, c.Why)
	}
	if err := e.setPhase(ctx, client.ObjectKeyFromObject(a), rec.ID, phase); err != nil {
		return errors.Join(actErr, err)
	}
	if actErr != nil {
		return fmt.Errorf("failed to %s %s: %w", c.Verb, c.Target, actErr)
	}
	return nil
}

func (e *Engine) setPhase(ctx context.Context, key client.ObjectKey, id string, phase v1alpha1.ActionPhase) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var a v1alpha1.Automation
		if err := e.Client.Get(ctx, key, &a); err != nil {
			return err
		}
		for i := range a.Status.Actions {
			if a.Status.Actions[i].ID == id {
				if a.Status.Actions[i].Phase == phase {
					return nil
				}
				a.Status.Actions[i].Phase = phase
				return e.Client.Status().Update(ctx, &a)
			}
		}
		return nil
	})
}

// prune drops records older than the window, keeping at least the window's.
func prune(recs []v1alpha1.ActionRecord, now time.Time, window time.Duration) []v1alpha1.ActionRecord {
	out := recs[:0:0]
	for _, r := range recs {
		if window <= 0 || now.Sub(r.Time.Time) < window {
			out = append(out, r)
		}
	}
	return out
}

func actionID(automation, target string, now time.Time) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%d", automation, target, now.UnixNano())))
	return hex.EncodeToString(sum[:6])
}

// halt stops the automation until a human resumes it: a condition with the
// reason, an event, the halted metric, and a page.
// PageRunbook is the runbook a halt's page links to, as the alert rules'
// runbook_url do: from the repository's root.
const PageRunbook = "docs/runbooks/InterlockRemediatorBudgetExhausted.md"

func (e *Engine) halt(ctx context.Context, a *v1alpha1.Automation, reason policy.Reason, message string) error {
	key := client.ObjectKeyFromObject(a)
	now := e.Clock.Now()
	var halted *v1alpha1.Automation
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var cur v1alpha1.Automation
		if err := e.Client.Get(ctx, key, &cur); err != nil {
			return err
		}
		if meta.IsStatusConditionTrue(cur.Status.Conditions, v1alpha1.ConditionHalted) {
			halted = nil
			return nil
		}
		meta.SetStatusCondition(&cur.Status.Conditions, metav1.Condition{
			Type: v1alpha1.ConditionHalted, Status: metav1.ConditionTrue, Reason: string(reason),
			Message: message + "; run 'interlock resume " + a.Name + "' to resume", ObservedGeneration: cur.Generation,
		})
		cur.Status.HaltedAt = &metav1.Time{Time: now}
		halted = &cur
		return e.Client.Status().Update(ctx, &cur)
	})
	if err != nil {
		return fmt.Errorf("failed to halt %s: %w", a.Name, err)
	}
	if halted == nil {
		return nil // already halted; paged then
	}
	e.Metrics.Halted.WithLabelValues(a.Name, string(reason)).Set(1)
	e.Recorder.Eventf(a, nil, corev1.EventTypeWarning, string(reason), "Halt", "automation halted: %s", message)
	return e.page(ctx, a, reason, message, now)
}

// page pages a human about a halt and records when it did.
func (e *Engine) page(ctx context.Context, a *v1alpha1.Automation, reason policy.Reason, message string, now time.Time) error {
	alert := pager.Alert{
		Labels: map[string]string{
			"alertname":  "InterlockRemediatorBudgetExhausted",
			"automation": a.Name,
			"namespace":  a.Namespace,
			"reason":     string(reason),
			"severity":   "page",
		},
		Annotations: map[string]string{
			"summary":     fmt.Sprintf("Automation %s halted itself: %s", a.Name, reason),
			"description": message,
			"resume":      "interlock resume " + a.Name,
			"runbook_url": PageRunbook,
		},
		StartsAt: now,
	}
	if err := e.Pager.Page(ctx, alert); err != nil {
		e.Metrics.PagesSent.WithLabelValues(a.Name, metrics.OutcomeFailed).Inc()
		e.Recorder.Eventf(a, nil, corev1.EventTypeWarning, "PageFailed", "Page", "failed to page: %v", err)
		return nil
	}
	e.Metrics.PagesSent.WithLabelValues(a.Name, metrics.OutcomeSucceeded).Inc()
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var cur v1alpha1.Automation
		if err := e.Client.Get(ctx, client.ObjectKeyFromObject(a), &cur); err != nil {
			return err
		}
		cur.Status.PagedAt = &metav1.Time{Time: e.Clock.Now()}
		return e.Client.Status().Update(ctx, &cur)
	})
}
