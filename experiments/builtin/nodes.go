package builtin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	kwokv1alpha1 "sigs.k8s.io/kwok/pkg/apis/v1alpha1"

	"github.com/interlock-dev/interlock/experiments"
)

// heldFor is the lease duration a heartbeat-loss fault writes: long enough
// that kwok never sees the lease expire and takes it back while the fault
// lasts.
const heldFor = 7 * 24 * 3600

// selectNodes lists the nodes the selector matches and picks the mode's
// share of them, in name order.
func (i *Injector) selectNodes(ctx context.Context, c *experiments.NodeChaos) ([]string, error) {
	sel := labels.SelectorFromSet(c.Spec.Selector.LabelSelectors)
	list, err := i.cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, fmt.Errorf("failed to list nodes: %w", err)
	}
	have := map[string]bool{}
	for _, n := range list.Items {
		if n.DeletionTimestamp == nil {
			have[n.Name] = true
		}
	}
	var candidates []string
	if len(c.Spec.Selector.Nodes) > 0 {
		for _, name := range c.Spec.Selector.Nodes {
			if !have[name] {
				return nil, fmt.Errorf("node %s does not exist or does not match the label selectors %q", name, sel)
			}
			candidates = append(candidates, name)
		}
	} else {
		for name := range have {
			candidates = append(candidates, name)
		}
	}
	slices.Sort(candidates)
	candidates = slices.Compact(candidates)
	n := experiments.SelectCount(c.Spec.Mode, c.Spec.Value, len(candidates))
	if n == 0 {
		return nil, fmt.Errorf("no node matches the selector")
	}
	return candidates[:n], nil
}

func (i *Injector) injectNodeChaos(ctx context.Context, fault string, c *experiments.NodeChaos) (experiments.Effect, error) {
	nodes, err := i.selectNodes(ctx, c)
	if err != nil {
		return experiments.Effect{}, err
	}
	eff := experiments.Effect{Selector: labels.Everything(), Nodes: nodes}
	plan := planNodeFault(fault, c, listNames(nodes), &eff)
	if err := i.createStages(ctx, plan.stages...); err != nil {
		return experiments.Effect{}, err
	}
	// A zone of hundreds of nodes goes down at once, not one node after
	// another over seconds.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(nodeWriters)
	for _, n := range nodes {
		g.Go(func() error {
			if err := i.setLabel(gctx, i.nodePatcher(), n, Marker(fault), new(markerActive)); err != nil {
				return err
			}
			if c.Spec.Action == experiments.NodeHeartbeatLossAction {
				return i.takeLease(gctx, fault, n)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return experiments.Effect{}, err
	}
	if plan.shows != nil {
		if err := i.settle(ctx, fault, nodesShowing(i, nodes, plan.shows)); err != nil {
			return experiments.Effect{}, err
		}
	}
	return eff, nil
}

// nodeWriters is how many nodes a node fault marks at once.
const nodeWriters = 32

// nodePlan is how a node fault shows: the stages kwok plays, and how to
// tell that it shows on a node (nil if the fault needs no stage to show).
type nodePlan struct {
	stages []stage
	shows  func(*corev1.Node) bool
}

// planNodeFault is the plan of c's action on the nodes named in names,
// and fills in eff's description and what the fault breaks.
func planNodeFault(fault string, c *experiments.NodeChaos, names string, eff *experiments.Effect) nodePlan {
	reason, message := "InterlockFault", fmt.Sprintf("injected by interlock fault %s", fault)
	active := []kwokv1alpha1.MatchExpression{markerIs(fault, markerActive, markerNudged)}
	switch c.Spec.Action {
	case experiments.NodeNotReadyAction:
		eff.TrulyBroken, eff.LooksBroken = true, true
		eff.Description = fmt.Sprintf("node(s) %s report Ready=False: the kubelet is up and says the node cannot run pods", names)
		return nodePlan{
			stages: []stage{recoverNodesStage(fault), nodeConditionStage(fault, "not-ready", active, 0,
				statusStep(nodeConditionTemplate("Ready", "False", reason, message)))},
			shows: nodeConditionIs(corev1.NodeReady, corev1.ConditionFalse),
		}
	case experiments.NodeConditionAction:
		cond := *c.Spec.Condition
		cond.Status = cmp.Or(cond.Status, corev1.ConditionTrue)
		cond.Reason = cmp.Or(cond.Reason, reason)
		cond.Message = cmp.Or(cond.Message, message)
		eff.LooksBroken = true
		eff.Description = fmt.Sprintf("node(s) %s report %s=%s; their pods keep running", names, cond.Type, cond.Status)
		return nodePlan{
			stages: []stage{recoverNodesStage(fault), nodeConditionStage(fault, "condition", active, 0,
				statusStep(nodeConditionTemplate(string(cond.Type), string(cond.Status), cond.Reason, cond.Message)))},
			shows: nodeConditionIs(cond.Type, cond.Status),
		}
	case experiments.NodeFlapAction:
		period := c.Spec.Period.Duration
		eff.LooksBroken = true
		eff.Description = fmt.Sprintf("node(s) %s flap between Ready=False and Ready=True every %s; their pods keep running", names, period)
		return nodePlan{
			stages: flapStages(fault, period, message),
			shows:  func(n *corev1.Node) bool { return n.Labels[Marker(fault)] == markerFlapping },
		}
	case experiments.NodeHeartbeatLossAction:
		eff.TrulyBroken, eff.LooksBroken = true, true
		eff.Description = fmt.Sprintf("node(s) %s stop their heartbeat (lease not renewed, kubelet silent): the node lifecycle controller marks them Ready=Unknown after its grace period", names)
		// kwok brings the node back through this stage once it holds the
		// node's lease again.
		return nodePlan{stages: []stage{recoverNodesStage(fault)}}
	}
	return nodePlan{}
}

// flapStages start a node NotReady at once, then alternate it between
// NotReady and Ready every period.
func flapStages(fault string, period time.Duration, message string) []stage {
	down := statusStep(nodeConditionTemplate("Ready", "False", "InterlockFlap", message))
	up := statusStep(nodeConditionTemplate("Ready", "True", "KubeletReady", "kubelet is posting ready status"))
	flapDown := nodeConditionStage(fault, "flap-down", []kwokv1alpha1.MatchExpression{markerIs(fault, markerFlapping), nodeReadyIs(kwokv1alpha1.SelectorOpNotIn, "False")}, period, down)
	flapUp := nodeConditionStage(fault, "flap-up", []kwokv1alpha1.MatchExpression{markerIs(fault, markerFlapping), nodeReadyIs(kwokv1alpha1.SelectorOpIn, "False")}, period, up)
	flapDown.delayFrom, flapUp.delayFrom = readyFor(period), readyFor(period)
	return []stage{
		recoverNodesStage(fault),
		nodeConditionStage(fault, "flap-start", []kwokv1alpha1.MatchExpression{markerIs(fault, markerActive, markerNudged)}, 0,
			labelStep(Marker(fault), new(markerFlapping)), down),
		flapDown,
		flapUp,
	}
}

// listNames names nodes or pods for a description: every one of a few, the
// first few and how many in all of many.
func listNames(names []string) string {
	const few = 4
	if len(names) <= few {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more (%d in all)", strings.Join(names[:few-1], ", "), len(names)-few+1, len(names))
}

// markerFlapping is the marker of a node that flaps.
const markerFlapping = "flapping"

// takeLease stops the node's heartbeat: the fault takes the node's Lease
// over for a long time, with one last renewal now. kwok renews only a lease
// it holds, and plays no stage for a node whose lease it does not hold, so
// the node falls silent like a dead kubelet: the node lifecycle controller
// sees the renew time stand still from now on. (The last renewal matters:
// kube-controller-manager's lease circuit breaker distrusts a lease that
// changed without being renewed, and would wait for its cache to catch up.)
func (i *Injector) takeLease(ctx context.Context, fault, node string) error {
	leases := i.cs.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		l, err := leases.Get(ctx, node, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("node %s has no lease in %s: its heartbeat is not lease-based", node, corev1.NamespaceNodeLease)
		}
		if err != nil {
			return err
		}
		if l.Labels == nil {
			l.Labels = map[string]string{}
		}
		l.Labels[Marker(fault)] = markerActive
		l.Spec.HolderIdentity = new(HolderPrefix + fault)
		l.Spec.LeaseDurationSeconds = new(int32(heldFor))
		l.Spec.RenewTime = new(metav1.NewMicroTime(time.Now()))
		_, err = leases.Update(ctx, l, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return fmt.Errorf("failed to take the lease of node %s: %w", node, err)
	}
	return nil
}

// releaseLeases deletes the leases the fault took. kwok creates a new one
// at its next try, takes the node back, and replays its pods.
func (i *Injector) releaseLeases(ctx context.Context, fault string, leases []coordinationv1.Lease) error {
	var errs []error
	for _, l := range leases {
		if l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity != HolderPrefix+fault {
			// Someone holds it again: just drop the marker.
			if err := i.unlabelLease(ctx, fault, l.Name); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		err := i.cs.CoordinationV1().Leases(l.Namespace).Delete(ctx, l.Name, metav1.DeleteOptions{
			Preconditions: &metav1.Preconditions{UID: &l.UID, ResourceVersion: &l.ResourceVersion},
		})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("failed to release the lease of node %s: %w", l.Name, err))
		}
	}
	return errors.Join(errs...)
}

func (i *Injector) unlabelLease(ctx context.Context, fault, name string) error {
	_, err := i.cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).Patch(ctx, name, types.MergePatchType, labelPatch(Marker(fault), nil), metav1.PatchOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("failed to unlabel lease %s: %w", name, err)
	}
	return nil
}

// readyPodsOnNodes makes the pods on the nodes Ready again where the node
// lifecycle controller marked them not ready while their node was not:
// kwok, unlike a kubelet, does not report readiness again once its node
// recovers. Pods another fault marked, and pods whose containers do not
// all run, are left alone.
func (i *Injector) readyPodsOnNodes(ctx context.Context, nodes []string) error {
	var errs []error
	for _, node := range nodes {
		list, err := i.cs.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + node})
		if err != nil {
			errs = append(errs, fmt.Errorf("failed to list pods on node %s: %w", node, err))
			continue
		}
		for _, p := range list.Items {
			if !needsReady(&p) {
				continue
			}
			err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
				cur, err := i.cs.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
				if err != nil {
					return err
				}
				if !needsReady(cur) {
					return nil
				}
				now := metav1.Now()
				for j := range cur.Status.Conditions {
					c := &cur.Status.Conditions[j]
					if c.Type == corev1.PodReady || c.Type == corev1.ContainersReady {
						c.Status, c.Reason, c.Message, c.LastTransitionTime = corev1.ConditionTrue, "", "", now
					}
				}
				for j := range cur.Status.ContainerStatuses {
					cur.Status.ContainerStatuses[j].Ready = true
				}
				_, err = i.cs.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, cur, metav1.UpdateOptions{})
				return err
			})
			if err != nil && !apierrors.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("failed to make pod %s/%s ready again: %w", p.Namespace, p.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

func needsReady(p *corev1.Pod) bool {
	if p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning || hasMarker(p.Labels) {
		return false
	}
	if len(p.Status.ContainerStatuses) == 0 {
		return false
	}
	for _, cs := range p.Status.ContainerStatuses {
		if cs.State.Running == nil {
			return false
		}
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status != corev1.ConditionTrue
		}
	}
	return false
}

func hasMarker(l map[string]string) bool {
	for k := range l {
		if strings.HasPrefix(k, MarkerPrefix) {
			return true
		}
	}
	return false
}
