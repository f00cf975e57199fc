package builtin

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	kwokv1alpha1 "sigs.k8s.io/kwok/pkg/apis/v1alpha1"

	"github.com/interlock-dev/interlock/experiments"
)

// podTargets are the pods a Chaos Mesh pod selector chose.
type podTargets struct {
	namespace string
	selector  labels.Selector
	// chosen are the pods the mode picked; candidates every pod that matched.
	chosen, candidates []corev1.Pod
}

func (t *podTargets) names() []string {
	names := make([]string, len(t.chosen))
	for i, p := range t.chosen {
		names[i] = p.Name
	}
	return names
}

// list names the chosen pods for a description.
func (t *podTargets) list() string { return listNames(t.names()) }

func (t *podTargets) candidateNames() []string {
	names := make([]string, len(t.candidates))
	for i, p := range t.candidates {
		names[i] = p.Name
	}
	return names
}

// selectPods lists the live pods the selector matches and picks the mode's
// share of them, in name order, so that a run can be repeated.
func (i *Injector) selectPods(ctx context.Context, ps *chaosv1alpha1.PodSelector, objNamespace string) (*podTargets, error) {
	t := &podTargets{namespace: experiments.PodNamespace(ps, objNamespace)}
	var err error
	if t.selector, err = experiments.PodLabelSelector(ps); err != nil {
		return nil, err
	}
	list, err := i.cs.CoreV1().Pods(t.namespace).List(ctx, metav1.ListOptions{LabelSelector: t.selector.String()})
	if err != nil {
		return nil, fmt.Errorf("failed to list pods in %s: %w", t.namespace, err)
	}
	for _, p := range list.Items {
		if p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		t.candidates = append(t.candidates, p)
	}
	slices.SortFunc(t.candidates, func(a, b corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
	n := experiments.SelectCount(ps.Mode, ps.Value, len(t.candidates))
	if n == 0 {
		return nil, fmt.Errorf("no live pod in namespace %s matches %q", t.namespace, t.selector)
	}
	t.chosen = t.candidates[:n]
	return t, nil
}

// markerSelector selects the pods a fault marked among those sel selects.
func markerSelector(sel labels.Selector, fault string) labels.Selector {
	req, _ := labels.NewRequirement(Marker(fault), selection.Exists, nil)
	return sel.Add(*req)
}

// stageLabelMatch turns a pod selector into a Stage's matchLabels and JQ
// expressions.
func stageLabelMatch(ps *chaosv1alpha1.PodSelector) (map[string]string, []kwokv1alpha1.MatchExpression) {
	var exprs []kwokv1alpha1.MatchExpression
	for _, r := range ps.Selector.ExpressionSelectors {
		key := labelKey(r.Key)
		switch r.Operator {
		case metav1.LabelSelectorOpIn:
			exprs = append(exprs, jq(key, kwokv1alpha1.SelectorOpIn, r.Values...))
		case metav1.LabelSelectorOpNotIn:
			exprs = append(exprs, jq(key, kwokv1alpha1.SelectorOpNotIn, r.Values...))
		case metav1.LabelSelectorOpExists:
			exprs = append(exprs, jq(key, kwokv1alpha1.SelectorOpExists))
		case metav1.LabelSelectorOpDoesNotExist:
			exprs = append(exprs, jq(key, kwokv1alpha1.SelectorOpDoesNotExist))
		}
	}
	return ps.Selector.LabelSelectors, exprs
}

// markPods sets the fault's marker on the pods.
func (i *Injector) markPods(ctx context.Context, fault string, pods []corev1.Pod) error {
	for _, p := range pods {
		if err := i.setLabel(ctx, i.podPatcher(p.Namespace), p.Name, Marker(fault), new(markerActive)); err != nil {
			if apierrors.IsNotFound(err) {
				continue
			}
			return err
		}
	}
	return nil
}

func (i *Injector) injectPodChaos(ctx context.Context, fault string, o *chaosv1alpha1.PodChaos) (experiments.Effect, error) {
	t, err := i.selectPods(ctx, &o.Spec.PodSelector, o.Namespace)
	if err != nil {
		return experiments.Effect{}, err
	}
	if o.Spec.Action == chaosv1alpha1.PodKillAction {
		return i.killPods(ctx, t, o.Spec.GracePeriod)
	}
	matchLabels, exprs := stageLabelMatch(&o.Spec.PodSelector)
	mark := markStage(fault, t.namespace, matchLabels, t.candidateNames())
	mark.exprs = append(mark.exprs, exprs...)
	if err := i.createStages(ctx,
		recoverPodsStage(fault),
		mark,
		podEffectStage(fault, podCrash, o.Spec.ContainerNames, i.crashPeriod),
	); err != nil {
		return experiments.Effect{}, err
	}
	if err := i.markPods(ctx, fault, t.chosen); err != nil {
		return experiments.Effect{}, err
	}
	if err := i.settle(ctx, fault, podsShowing(i, t.chosen, crashing(o.Spec.ContainerNames))); err != nil {
		return experiments.Effect{}, err
	}
	what := "every container"
	if len(o.Spec.ContainerNames) > 0 {
		what = "container " + strings.Join(o.Spec.ContainerNames, ", ")
	}
	return experiments.Effect{
		Namespace:   t.namespace,
		Selector:    markerSelector(t.selector, fault),
		TrulyBroken: true,
		LooksBroken: true,
		Description: fmt.Sprintf("%s: %s of pod(s) %s in %s crash-loops (CrashLoopBackOff, restart count rising every %s); pods created while the fault lasts inherit it",
			o.Spec.Action, what, t.list(), t.namespace, i.crashPeriod),
	}, nil
}

// killPods deletes the pods; their controllers replace them. Nothing stays
// broken, so the effect selects no pod: any outage shows in availability.
func (i *Injector) killPods(ctx context.Context, t *podTargets, gracePeriod int64) (experiments.Effect, error) {
	for _, p := range t.chosen {
		err := i.cs.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{
			GracePeriodSeconds: &gracePeriod,
			Preconditions:      &metav1.Preconditions{UID: &p.UID},
		})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			return experiments.Effect{}, fmt.Errorf("failed to delete pod %s/%s: %w", p.Namespace, p.Name, err)
		}
	}
	return experiments.Effect{
		Namespace:   t.namespace,
		Selector:    labels.Nothing(),
		Description: fmt.Sprintf("pod-kill: deleted pod(s) %s in %s (grace period %ds); their controllers replace them", t.list(), t.namespace, gracePeriod),
	}, nil
}

// httpTarget finds the container an HTTPChaos aims at: the one whose HTTP
// readiness probe is on spec.port (any, if the port is unset). It returns
// the container's name and probe path, or ok false if no container has an
// HTTP readiness probe.
func httpTarget(pod *corev1.Pod, port int32) (container, probePath string, ok bool, err error) {
	var probed []string
	for _, c := range pod.Spec.Containers {
		if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil {
			continue
		}
		p, perr := resolvePort(&c, c.ReadinessProbe.HTTPGet.Port)
		if perr != nil {
			return "", "", false, fmt.Errorf("pod %s: %w", pod.Name, perr)
		}
		probed = append(probed, fmt.Sprintf("%s:%d", c.Name, p))
		if port == 0 || p == port {
			return c.Name, c.ReadinessProbe.HTTPGet.Path, true, nil
		}
	}
	if len(probed) > 0 {
		return "", "", false, fmt.Errorf("pod %s: spec.port %d is not the port of any HTTP readiness probe (%s)", pod.Name, port, strings.Join(probed, ", "))
	}
	if port != 0 && !servesPort(pod, port) {
		return "", "", false, fmt.Errorf("pod %s: no container declares port %d, the spec.port of the HTTPChaos", pod.Name, port)
	}
	return "", "", false, nil
}

func resolvePort(c *corev1.Container, p intstr.IntOrString) (int32, error) {
	if p.Type == intstr.Int {
		return p.IntVal, nil
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return cp.ContainerPort, nil
		}
	}
	return 0, fmt.Errorf("container %s: readiness probe port %q is not a named port of the container", c.Name, p.StrVal)
}

func servesPort(pod *corev1.Pod, port int32) bool {
	declared := false
	for _, c := range pod.Spec.Containers {
		for _, cp := range c.Ports {
			declared = true
			if cp.ContainerPort == port {
				return true
			}
		}
	}
	// A pod that declares no port may serve on any.
	return !declared
}

func (i *Injector) injectHTTPChaos(ctx context.Context, fault string, o *chaosv1alpha1.HTTPChaos) (experiments.Effect, error) {
	t, err := i.selectPods(ctx, &o.Spec.PodSelector, o.Namespace)
	if err != nil {
		return experiments.Effect{}, err
	}
	var (
		kind      experiments.HTTPRead
		container string
		probe     string
	)
	for n, p := range t.chosen {
		c, pp, probed, err := httpTarget(&p, o.Spec.Port)
		if err != nil {
			return experiments.Effect{}, err
		}
		k := experiments.ClassifyHTTP(o.Spec.Path, pp, probed)
		if n == 0 {
			kind, container, probe = k, c, pp
			continue
		}
		if k != kind || c != container {
			return experiments.Effect{}, fmt.Errorf("pods %s and %s read the HTTPChaos differently (their readiness probes differ): select pods of one workload", t.chosen[0].Name, p.Name)
		}
	}

	matchLabels, exprs := stageLabelMatch(&o.Spec.PodSelector)
	mark := markStage(fault, t.namespace, matchLabels, t.candidateNames())
	mark.exprs = append(mark.exprs, exprs...)
	stages := []stage{mark}
	if kind != experiments.HTTPBlind {
		stages = []stage{recoverPodsStage(fault), mark, podEffectStage(fault, podUnready, []string{container}, 0)}
	}
	if err := i.createStages(ctx, stages...); err != nil {
		return experiments.Effect{}, err
	}
	if err := i.markPods(ctx, fault, t.chosen); err != nil {
		return experiments.Effect{}, err
	}
	if kind != experiments.HTTPBlind {
		if err := i.settle(ctx, fault, podsShowing(i, t.chosen, podNotReady)); err != nil {
			return experiments.Effect{}, err
		}
	}

	how := "abort"
	if o.Spec.Replace != nil && o.Spec.Replace.Code != nil {
		how = "status " + strconv.Itoa(int(*o.Spec.Replace.Code))
	}
	eff := experiments.Effect{
		Namespace: t.namespace,
		Selector:  markerSelector(t.selector, fault),
	}
	kind.Mark(&eff, how, o.Spec.Path, probe, fmt.Sprintf("pod(s) %s in %s", t.list(), t.namespace))
	eff.Description += "; pods created while the fault lasts inherit it"
	return eff, nil
}

// labelPatch is a merge patch that sets (value non-nil) or removes a label.
func labelPatch(key string, value *string) []byte {
	b, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]*string{key: value}}})
	return b
}

// patcher patches one kind of object by name.
type patcher func(ctx context.Context, name string, pt types.PatchType, data []byte) error

func (i *Injector) podPatcher(namespace string) patcher {
	return func(ctx context.Context, name string, pt types.PatchType, data []byte) error {
		_, err := i.cs.CoreV1().Pods(namespace).Patch(ctx, name, pt, data, metav1.PatchOptions{})
		return err
	}
}

func (i *Injector) nodePatcher() patcher {
	return func(ctx context.Context, name string, pt types.PatchType, data []byte) error {
		_, err := i.cs.CoreV1().Nodes().Patch(ctx, name, pt, data, metav1.PatchOptions{})
		return err
	}
}

func (i *Injector) setLabel(ctx context.Context, p patcher, name, key string, value *string) error {
	if err := p(ctx, name, types.MergePatchType, labelPatch(key, value)); err != nil {
		return fmt.Errorf("failed to label %s: %w", name, err)
	}
	return nil
}
