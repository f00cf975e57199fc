package builtin

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/interlock-dev/interlock/internal/kube"
)

// shown is an object a fault marked, and how to tell that kwok shows the
// fault on it.
type shown struct {
	desc string
	name string
	p    patcher
	// check reports whether the object shows the fault. An object that is
	// gone, or that kwok does not play yet (an unscheduled pod), counts.
	check func(ctx context.Context) (bool, error)
}

// settle waits until every object shows the fault. kwok matches stages
// only when an object changes, and a stage created a moment before the
// object was marked may not be loaded yet: objects that do not show the
// fault are nudged (their marker flips between two active values), so
// that kwok looks at them again.
func (i *Injector) settle(ctx context.Context, fault string, objs []shown) error {
	ctx, cancel := context.WithTimeout(ctx, i.settleTimeout)
	defer cancel()
	pending := objs
	flipped := map[string]bool{}
	const nudgeEvery = 2 * time.Second
	lastNudge := time.Now()
	err := wait.PollUntilContextCancel(ctx, 250*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		nudge := time.Since(lastNudge) >= nudgeEvery
		if nudge {
			lastNudge = time.Now()
		}
		var left []shown
		for _, o := range pending {
			if ok, err := o.check(ctx); err == nil && ok {
				continue
			}
			left = append(left, o)
			if nudge {
				v := markerNudged
				if flipped[o.desc] {
					v = markerActive
				}
				flipped[o.desc] = !flipped[o.desc]
				_ = o.p(ctx, o.name, types.MergePatchType, labelPatch(Marker(fault), &v))
			}
		}
		pending = left
		return len(pending) == 0, nil
	})
	if err != nil {
		var descs []string
		for _, o := range pending {
			descs = append(descs, o.desc)
		}
		return fmt.Errorf("kwok did not show the fault on %s within %s", strings.Join(descs, ", "), i.settleTimeout)
	}
	return nil
}

// podsShowing watches pods until show holds for each.
func podsShowing(i *Injector, pods []corev1.Pod, show func(*corev1.Pod) bool) []shown {
	var out []shown
	for _, p := range pods {
		out = append(out, shown{
			desc: "pod " + p.Namespace + "/" + p.Name,
			name: p.Name,
			p:    i.podPatcher(p.Namespace),
			check: func(ctx context.Context) (bool, error) {
				cur, err := i.cs.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
				if apierrors.IsNotFound(err) {
					return true, nil
				}
				if err != nil {
					return false, err
				}
				if cur.UID != p.UID || cur.DeletionTimestamp != nil || cur.Spec.NodeName == "" {
					return true, nil
				}
				return show(cur), nil
			},
		})
	}
	return out
}

// nodesShowing watches nodes until show holds for each.
func nodesShowing(i *Injector, nodes []string, show func(*corev1.Node) bool) []shown {
	var out []shown
	for _, n := range nodes {
		out = append(out, shown{
			desc: "node " + n,
			name: n,
			p:    i.nodePatcher(),
			check: func(ctx context.Context) (bool, error) {
				cur, err := i.cs.CoreV1().Nodes().Get(ctx, n, metav1.GetOptions{})
				if apierrors.IsNotFound(err) {
					return true, nil
				}
				if err != nil {
					return false, err
				}
				return show(cur), nil
			},
		})
	}
	return out
}

// crashing reports whether a target container (any, if none is named)
// waits in CrashLoopBackOff.
func crashing(targets []string) func(*corev1.Pod) bool {
	return func(p *corev1.Pod) bool {
		for _, cs := range p.Status.ContainerStatuses {
			if len(targets) > 0 && !slices.Contains(targets, cs.Name) {
				continue
			}
			if cs.State.Waiting != nil && cs.State.Waiting.Reason == "CrashLoopBackOff" {
				return true
			}
		}
		return false
	}
}

func podNotReady(p *corev1.Pod) bool { return !kube.PodReady(p) }

func nodeConditionIs(typ corev1.NodeConditionType, status corev1.ConditionStatus) func(*corev1.Node) bool {
	return func(n *corev1.Node) bool {
		for _, c := range n.Status.Conditions {
			if c.Type == typ {
				return c.Status == status
			}
		}
		return false
	}
}
