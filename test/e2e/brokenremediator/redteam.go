package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// remediatorNamespace is the namespace of the remediator's ServiceAccount
// and Automations: INTERLOCK_NAMESPACE if the harness sets it, else
// interlock-system.
func remediatorNamespace() string {
	if ns := os.Getenv("INTERLOCK_NAMESPACE"); ns != "" {
		return ns
	}
	return "interlock-system"
}

// logf writes one line to stderr, prefixed with the mode.
func (e *env) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, e.mode+": "+format+"\n", args...)
}

// deploymentOf names the Deployment that owns the pod through its
// ReplicaSet, or "" if none does (or the ReplicaSet cannot be read).
func deploymentOf(ctx context.Context, cs kubernetes.Interface, p *corev1.Pod) string {
	rsRef := metav1.GetControllerOf(p)
	if rsRef == nil || rsRef.Kind != "ReplicaSet" {
		return ""
	}
	rs, err := cs.AppsV1().ReplicaSets(p.Namespace).Get(ctx, rsRef.Name, metav1.GetOptions{})
	if err != nil {
		return ""
	}
	if ref := metav1.GetControllerOf(rs); ref != nil && ref.Kind == "Deployment" {
		return ref.Name
	}
	return ""
}

// scaleToZero scales to zero replicas, once each, every Deployment whose
// pods have crashed for e.hold: the crash loop is "gone".
func scaleToZero(ctx context.Context, e *env) error {
	scaled := map[string]bool{}
	return tick(ctx, func() {
		for _, p := range crashingPods(ctx, e.cs, e.ns, e.hold) {
			name := deploymentOf(ctx, e.cs, p)
			if name == "" || scaled[p.Namespace+"/"+name] {
				continue
			}
			_, err := e.cs.AppsV1().Deployments(p.Namespace).Patch(ctx, name, types.MergePatchType,
				[]byte(`{"spec":{"replicas":0}}`), metav1.PatchOptions{})
			if err != nil {
				e.logf("failed to scale deployment %s/%s to zero: %v", p.Namespace, name, err)
				continue
			}
			scaled[p.Namespace+"/"+name] = true
			e.act()
			e.logf("scaled deployment %s/%s to zero replicas", p.Namespace, name)
		}
	})
}

// quarantineKey is the taint the taint mode puts on a crashing pod's node.
const quarantineKey = "interlock.dev/quarantine"

// quarantinePatch is the JSON merge patch that adds the NoExecute
// quarantine taint, with value, to the node, keeping its other taints, and
// carries the node's resourceVersion so that it fails rather than
// overwrite taints added since the node was read. It is nil, false if the
// node already has a quarantine NoExecute taint: a node has at most one
// taint per key and effect.
func quarantinePatch(n *corev1.Node, value string, now time.Time) ([]byte, bool, error) {
	for _, t := range n.Spec.Taints {
		if t.Key == quarantineKey && t.Effect == corev1.TaintEffectNoExecute {
			return nil, false, nil
		}
	}
	added := metav1.NewTime(now)
	taints := append(slices.Clone(n.Spec.Taints), corev1.Taint{
		Key: quarantineKey, Value: value, Effect: corev1.TaintEffectNoExecute, TimeAdded: &added,
	})
	patch := map[string]any{
		"metadata": map[string]any{"resourceVersion": n.ResourceVersion},
		"spec":     map[string]any{"taints": taints},
	}
	b, err := json.Marshal(patch)
	return b, err == nil, err
}

// taintNodes taints with quarantineKey=POD:NoExecute the node of each pod
// that has crashed for e.hold, one node per tick, at most e.budget taints,
// and never removes a taint. It does not cordon.
func taintNodes(ctx context.Context, e *env) error {
	used := 0
	return tick(ctx, func() {
		if used >= e.budget {
			return
		}
		for _, p := range crashingPods(ctx, e.cs, e.ns, e.hold) {
			if p.Spec.NodeName == "" {
				continue
			}
			n, err := e.cs.CoreV1().Nodes().Get(ctx, p.Spec.NodeName, metav1.GetOptions{})
			if err != nil {
				continue
			}
			patch, ok, err := quarantinePatch(n, p.Name, time.Now())
			if err != nil || !ok {
				continue
			}
			if _, err := e.cs.CoreV1().Nodes().Patch(ctx, n.Name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
				e.logf("failed to taint node %s: %v", n.Name, err)
				return
			}
			used++
			e.act()
			e.logf("tainted node %s with %s=%s:NoExecute (%d of %d)", n.Name, quarantineKey, p.Name, used, e.budget)
			return
		}
	})
}

// canarySecret is the Secret the forbidden-loop mode tries to delete.
const canarySecret = "interlock-canary"

// forbiddenAttempts caps the forbidden-loop mode's requests, in all.
const forbiddenAttempts = 20000

// forbiddenLoop takes no action, but while a pod has crashed for e.hold it
// retries, with no backoff and no client-side rate limit, two requests its
// RBAC forbids: deleting the canary Secret in its own namespace and
// deleting the crashing pod's node. It gives up after forbiddenAttempts
// requests in all.
func forbiddenLoop(ctx context.Context, e *env) error {
	cfg := rest.CopyConfig(e.cfg)
	cfg.QPS = -1 // no client-side rate limiter: as fast as it can
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	own := remediatorNamespace()
	attempts, refused := 0, 0
	var firstSecret, firstNode, firstOther bool
	note := func(what string, err error, first *bool) {
		if ctx.Err() != nil {
			return // stopping: not an attempt
		}
		attempts++
		switch {
		case err == nil:
			e.logf("%s was allowed (attempt %d): its RBAC is wider than it should be", what, attempts)
		case apierrors.IsForbidden(err):
			refused++
			if !*first {
				*first = true
				e.logf("%s refused (attempt %d): %v", what, attempts, err)
			}
		case !firstOther:
			firstOther = true
			e.logf("%s failed other than by a refusal (attempt %d): %v", what, attempts, err)
		}
	}
	lastLog := time.Now()
	defer func() { e.logf("%d forbidden requests attempted in all (%d refused)", attempts, refused) }()
	return tick(ctx, func() {
		if attempts >= forbiddenAttempts {
			return
		}
		crashing := crashingPods(ctx, e.cs, e.ns, e.hold)
		if len(crashing) == 0 {
			return
		}
		node := crashing[0].Spec.NodeName
		// A burst of a second, then the next tick looks again whether any
		// pod still crashes.
		start := time.Now()
		for attempts < forbiddenAttempts && ctx.Err() == nil && time.Since(start) < time.Second {
			err := cs.CoreV1().Secrets(own).Delete(ctx, canarySecret, metav1.DeleteOptions{})
			note("delete secret "+own+"/"+canarySecret, err, &firstSecret)
			if node != "" && attempts < forbiddenAttempts {
				err := cs.CoreV1().Nodes().Delete(ctx, node, metav1.DeleteOptions{})
				note("delete node "+node, err, &firstNode)
			}
		}
		switch {
		case attempts >= forbiddenAttempts:
			e.logf("%d forbidden requests attempted (%d refused): giving up", attempts, refused)
		case time.Since(lastLog) >= 5*time.Second:
			e.logf("%d forbidden requests attempted so far (%d refused)", attempts, refused)
			lastLog = time.Now()
		}
	})
}

// inert does nothing but serve its metrics until ctx ends.
func inert(ctx context.Context) error {
	<-ctx.Done()
	return nil
}
