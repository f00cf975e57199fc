package controllers

import (
	"context"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/engine"
)

// scopeOf reports whether obj is in an automation's scope: its namespaces
// (the automation's own when none are listed) and its label selector.
func scopeOf(a *v1alpha1.Automation, namespaced bool, ns string, lbls map[string]string) bool {
	if namespaced {
		nss := a.Spec.Namespaces
		if len(nss) == 0 {
			nss = []string{a.Namespace}
		}
		found := false
		for _, n := range nss {
			if n == ns {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return selectorOf(a).Matches(labels.Set(lbls))
}

// selectorOf is the automation's label selector, to parse once for a loop
// over many objects: everything when it has none, nothing when it does
// not parse.
func selectorOf(a *v1alpha1.Automation) labels.Selector {
	if a.Spec.Selector == nil {
		return labels.Everything()
	}
	sel, err := metav1.LabelSelectorAsSelector(a.Spec.Selector)
	if err != nil {
		return labels.Nothing()
	}
	return sel
}

// key names a target: namespace/name, or name for a cluster-scoped one.
func key(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

// splitKey is the inverse of key.
func splitKey(k string) types.NamespacedName {
	if ns, name, ok := strings.Cut(k, "/"); ok {
		return types.NamespacedName{Namespace: ns, Name: name}
	}
	return types.NamespacedName{Name: k}
}

// proposalsFor enqueues the target of a proposal filed by an automation of
// type t when the proposal changes, so an approval is acted on at once.
func proposalsFor(e *engine.Engine, t v1alpha1.AutomationType) handler.EventHandler {
	return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
		p, ok := o.(*v1alpha1.RemediationProposal)
		if !ok || p.Approval == nil {
			return nil
		}
		var a v1alpha1.Automation
		if err := e.Client.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: p.Spec.Automation}, &a); err != nil || a.Spec.Type != t {
			return nil
		}
		return []reconcile.Request{{NamespacedName: splitKey(p.Spec.Target)}}
	})
}

// earliest merges two reconcile results, keeping the sooner requeue.
func earliest(a, b ctrl.Result) ctrl.Result {
	switch {
	case a.RequeueAfter == 0:
		return b
	case b.RequeueAfter == 0:
		return a
	case b.RequeueAfter < a.RequeueAfter:
		return b
	}
	return a
}
