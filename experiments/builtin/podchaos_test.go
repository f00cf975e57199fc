package builtin_test

import (
	"context"
	"testing"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/internal/testutil"
)

func podChaos(ns, app string, action chaosv1alpha1.PodChaosAction, mode chaosv1alpha1.SelectorMode, value string) *chaosv1alpha1.PodChaos {
	return &chaosv1alpha1.PodChaos{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns},
		Spec: chaosv1alpha1.PodChaosSpec{
			Action:            action,
			ContainerSelector: chaosv1alpha1.ContainerSelector{PodSelector: podSelector(app, mode, value)},
		},
	}
}

func TestPodChaos(t *testing.T) {
	e := newEnv(t)
	t.Run("pod-failure crash-loops the pod and its replacement, and recovery keeps the restart count", e.testPodFailure)
	t.Run("container-kill crash-loops only the named container", e.testContainerKill)
	t.Run("pod-kill deletes pods and their controller replaces them", e.testPodKill)
}

func (e env) testPodFailure(t *testing.T) {
	t.Parallel()
	const ns = "pod-failure"
	cfg, cs := e.cfg, e.cs
	inj := newInjector(t, cfg)
	workload(t, cs, deployment(ns, "web", 2, "kwok-node-0"))
	f := experiments.Fault{Name: "pod-failure", Object: podChaos(ns, "web", chaosv1alpha1.PodFailureAction, chaosv1alpha1.OneMode, "")}
	eff := inject(t, inj, f)
	if !eff.TrulyBroken || !eff.LooksBroken {
		t.Errorf("effect of a crash loop: TrulyBroken=%v LooksBroken=%v, want both", eff.TrulyBroken, eff.LooksBroken)
	}

	var victim corev1.Pod
	testutil.WaitFor(t, effectShows, "one pod crash-looping past 2 restarts, the other Ready", func(ctx context.Context) (bool, error) {
		var hit, healthy int
		for _, p := range listPods(ctx, t, cs, ns, "app=web") {
			switch {
			case eff.Affects(&p) && crashLooping(&p, "app", 3) && crashLooping(&p, "side", 3) &&
				podCondition(&p, corev1.PodReady) == corev1.ConditionFalse &&
				podCondition(&p, corev1.ContainersReady) == corev1.ConditionFalse &&
				p.Status.Phase == corev1.PodRunning:
				hit++
				victim = p
			case !eff.Affects(&p) && testutil.PodReady(&p):
				healthy++
			}
		}
		return hit == 1 && healthy == 1, nil
	}, testutil.DescribePods(cs, ns, ""))
	seen := containerStatus(&victim, "app").RestartCount
	testutil.WaitFor(t, effectShows, "the restart count to keep rising", func(ctx context.Context) (bool, error) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, victim.Name, metav1.GetOptions{})
		return err == nil && containerStatus(p, "app").RestartCount > seen, err
	})

	// Restarting the pod, as a remediator would, does not help: the
	// cause persists, and the replacement crash-loops too.
	if err := cs.CoreV1().Pods(ns).Delete(t.Context(), victim.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, effectShows, "the replacement to crash-loop", func(ctx context.Context) (bool, error) {
		for _, p := range listPods(ctx, t, cs, ns, "app=web") {
			if p.Name != victim.Name && eff.Affects(&p) && crashLooping(&p, "app", 2) {
				return true, nil
			}
		}
		return false, nil
	}, testutil.DescribePods(cs, ns, ""))

	recoverFault(t, inj, cfg, f)
	pods := waitPodsHealthy(t, cs, ns, "app=web", 2)
	restarted := 0
	for _, p := range pods {
		if s := containerStatus(&p, "app"); s.RestartCount >= 2 && s.State.Running != nil && s.LastTerminationState.Terminated != nil {
			restarted++
		}
	}
	if restarted != 1 {
		t.Errorf("%d recovered pod(s) kept their restart count and last termination, want 1", restarted)
	}
}

func (e env) testContainerKill(t *testing.T) {
	t.Parallel()
	const ns = "container-kill"
	cfg, cs := e.cfg, e.cs
	inj := newInjector(t, cfg)
	workload(t, cs, deployment(ns, "web", 2, "kwok-node-0"))
	obj := podChaos(ns, "web", chaosv1alpha1.ContainerKillAction, chaosv1alpha1.AllMode, "")
	obj.Spec.ContainerNames = []string{"side"}
	f := experiments.Fault{Name: "container-kill", Object: obj}
	eff := inject(t, inj, f)
	testutil.WaitFor(t, effectShows, "side crash-looping past 2 restarts in both pods, app running", func(ctx context.Context) (bool, error) {
		pods := listPods(ctx, t, cs, ns, "app=web")
		for _, p := range pods {
			app := containerStatus(&p, "app")
			if !eff.Affects(&p) || !crashLooping(&p, "side", 3) || !app.Ready || app.State.Running == nil || app.RestartCount != 0 || testutil.PodReady(&p) {
				return false, nil
			}
		}
		return len(pods) == 2, nil
	}, testutil.DescribePods(cs, ns, ""))
	recoverFault(t, inj, cfg, f)
	waitPodsHealthy(t, cs, ns, "app=web", 2)
}

func (e env) testPodKill(t *testing.T) {
	t.Parallel()
	const ns = "pod-kill"
	cfg, cs := e.cfg, e.cs
	inj := newInjector(t, cfg)
	before := workload(t, cs, deployment(ns, "web", 3, "kwok-node-1"))
	f := experiments.Fault{Name: "pod-kill", Object: podChaos(ns, "web", chaosv1alpha1.PodKillAction, chaosv1alpha1.FixedMode, "2")}
	eff := inject(t, inj, f)
	if eff.TrulyBroken || eff.LooksBroken {
		t.Errorf("effect of a pod kill: TrulyBroken=%v LooksBroken=%v, want neither: nothing stays broken", eff.TrulyBroken, eff.LooksBroken)
	}
	old := map[string]bool{}
	for _, p := range before {
		old[string(p.UID)] = true
	}
	testutil.WaitFor(t, effectShows, "two pods replaced and three Ready", func(ctx context.Context) (bool, error) {
		pods := listPods(ctx, t, cs, ns, "app=web")
		kept, ready := 0, 0
		for _, p := range pods {
			if old[string(p.UID)] {
				kept++
			}
			if testutil.PodReady(&p) {
				ready++
			}
			if eff.Affects(&p) {
				t.Errorf("pod %s is affected by a pod kill", p.Name)
			}
		}
		return kept == 1 && ready == 3 && len(pods) == 3, nil
	}, testutil.DescribePods(cs, ns, ""))
	recoverFault(t, inj, cfg, f)
}
