package builtin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/internal/kube"
)

// footprint is everything a fault left in the cluster.
type footprint struct {
	stages  []unstructured.Unstructured
	pods    []corev1.Pod
	nodes   []corev1.Node
	secrets []corev1.Secret
	leases  []coordinationv1.Lease
}

func (fp *footprint) empty() bool {
	return len(fp.stages)+len(fp.pods)+len(fp.nodes)+len(fp.secrets)+len(fp.leases) == 0
}

func (fp *footprint) String() string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(len(fp.stages), "stage(s)")
	add(len(fp.pods), "pod(s)")
	add(len(fp.nodes), "node(s)")
	add(len(fp.secrets), "secret(s)")
	add(len(fp.leases), "lease(s)")
	return strings.Join(parts, ", ")
}

// footprint finds what the fault left: its stages by FaultLabel, the
// objects it changed by its marker.
func (i *Injector) footprint(ctx context.Context, fault string) (*footprint, error) {
	fp := &footprint{}
	stages, err := i.dc.Resource(stageGVR).List(ctx, metav1.ListOptions{LabelSelector: FaultLabel + "=" + fault})
	if err != nil {
		return nil, fmt.Errorf("failed to list stages: %w", err)
	}
	fp.stages = stages.Items
	marked := metav1.ListOptions{LabelSelector: Marker(fault)}
	pods, err := i.cs.CoreV1().Pods(metav1.NamespaceAll).List(ctx, marked)
	if err != nil {
		return nil, fmt.Errorf("failed to list pods: %w", err)
	}
	fp.pods = pods.Items
	nodes, err := i.cs.CoreV1().Nodes().List(ctx, marked)
	if err != nil {
		return nil, fmt.Errorf("failed to list nodes: %w", err)
	}
	fp.nodes = nodes.Items
	secrets, err := i.cs.CoreV1().Secrets(metav1.NamespaceAll).List(ctx, marked)
	if err != nil {
		return nil, fmt.Errorf("failed to list secrets: %w", err)
	}
	fp.secrets = secrets.Items
	leases, err := i.cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).List(ctx, marked)
	if err != nil {
		return nil, fmt.Errorf("failed to list leases: %w", err)
	}
	fp.leases = leases.Items
	return fp, nil
}

// Recover takes the fault back, found in the cluster by its name: it stops
// its stages, brings its pods and nodes back to health, gives back node
// leases and restores certificates, then removes its recovery stages. It
// returns once its pods and nodes are back, or after RecoverTimeout; pods
// not back by then are deleted so that their controllers replace them. It
// is idempotent, and a fault never injected has nothing to recover.
func (i *Injector) Recover(ctx context.Context, f experiments.Fault) error {
	if msgs := validation.IsDNS1123Label(f.Name); len(msgs) > 0 {
		return fmt.Errorf("failed to recover fault %q: invalid name: %s", f.Name, strings.Join(msgs, "; "))
	}
	if err := i.recover(ctx, f.Name); err != nil {
		return fmt.Errorf("failed to recover fault %q: %w", f.Name, err)
	}
	return nil
}

// RecoverAll recovers every fault found in the cluster: every name on a
// Stage's FaultLabel and in a marker on a pod, node, secret or lease. It
// cleans up after a run that was interrupted before it could recover its
// faults, whichever injector (or process) injected them.
func (i *Injector) RecoverAll(ctx context.Context) error {
	names, err := i.faultsInCluster(ctx)
	if err != nil {
		return fmt.Errorf("failed to find faults to recover: %w", err)
	}
	var errs []error
	for _, name := range names {
		if err := i.recover(ctx, name); err != nil {
			errs = append(errs, fmt.Errorf("failed to recover fault %q: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// faultsInCluster lists the names of the faults that left something.
func (i *Injector) faultsInCluster(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	stages, err := i.dc.Resource(stageGVR).List(ctx, metav1.ListOptions{LabelSelector: FaultLabel})
	if err != nil {
		return nil, fmt.Errorf("failed to list stages: %w", err)
	}
	for _, s := range stages.Items {
		seen[s.GetLabels()[FaultLabel]] = true
	}
	fromLabels := func(l map[string]string) {
		for k := range l {
			if name, ok := strings.CutPrefix(k, MarkerPrefix); ok {
				seen[name] = true
			}
		}
	}
	pods, err := i.cs.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("failed to list pods: %w", err)
	}
	for _, p := range pods.Items {
		fromLabels(p.Labels)
	}
	nodes, err := i.cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("failed to list nodes: %w", err)
	}
	for _, n := range nodes.Items {
		fromLabels(n.Labels)
	}
	secrets, err := i.cs.CoreV1().Secrets(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("failed to list secrets: %w", err)
	}
	for _, s := range secrets.Items {
		fromLabels(s.Labels)
	}
	leases, err := i.cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("failed to list leases: %w", err)
	}
	for _, l := range leases.Items {
		fromLabels(l.Labels)
	}
	var names []string
	for name := range seen {
		if len(validation.IsDNS1123Label(name)) == 0 {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names, nil
}

func (i *Injector) recover(ctx context.Context, fault string) error {
	fp, err := i.footprint(ctx, fault)
	if err != nil {
		return err
	}
	if fp.empty() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, i.recoverTimeout)
	defer cancel()

	// 1. Stop the fault: no stage of it but the recovery ones stays.
	var errs []error
	recoverPods, recoverNodes := false, false
	for _, s := range fp.stages {
		switch s.GetLabels()[RoleLabel] {
		case roleRecoverPods:
			recoverPods = true
		case roleRecoverNodes:
			recoverNodes = true
		default:
			if err := i.deleteStage(ctx, s.GetName()); err != nil {
				errs = append(errs, err)
			}
		}
	}
	// 2. Give the nodes' heartbeat back, and the certificates.
	if err := i.releaseLeases(ctx, fault, fp.leases); err != nil {
		errs = append(errs, err)
	}
	for _, s := range fp.secrets {
		if err := i.restoreSecret(ctx, fault, s); err != nil {
			errs = append(errs, err)
		}
	}
	// 3. Bring pods and nodes back: through the recovery stage where the
	// fault changed their status, else by dropping the marker.
	var nodes []string
	for _, n := range fp.nodes {
		nodes = append(nodes, n.Name)
	}
	for _, l := range fp.leases {
		if !slices.Contains(nodes, l.Name) {
			nodes = append(nodes, l.Name)
		}
	}
	if err := i.bringBack(ctx, fault, podObjects(i, fp.pods), recoverPods); err != nil {
		errs = append(errs, err)
	}
	if err := i.bringBack(ctx, fault, nodeObjects(i, fp.nodes), recoverNodes); err != nil {
		errs = append(errs, err)
	}
	// 4. Pods the node lifecycle controller marked not ready.
	if len(nodes) > 0 {
		if err := i.readyPodsOnNodes(ctx, nodes); err != nil {
			errs = append(errs, err)
		}
	}
	// 5. The recovery stages are done.
	for _, s := range fp.stages {
		if r := s.GetLabels()[RoleLabel]; r == roleRecoverPods || r == roleRecoverNodes {
			if err := i.deleteStage(context.WithoutCancel(ctx), s.GetName()); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// marked is a pod or node a fault marked, as bringBack handles it.
type marked struct {
	desc string
	name string
	p    patcher
	// direct objects lose their marker at once: kwok plays no stage for
	// them (a pod not yet scheduled).
	direct bool
	// get returns the object's labels and whether it is back to health;
	// found false once it is gone.
	get func(ctx context.Context) (labels map[string]string, healthy, found bool, err error)
	// fallback replaces or cleans up an object that did not come back.
	fallback func(ctx context.Context) error
}

func podObjects(i *Injector, pods []corev1.Pod) []marked {
	var out []marked
	for _, p := range pods {
		pods := i.cs.CoreV1().Pods(p.Namespace)
		out = append(out, marked{
			desc:   "pod " + p.Namespace + "/" + p.Name,
			name:   p.Name,
			p:      i.podPatcher(p.Namespace),
			direct: p.Spec.NodeName == "",
			get: func(ctx context.Context) (map[string]string, bool, bool, error) {
				cur, err := pods.Get(ctx, p.Name, metav1.GetOptions{})
				if apierrors.IsNotFound(err) || (err == nil && (cur.UID != p.UID || cur.DeletionTimestamp != nil)) {
					// Gone, or going: its controller replaces it.
					return nil, true, false, nil
				}
				if err != nil {
					return nil, false, true, err
				}
				return cur.Labels, cur.Spec.NodeName == "" || kube.PodReady(cur), true, nil
			},
			fallback: func(ctx context.Context) error {
				err := pods.Delete(ctx, p.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &p.UID}})
				if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
					return fmt.Errorf("failed to delete pod %s/%s, which did not recover: %w", p.Namespace, p.Name, err)
				}
				return nil
			},
		})
	}
	return out
}

func nodeObjects(i *Injector, nodes []corev1.Node) []marked {
	var out []marked
	for _, n := range nodes {
		out = append(out, marked{
			desc: "node " + n.Name,
			name: n.Name,
			p:    i.nodePatcher(),
			get: func(ctx context.Context) (map[string]string, bool, bool, error) {
				cur, err := i.cs.CoreV1().Nodes().Get(ctx, n.Name, metav1.GetOptions{})
				if apierrors.IsNotFound(err) {
					return nil, true, false, nil
				}
				if err != nil {
					return nil, false, true, err
				}
				return cur.Labels, kube.NodeReady(cur), true, nil
			},
		})
	}
	return out
}

// bringBack recovers marked objects. With a recovery stage, each marker is
// set to recovering, and kwok's recovery stage brings the object back and
// removes the marker; objects that do not move are nudged (the marker
// flips between two recovering values, so kwok looks again), and those
// still not back at the deadline get their fallback. Without one the
// marker is just removed.
func (i *Injector) bringBack(ctx context.Context, fault string, objs []marked, viaStage bool) error {
	key := Marker(fault)
	var errs []error
	var pending []marked
	for _, o := range objs {
		if !viaStage || o.direct {
			if err := o.p(ctx, o.name, types.MergePatchType, labelPatch(key, nil)); err != nil && !apierrors.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("failed to unmark %s: %w", o.desc, err))
			}
			continue
		}
		if err := o.p(ctx, o.name, types.MergePatchType, labelPatch(key, new(markerRecovering))); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("failed to start recovering %s: %w", o.desc, err))
		}
		pending = append(pending, o)
	}
	if len(pending) == 0 {
		return errors.Join(errs...)
	}
	const nudgeEvery = 5 * time.Second
	lastNudge := time.Now()
	err := wait.PollUntilContextCancel(ctx, 500*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		nudge := time.Since(lastNudge) >= nudgeEvery
		if nudge {
			lastNudge = time.Now()
		}
		var left []marked
		for _, o := range pending {
			l, healthy, found, err := o.get(ctx)
			if err != nil {
				left = append(left, o)
				continue
			}
			v, has := l[key]
			if !found || (!has && healthy) {
				continue
			}
			left = append(left, o)
			if !nudge {
				continue
			}
			next := markerRecoveringAgain
			if v == markerRecoveringAgain {
				next = markerRecovering
			}
			if !has {
				// Unmarked but not healthy: the node lifecycle controller
				// or kwok may still be catching up; nothing to nudge.
				continue
			}
			_ = o.p(ctx, o.name, types.MergePatchType, labelPatch(key, &next))
		}
		pending = left
		return len(pending) == 0, nil
	})
	if err == nil {
		return errors.Join(errs...)
	}
	// Out of time: fall back on a fresh context, the old one is done.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var stuck []string
	for _, o := range pending {
		if o.fallback != nil {
			if ferr := o.fallback(fctx); ferr != nil {
				errs = append(errs, ferr)
			}
			continue
		}
		if perr := o.p(fctx, o.name, types.MergePatchType, labelPatch(key, nil)); perr != nil && !apierrors.IsNotFound(perr) {
			errs = append(errs, fmt.Errorf("failed to unmark %s: %w", o.desc, perr))
		}
		stuck = append(stuck, o.desc)
	}
	if len(stuck) > 0 {
		errs = append(errs, fmt.Errorf("%s did not come back to health within %s", strings.Join(stuck, ", "), i.recoverTimeout))
	}
	return errors.Join(errs...)
}
