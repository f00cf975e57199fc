package chaosmesh

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/experiments"
)

// Defaults of Options.
const (
	// DefaultInjectTimeout bounds how long Inject waits for Chaos Mesh to
	// report a fault injected.
	DefaultInjectTimeout = time.Minute
	// DefaultRecoverTimeout bounds how long Recover waits for a deleted
	// chaos object to be gone.
	DefaultRecoverTimeout = 2 * time.Minute
)

// pollInterval is how often Inject and Recover look at the chaos objects.
const pollInterval = 250 * time.Millisecond

// Options tune an Injector.
type Options struct {
	// Namespace is where a chaos object without a namespace of its own is
	// created. Defaults to DefaultNamespace.
	Namespace string
	// InjectTimeout bounds how long Inject waits for Chaos Mesh to report
	// the fault injected into every pod it selected (the chaos object's
	// AllInjected condition). Zero means DefaultInjectTimeout; negative
	// means Inject returns once the object is created, for a cluster that
	// has the CRDs but no Chaos Mesh controller.
	InjectTimeout time.Duration
	// RecoverTimeout bounds how long Recover and RecoverAll wait for a
	// deleted chaos object to be gone, which it is once Chaos Mesh has
	// taken the fault back and removed its finalizer. Zero means
	// DefaultRecoverTimeout.
	RecoverTimeout time.Duration
}

// Injector applies faults to a cluster that runs Chaos Mesh, by creating
// the chaos object each fault declares (see Render), and recovers them by
// deleting it; Chaos Mesh does the rest. It refuses what Chaos Mesh has no
// equivalent of, NodeChaos, and what the harness could not follow (see
// Validate).
//
// Every object it creates carries FaultLabel and ManagedByLabel, so that
// Recover and RecoverAll find them from the cluster alone.
type Injector struct {
	c              client.Client
	namespace      string
	injectTimeout  time.Duration
	recoverTimeout time.Duration
}

var _ experiments.Injector = (*Injector)(nil)

// New returns an injector that acts through c. c must read pods and
// create, list, get and delete the chaos objects of Kinds, as unstructured
// objects, in every namespace.
func New(c client.Client, opts Options) *Injector {
	i := &Injector{c: c, namespace: opts.Namespace, injectTimeout: opts.InjectTimeout, recoverTimeout: opts.RecoverTimeout}
	if i.namespace == "" {
		i.namespace = DefaultNamespace
	}
	if i.injectTimeout == 0 {
		i.injectTimeout = DefaultInjectTimeout
	}
	if i.recoverTimeout <= 0 {
		i.recoverTimeout = DefaultRecoverTimeout
	}
	return i
}

// NewForConfig returns an injector that acts on the cluster cfg reaches.
func NewForConfig(cfg *rest.Config, opts Options) (*Injector, error) {
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return nil, fmt.Errorf("failed to create client: %w", err)
	}
	return New(c, opts), nil
}

// Name implements experiments.Injector.
func (i *Injector) Name() string { return Name }

// Inject creates the chaos object f renders to, after Validate accepted
// f, and returns once Chaos Mesh reports it injected (see
// Options.InjectTimeout). It refuses a fault whose objects are already in
// the cluster, and one that selects no live pod. The effect covers the
// pods the selector matches; see predictEffect for what it says of them.
// If Chaos Mesh does not report the fault injected in time, Inject deletes
// the object before it returns the error.
func (i *Injector) Inject(ctx context.Context, f experiments.Fault) (experiments.Effect, error) {
	fail := func(err error) (experiments.Effect, error) {
		return experiments.Effect{}, fmt.Errorf("failed to inject fault %q: %w", f.Name, err)
	}
	if errs := validate(f, field.NewPath("fault")); len(errs) > 0 {
		return fail(errs.ToAggregate())
	}
	u, err := Render(f, i.namespace)
	if err != nil {
		return experiments.Effect{}, err
	}
	present, err := i.find(ctx, client.MatchingLabels{FaultLabel: f.Name, ManagedByLabel: ManagedBy})
	if err != nil {
		return fail(err)
	}
	if len(present) > 0 {
		return fail(fmt.Errorf("it is already in the cluster (%s); recover it first", describe(present)))
	}
	p, _ := partsOf(f.Object)
	t, err := i.selectPods(ctx, p.selector, u.GetNamespace())
	if err != nil {
		return fail(err)
	}
	eff, err := predictEffect(f.Object, t)
	if err != nil {
		return fail(err)
	}
	if err := i.c.Create(ctx, u, client.FieldOwner(ManagedBy)); err != nil {
		if meta.IsNoMatchError(err) {
			err = fmt.Errorf("%w: is Chaos Mesh installed?", err)
		}
		return fail(fmt.Errorf("failed to create %s: %w", describe([]*unstructured.Unstructured{u}), err))
	}
	if i.injectTimeout > 0 {
		if err := i.waitInjected(ctx, u); err != nil {
			// Take back what was applied; the caller's context may be done.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), i.recoverTimeout)
			defer cancel()
			if rerr := i.remove(rctx, []*unstructured.Unstructured{u}); rerr != nil {
				err = fmt.Errorf("%w (and deleting it also failed: %w)", err, rerr)
			}
			return fail(err)
		}
	}
	return eff, nil
}

// selectPods lists the live pods a validated selector matches.
func (i *Injector) selectPods(ctx context.Context, ps *chaosv1alpha1.PodSelector, objNamespace string) (*targets, error) {
	t := &targets{namespace: experiments.PodNamespace(ps, objNamespace), nodes: slices.Clone(ps.Selector.Nodes)}
	var err error
	if t.selector, err = experiments.PodLabelSelector(ps); err != nil {
		return nil, err
	}
	var list corev1.PodList
	if err := i.c.List(ctx, &list, client.InNamespace(t.namespace), client.MatchingLabelsSelector{Selector: t.selector}); err != nil {
		return nil, fmt.Errorf("failed to list pods in %s: %w", t.namespace, err)
	}
	for _, p := range list.Items {
		if p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		if len(t.nodes) > 0 && !slices.Contains(t.nodes, p.Spec.NodeName) {
			continue
		}
		t.pods = append(t.pods, p)
	}
	if len(t.pods) == 0 {
		where := ""
		if len(t.nodes) > 0 {
			where = " on node(s) " + strings.Join(t.nodes, ", ")
		}
		return nil, fmt.Errorf("no live pod in namespace %s%s matches %q", t.namespace, where, t.selector)
	}
	slices.SortFunc(t.pods, func(a, b corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
	return t, nil
}

// waitInjected waits until Chaos Mesh reports u's AllInjected condition
// True.
func (i *Injector) waitInjected(ctx context.Context, u *unstructured.Unstructured) error {
	got := u.DeepCopy()
	var last error
	err := wait.PollUntilContextTimeout(ctx, pollInterval, i.injectTimeout, true, func(ctx context.Context) (bool, error) {
		if err := i.c.Get(ctx, client.ObjectKeyFromObject(u), got); err != nil {
			last = err
			return false, nil
		}
		last = nil
		return conditionTrue(got, chaosv1alpha1.ConditionAllInjected), nil
	})
	if err == nil {
		return nil
	}
	if last != nil {
		return fmt.Errorf("no report from Chaos Mesh that %s is injected: %w (last error: %w)", describe([]*unstructured.Unstructured{u}), err, last)
	}
	return fmt.Errorf("no report from Chaos Mesh that %s is injected (conditions: %s): %w; is its controller running?",
		describe([]*unstructured.Unstructured{u}), conditions(got), err)
}

// conditionTrue reports whether a chaos object's status has the condition
// with status True.
func conditionTrue(u *unstructured.Unstructured, t chaosv1alpha1.ChaosConditionType) bool {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == string(t) && m["status"] == string(corev1.ConditionTrue) {
			return true
		}
	}
	return false
}

// conditions lists a chaos object's conditions as type=status.
func conditions(u *unstructured.Unstructured) string {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	var out []string
	for _, c := range conds {
		m, _ := c.(map[string]any)
		out = append(out, fmt.Sprintf("%v=%v", m["type"], m["status"]))
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// Recover deletes the chaos objects of the fault, found in the cluster by
// FaultLabel in every namespace, and returns once they are gone: once
// Chaos Mesh has taken the fault back and removed its finalizer. It waits
// at most Options.RecoverTimeout, and does not remove the finalizer itself,
// which would leave the fault in place. It is idempotent, and a fault never
// injected has nothing to recover.
func (i *Injector) Recover(ctx context.Context, f experiments.Fault) error {
	if msgs := validation.IsDNS1123Label(f.Name); len(msgs) > 0 {
		return fmt.Errorf("failed to recover fault %q: invalid name: %s", f.Name, strings.Join(msgs, "; "))
	}
	objs, err := i.find(ctx, client.MatchingLabels{FaultLabel: f.Name, ManagedByLabel: ManagedBy})
	if err == nil {
		err = i.remove(ctx, objs)
	}
	if err != nil {
		return fmt.Errorf("failed to recover fault %q: %w", f.Name, err)
	}
	return nil
}

// RecoverAll deletes every chaos object of Kinds labelled ManagedByLabel,
// in every namespace, and waits until they are gone, as Recover does. It
// cleans up after a run that was interrupted before it could recover its
// faults.
func (i *Injector) RecoverAll(ctx context.Context) error {
	objs, err := i.find(ctx, client.MatchingLabels{ManagedByLabel: ManagedBy})
	if err == nil {
		err = i.remove(ctx, objs)
	}
	if err != nil {
		return fmt.Errorf("failed to recover every fault: %w", err)
	}
	return nil
}

// find lists the chaos objects of Kinds that have the labels, in every
// namespace. A kind the cluster does not serve has none.
func (i *Injector) find(ctx context.Context, labels client.MatchingLabels) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, kind := range Kinds {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(chaosv1alpha1.SchemeGroupVersion.WithKind(kind + "List"))
		if err := i.c.List(ctx, list, labels); err != nil {
			if meta.IsNoMatchError(err) || apierrors.IsNotFound(err) {
				continue
			}
			return nil, fmt.Errorf("failed to list %s: %w", kind, err)
		}
		for n := range list.Items {
			out = append(out, &list.Items[n])
		}
	}
	return out, nil
}

// remove deletes the objects and waits until they are gone.
func (i *Injector) remove(ctx context.Context, objs []*unstructured.Unstructured) error {
	var errs []error
	for _, u := range objs {
		if err := i.c.Delete(ctx, u); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("failed to delete %s: %w", describe([]*unstructured.Unstructured{u}), err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// left are the objects still there at the last look that read them
	// all; last is the error of a look that failed since.
	left := objs
	var last error
	err := wait.PollUntilContextTimeout(ctx, pollInterval, i.recoverTimeout, true, func(ctx context.Context) (bool, error) {
		var still []*unstructured.Unstructured
		for _, u := range left {
			got := u.DeepCopy()
			err := i.c.Get(ctx, client.ObjectKeyFromObject(u), got)
			switch {
			case apierrors.IsNotFound(err):
				continue
			case err != nil:
				last = fmt.Errorf("failed to get %s: %w", describe([]*unstructured.Unstructured{u}), err)
				return false, nil
			}
			still = append(still, got)
		}
		left, last = still, nil
		return len(left) == 0, nil
	})
	if err == nil {
		return nil
	}
	var held []string
	for _, u := range left {
		held = append(held, fmt.Sprintf("%s (finalizers: %s)", describe([]*unstructured.Unstructured{u}), strings.Join(u.GetFinalizers(), ", ")))
	}
	err = fmt.Errorf("deleted objects are still there after %s: %s; Chaos Mesh removes its finalizer once it has taken the fault back: is its controller running? (%w)",
		i.recoverTimeout, strings.Join(held, "; "), err)
	if last != nil {
		err = fmt.Errorf("%w (last error: %w)", err, last)
	}
	return err
}

// describe names chaos objects as KIND NAMESPACE/NAME.
func describe(objs []*unstructured.Unstructured) string {
	names := make([]string, len(objs))
	for n, u := range objs {
		names[n] = fmt.Sprintf("%s %s/%s", u.GetKind(), u.GetNamespace(), u.GetName())
	}
	return strings.Join(names, ", ")
}
