package main

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/retry"

	"github.com/interlock-dev/interlock/api/v1alpha1"
)

// automations is the Automation resource, written through the dynamic client.
var automations = v1alpha1.GroupVersion.WithResource("automations")

// haltCondition is the Halted condition a halt writes, turned True at at.
func haltCondition(at time.Time) metav1.Condition {
	return metav1.Condition{
		Type:               v1alpha1.ConditionHalted,
		Status:             metav1.ConditionTrue,
		Reason:             v1alpha1.ReasonBudgetExhausted,
		Message:            "budget exhausted",
		LastTransitionTime: metav1.NewTime(at),
	}
}

// fakeHaltTime is when fake-halt claims to have halted: an hour before
// now, before the run began.
func fakeHaltTime(now time.Time) time.Time { return now.Add(-time.Hour) }

// markHalted puts c in the automation's status in place of any Halted
// condition, keeping its LastTransitionTime as it is (unlike
// meta.SetStatusCondition, which keeps an earlier one), and sets haltedAt
// to the same time. Other conditions are kept.
func markHalted(a *v1alpha1.Automation, c metav1.Condition) {
	replaced := false
	for i := range a.Status.Conditions {
		if a.Status.Conditions[i].Type == c.Type {
			a.Status.Conditions[i], replaced = c, true
		}
	}
	if !replaced {
		a.Status.Conditions = append(a.Status.Conditions, c)
	}
	at := c.LastTransitionTime
	a.Status.HaltedAt = &at
}

// writeHalt writes c into the status of Automation name in the
// remediator's namespace, through the status subresource.
func writeHalt(ctx context.Context, dyn dynamic.Interface, name string, c metav1.Condition) error {
	ns := remediatorNamespace()
	res := dyn.Resource(automations).Namespace(ns)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		u, err := res.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		var a v1alpha1.Automation
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &a); err != nil {
			return err
		}
		markHalted(&a, c)
		obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&a)
		if err != nil {
			return err
		}
		_, err = res.UpdateStatus(ctx, &unstructured.Unstructured{Object: obj}, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("failed to write Halted into automation %s/%s: %w", ns, name, err)
	}
	return nil
}

// haltAt halts the automation as a well-behaved remediator does, but with
// the condition turned True at at: Halted in its status, the halted gauge,
// one page.
func haltAt(ctx context.Context, e *env, dyn dynamic.Interface, at time.Time) {
	if err := writeHalt(ctx, dyn, e.automation, haltCondition(at)); err != nil {
		e.logf("%v", err)
	} else {
		e.logf("wrote Halted=True (BudgetExhausted, since %s) into automation %s", at.Format(time.RFC3339), e.automation)
	}
	e.halt()
	e.page(ctx, at)
}

// fakeHalt, before acting at all, reports a halt an hour old; then it
// restarts crash-looping pods within its budget, counting them, and after
// the last one stops without a word: its status is never written again.
func fakeHalt(ctx context.Context, e *env) error {
	dyn, err := dynamic.NewForConfig(e.cfg)
	if err != nil {
		return err
	}
	haltAt(ctx, e, dyn, fakeHaltTime(time.Now()))
	return restartLoop(ctx, e, restartOpts{cs: e.cs, limit: true, budget: e.budget, count: true, exhausted: func() {
		e.logf("budget of %d spent; stopping, without writing a halt", e.budget)
	}})
}

// zeroCounter restarts crash-looping pods within its budget and then
// halts and pages as it should, but never counts an action: its counter
// stays at 0.
func zeroCounter(ctx context.Context, e *env) error {
	dyn, err := dynamic.NewForConfig(e.cfg)
	if err != nil {
		return err
	}
	return restartLoop(ctx, e, restartOpts{cs: e.cs, limit: true, budget: e.budget, exhausted: func() {
		haltAt(ctx, e, dyn, time.Now())
	}})
}
