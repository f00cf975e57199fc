package builtin_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/builtin"
	"github.com/interlock-dev/interlock/harness/cluster"
)

func newInjector(t *testing.T, cfg *rest.Config) *builtin.Injector {
	t.Helper()
	inj, err := builtin.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return inj
}

// inject injects f, failing the test on error, and recovers it when the
// test ends whatever happened.
func inject(t *testing.T, inj *builtin.Injector, f experiments.Fault) experiments.Effect {
	t.Helper()
	t.Cleanup(func() {
		if err := inj.Recover(context.WithoutCancel(t.Context()), f); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	eff, err := inj.Inject(t.Context(), f)
	if err != nil {
		t.Fatalf("Inject: %v", err)
	}
	t.Logf("effect: %s", eff.Description)
	return eff
}

func recoverFault(t *testing.T, inj *builtin.Injector, cfg *rest.Config, f experiments.Fault) {
	t.Helper()
	if err := inj.Recover(t.Context(), f); err != nil {
		t.Fatalf("Recover: %v", err)
	}
	if left := stagesOf(t, cfg, f.Name); len(left) > 0 {
		t.Errorf("stages left after Recover: %v", left)
	}
}

func podSelector(app string, mode chaosv1alpha1.SelectorMode, value string) chaosv1alpha1.PodSelector {
	return chaosv1alpha1.PodSelector{
		Mode:  mode,
		Value: value,
		Selector: chaosv1alpha1.PodSelectorSpec{GenericSelectorSpec: chaosv1alpha1.GenericSelectorSpec{
			LabelSelectors: map[string]string{"app": app},
		}},
	}
}

func podChaos(ns, app string, action chaosv1alpha1.PodChaosAction, mode chaosv1alpha1.SelectorMode, value string) *chaosv1alpha1.PodChaos {
	return &chaosv1alpha1.PodChaos{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns},
		Spec: chaosv1alpha1.PodChaosSpec{
			Action:            action,
			ContainerSelector: chaosv1alpha1.ContainerSelector{PodSelector: podSelector(app, mode, value)},
		},
	}
}

// crashLooping reports whether the container waits in CrashLoopBackOff with
// at least min restarts.
func crashLooping(p *corev1.Pod, container string, min int32) bool {
	s := containerStatus(p, container)
	return s.State.Waiting != nil && s.State.Waiting.Reason == "CrashLoopBackOff" && !s.Ready && s.RestartCount >= min
}

func TestPodChaos(t *testing.T) {
	cfg, cs := testCluster(t)

	t.Run("pod-failure crash-loops the pod and its replacement, and recovery keeps the restart count", func(t *testing.T) {
		t.Parallel()
		const ns = "pod-failure"
		inj := newInjector(t, cfg)
		workload(t, cs, deployment(ns, "web", 2, "kwok-node-0"))
		f := experiments.Fault{Name: "pod-failure", Object: podChaos(ns, "web", chaosv1alpha1.PodFailureAction, chaosv1alpha1.OneMode, "")}
		eff := inject(t, inj, f)
		if !eff.TrulyBroken || !eff.LooksBroken {
			t.Errorf("effect of a crash loop: TrulyBroken=%v LooksBroken=%v, want both", eff.TrulyBroken, eff.LooksBroken)
		}

		var victim corev1.Pod
		waitFor(t, effectShows, "one pod crash-looping past 2 restarts, the other Ready", func(ctx context.Context) (bool, error) {
			var hit, healthy int
			for _, p := range listPods(ctx, t, cs, ns, "app=web") {
				switch {
				case eff.Affects(&p) && crashLooping(&p, "app", 3) && crashLooping(&p, "side", 3) &&
					podCondition(&p, corev1.PodReady) == corev1.ConditionFalse &&
					podCondition(&p, corev1.ContainersReady) == corev1.ConditionFalse &&
					p.Status.Phase == corev1.PodRunning:
					hit++
					victim = p
				case !eff.Affects(&p) && podReady(&p):
					healthy++
				}
			}
			return hit == 1 && healthy == 1, nil
		}, podsState(t, cs, ns))
		seen := containerStatus(&victim, "app").RestartCount
		waitFor(t, effectShows, "the restart count to keep rising", func(ctx context.Context) (bool, error) {
			p, err := cs.CoreV1().Pods(ns).Get(ctx, victim.Name, metav1.GetOptions{})
			return err == nil && containerStatus(p, "app").RestartCount > seen, err
		})

		// Restarting the pod, as a remediator would, does not help: the
		// cause persists, and the replacement crash-loops too.
		if err := cs.CoreV1().Pods(ns).Delete(t.Context(), victim.Name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, effectShows, "the replacement to crash-loop", func(ctx context.Context) (bool, error) {
			for _, p := range listPods(ctx, t, cs, ns, "app=web") {
				if p.Name != victim.Name && eff.Affects(&p) && crashLooping(&p, "app", 2) {
					return true, nil
				}
			}
			return false, nil
		}, podsState(t, cs, ns))

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
	})

	t.Run("container-kill crash-loops only the named container", func(t *testing.T) {
		t.Parallel()
		const ns = "container-kill"
		inj := newInjector(t, cfg)
		workload(t, cs, deployment(ns, "web", 2, "kwok-node-0"))
		obj := podChaos(ns, "web", chaosv1alpha1.ContainerKillAction, chaosv1alpha1.AllMode, "")
		obj.Spec.ContainerNames = []string{"side"}
		f := experiments.Fault{Name: "container-kill", Object: obj}
		eff := inject(t, inj, f)
		waitFor(t, effectShows, "side crash-looping past 2 restarts in both pods, app running", func(ctx context.Context) (bool, error) {
			pods := listPods(ctx, t, cs, ns, "app=web")
			for _, p := range pods {
				app := containerStatus(&p, "app")
				if !eff.Affects(&p) || !crashLooping(&p, "side", 3) || !app.Ready || app.State.Running == nil || app.RestartCount != 0 || podReady(&p) {
					return false, nil
				}
			}
			return len(pods) == 2, nil
		}, podsState(t, cs, ns))
		recoverFault(t, inj, cfg, f)
		waitPodsHealthy(t, cs, ns, "app=web", 2)
	})

	t.Run("pod-kill deletes pods and their controller replaces them", func(t *testing.T) {
		t.Parallel()
		const ns = "pod-kill"
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
		waitFor(t, effectShows, "two pods replaced and three Ready", func(ctx context.Context) (bool, error) {
			pods := listPods(ctx, t, cs, ns, "app=web")
			kept, ready := 0, 0
			for _, p := range pods {
				if old[string(p.UID)] {
					kept++
				}
				if podReady(&p) {
					ready++
				}
				if eff.Affects(&p) {
					t.Errorf("pod %s is affected by a pod kill", p.Name)
				}
			}
			return kept == 1 && ready == 3 && len(pods) == 3, nil
		}, podsState(t, cs, ns))
		recoverFault(t, inj, cfg, f)
	})
}

func httpChaos(ns, app string, path string) *chaosv1alpha1.HTTPChaos {
	return &chaosv1alpha1.HTTPChaos{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns},
		Spec: chaosv1alpha1.HTTPChaosSpec{
			PodSelector: podSelector(app, chaosv1alpha1.AllMode, ""),
			Target:      chaosv1alpha1.PodHttpRequest,
			PodHttpChaosActions: chaosv1alpha1.PodHttpChaosActions{
				Abort: new(true),
			},
			Port: 8080,
			Path: &path,
		},
	}
}

func TestHTTPChaos(t *testing.T) {
	cfg, cs := testCluster(t)

	t.Run("on the health path the readiness check lies", func(t *testing.T) {
		t.Parallel()
		const ns = "http-health"
		inj := newInjector(t, cfg)
		workload(t, cs, deployment(ns, "web", 2, "kwok-node-1", withReadinessProbe("/healthz", 8080)))

		wrongPort := httpChaos(ns, "web", "/healthz")
		wrongPort.Spec.Port = 9090
		if _, err := inj.Inject(t.Context(), experiments.Fault{Name: "wrong-port", Object: wrongPort}); err == nil || !strings.Contains(err.Error(), "9090") {
			t.Errorf("Inject with a port no probe uses: err = %v, want an error naming port 9090", err)
		}
		if left := stagesOf(t, cfg, "wrong-port"); len(left) > 0 {
			t.Errorf("a failed Inject left stages: %v", left)
		}

		f := experiments.Fault{Name: "http-health", Object: httpChaos(ns, "web", "/healthz")}
		eff := inject(t, inj, f)
		if eff.TrulyBroken || !eff.LooksBroken {
			t.Errorf("effect of a readiness lie: TrulyBroken=%v LooksBroken=%v, want LooksBroken only", eff.TrulyBroken, eff.LooksBroken)
		}
		waitFor(t, effectShows, "both pods Ready=False while their containers run", func(ctx context.Context) (bool, error) {
			pods := listPods(ctx, t, cs, ns, "app=web")
			for _, p := range pods {
				app, side := containerStatus(&p, "app"), containerStatus(&p, "side")
				if !eff.Affects(&p) || podCondition(&p, corev1.PodReady) != corev1.ConditionFalse ||
					app.Ready || app.State.Running == nil || app.RestartCount != 0 || !side.Ready {
					return false, nil
				}
			}
			return len(pods) == 2, nil
		}, podsState(t, cs, ns))
		recoverFault(t, inj, cfg, f)
		waitPodsHealthy(t, cs, ns, "app=web", 2)
	})

	t.Run("on a serving path the failure is blind", func(t *testing.T) {
		t.Parallel()
		const ns = "http-serving"
		inj := newInjector(t, cfg)
		workload(t, cs, deployment(ns, "web", 2, "kwok-node-1", withReadinessProbe("/healthz", 8080)))
		obj := httpChaos(ns, "web", "/api")
		obj.Spec.Target = chaosv1alpha1.PodHttpResponse
		obj.Spec.Abort = nil
		obj.Spec.Replace = &chaosv1alpha1.PodHttpChaosReplaceActions{Code: new(int32(503))}
		f := experiments.Fault{Name: "http-serving", Object: obj}
		eff := inject(t, inj, f)
		if !eff.TrulyBroken || eff.LooksBroken {
			t.Errorf("effect of a blind failure: TrulyBroken=%v LooksBroken=%v, want TrulyBroken only", eff.TrulyBroken, eff.LooksBroken)
		}
		pods := listPods(t.Context(), t, cs, ns, "app=web")
		for _, p := range pods {
			if !eff.Affects(&p) || !podReady(&p) {
				t.Errorf("pod %s: affected=%v ready=%v, want affected and still Ready", p.Name, eff.Affects(&p), podReady(&p))
			}
		}
		recoverFault(t, inj, cfg, f)
		waitPodsHealthy(t, cs, ns, "app=web", 2)
	})
}

func TestTimeChaos(t *testing.T) {
	cfg, cs := testCluster(t)
	inj := newInjector(t, cfg)
	const ns = "certs"
	const validFor = 90 * 24 * time.Hour
	secret := tlsSecret(t, ns, "web-tls", validFor)
	if _, err := cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Secrets(ns).Create(t.Context(), secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d := deployment(ns, "web", 2, "kwok-node-1", withSecretVolume("web-tls"))
	if _, err := cs.AppsV1().Deployments(ns).Create(t.Context(), d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitPodsHealthy(t, cs, ns, "app=web", 2)
	orig := parseCert(t, secret.Data[corev1.TLSCertKey])
	getCert := func() (*corev1.Secret, *x509.Certificate) {
		s, err := cs.CoreV1().Secrets(ns).Get(t.Context(), "web-tls", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return s, parseCert(t, s.Data[corev1.TLSCertKey])
	}
	timeChaos := func(offset string) *chaosv1alpha1.TimeChaos {
		return &chaosv1alpha1.TimeChaos{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns},
			Spec: chaosv1alpha1.TimeChaosSpec{
				ContainerSelector: chaosv1alpha1.ContainerSelector{PodSelector: podSelector("web", chaosv1alpha1.AllMode, "")},
				TimeOffset:        offset,
			},
		}
	}

	t.Run("the certificate expires timeOffset sooner, and comes back", func(t *testing.T) {
		f := experiments.Fault{Name: "clock-ahead", Object: timeChaos("720h")}
		eff := inject(t, inj, f)
		if eff.TrulyBroken || !eff.LooksBroken {
			t.Errorf("effect of a certificate close to expiry: TrulyBroken=%v LooksBroken=%v, want LooksBroken only", eff.TrulyBroken, eff.LooksBroken)
		}
		_, skewed := getCert()
		if want := orig.NotAfter.Add(-720 * time.Hour); !skewed.NotAfter.Equal(want) {
			t.Errorf("NotAfter = %s, want %s (720h before the original %s)", skewed.NotAfter, want, orig.NotAfter)
		}
		if !skewed.NotAfter.Before(orig.NotAfter) || skewed.Subject.CommonName != orig.Subject.CommonName ||
			strings.Join(skewed.DNSNames, ",") != strings.Join(orig.DNSNames, ",") || !bytes.Equal(skewed.RawSubjectPublicKeyInfo, orig.RawSubjectPublicKeyInfo) {
			t.Errorf("re-issued certificate differs from the original beyond NotAfter: %v %v", skewed.Subject, skewed.DNSNames)
		}
		for _, p := range listPods(t.Context(), t, cs, ns, "app=web") {
			if !eff.Affects(&p) {
				t.Errorf("pod %s mounts the certificate but is not affected", p.Name)
			}
		}
		recoverFault(t, inj, cfg, f)
		s, _ := getCert()
		if !bytes.Equal(s.Data[corev1.TLSCertKey], secret.Data[corev1.TLSCertKey]) || s.Annotations[builtin.OriginalCertAnnotation] != "" || hasMarker(s.Labels) {
			t.Errorf("secret not restored: annotations %v labels %v", s.Annotations, s.Labels)
		}
		waitPodsHealthy(t, cs, ns, "app=web", 2)
	})

	t.Run("an offset past the certificate's life expires it", func(t *testing.T) {
		f := experiments.Fault{Name: "clock-far-ahead", Object: timeChaos("2400h")}
		eff := inject(t, inj, f)
		if !eff.TrulyBroken {
			t.Errorf("effect of an expired certificate: TrulyBroken=false, want true")
		}
		if _, c := getCert(); !c.NotAfter.Before(time.Now()) || !c.NotBefore.Before(c.NotAfter) {
			t.Errorf("certificate valid %s to %s, want expired", c.NotBefore, c.NotAfter)
		}
		recoverFault(t, inj, cfg, f)
	})

	t.Run("a certificate renewed during the fault is kept", func(t *testing.T) {
		f := experiments.Fault{Name: "clock-renewed", Object: timeChaos("720h")}
		inject(t, inj, f)
		renewed := tlsSecret(t, ns, "web-tls", 365*24*time.Hour)
		s, _ := getCert()
		s.Data = renewed.Data
		if _, err := cs.CoreV1().Secrets(ns).Update(t.Context(), s, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		recoverFault(t, inj, cfg, f)
		s, _ = getCert()
		if !bytes.Equal(s.Data[corev1.TLSCertKey], renewed.Data[corev1.TLSCertKey]) || s.Annotations[builtin.OriginalCertAnnotation] != "" {
			t.Errorf("Recover overwrote a renewed certificate, or left its annotation: %v", s.Annotations)
		}
	})
}

func nodeChaos(node string, action experiments.NodeChaosAction) *experiments.NodeChaos {
	return &experiments.NodeChaos{
		TypeMeta: metav1.TypeMeta{APIVersion: experiments.GroupVersion.String(), Kind: experiments.NodeChaosKind},
		Spec: experiments.NodeChaosSpec{
			Action:   action,
			Selector: experiments.NodeSelectorSpec{Nodes: []string{node}},
			Mode:     chaosv1alpha1.AllMode,
		},
	}
}

func TestNodeChaos(t *testing.T) {
	cfg, cs := testCluster(t)

	t.Run("not-ready", func(t *testing.T) {
		t.Parallel()
		const node, ns = "kwok-node-2", "node-not-ready"
		inj := newInjector(t, cfg)
		workload(t, cs, deployment(ns, "web", 1, node))
		f := experiments.Fault{Name: "not-ready", Object: nodeChaos(node, experiments.NodeNotReadyAction)}
		eff := inject(t, inj, f)
		if !eff.TrulyBroken || !eff.LooksBroken || len(eff.Nodes) != 1 || eff.Nodes[0] != node {
			t.Errorf("effect = %+v, want node %s truly and visibly broken", eff, node)
		}
		waitFor(t, effectShows, "the node NotReady and tainted", func(ctx context.Context) (bool, error) {
			n := getNode(ctx, t, cs, node)
			c := nodeCondition(n, corev1.NodeReady)
			return c.Status == corev1.ConditionFalse && c.Reason == "InterlockFault" && hasTaint(n, "node.kubernetes.io/not-ready"), nil
		})
		if pods := listPods(t.Context(), t, cs, ns, "app=web"); len(pods) != 1 || !eff.Affects(&pods[0]) {
			t.Errorf("the node's pod is not affected: %v", pods)
		}
		recoverFault(t, inj, cfg, f)
		waitNodeHealthy(t, cs, node)
		waitPodsHealthy(t, cs, ns, "app=web", 1)
	})

	t.Run("heartbeat-loss", func(t *testing.T) {
		t.Parallel()
		const node, ns = "kwok-node-3", "node-heartbeat"
		inj := newInjector(t, cfg)
		workload(t, cs, deployment(ns, "web", 1, node))
		f := experiments.Fault{Name: "heartbeat-loss", Object: nodeChaos(node, experiments.NodeHeartbeatLossAction)}
		eff := inject(t, inj, f)
		if !eff.TrulyBroken || !eff.LooksBroken {
			t.Errorf("effect = %+v, want truly and visibly broken", eff)
		}
		waitFor(t, heartbeatLost, "the node lifecycle controller to mark the node Unknown and unreachable, and its pod not ready", func(ctx context.Context) (bool, error) {
			n := getNode(ctx, t, cs, node)
			pods := listPods(ctx, t, cs, ns, "app=web")
			return nodeCondition(n, corev1.NodeReady).Status == corev1.ConditionUnknown && hasTaint(n, "node.kubernetes.io/unreachable") &&
				len(pods) == 1 && eff.Affects(&pods[0]) && !podReady(&pods[0]), nil
		})
		recoverFault(t, inj, cfg, f)
		waitNodeHealthy(t, cs, node)
		lease, err := cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).Get(t.Context(), node, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if h := lease.Spec.HolderIdentity; h == nil || strings.HasPrefix(*h, builtin.HolderPrefix) || hasMarker(lease.Labels) {
			t.Errorf("lease after recovery: holder %v labels %v, want kwok's", h, lease.Labels)
		}
		waitPodsHealthy(t, cs, ns, "app=web", 1)
	})

	t.Run("condition", func(t *testing.T) {
		t.Parallel()
		const node = "kwok-node-4"
		inj := newInjector(t, cfg)
		obj := nodeChaos(node, experiments.NodeConditionAction)
		obj.Spec.Condition = &experiments.NodeConditionSpec{Type: corev1.NodeDiskPressure}
		f := experiments.Fault{Name: "disk-pressure", Object: obj}
		eff := inject(t, inj, f)
		if eff.TrulyBroken || !eff.LooksBroken {
			t.Errorf("effect = %+v, want LooksBroken only", eff)
		}
		waitFor(t, effectShows, "DiskPressure=True and its taint", func(ctx context.Context) (bool, error) {
			n := getNode(ctx, t, cs, node)
			return nodeCondition(n, corev1.NodeDiskPressure).Status == corev1.ConditionTrue && cluster.NodeReady(n) &&
				hasTaint(n, "node.kubernetes.io/disk-pressure"), nil
		})
		recoverFault(t, inj, cfg, f)
		waitNodeHealthy(t, cs, node)
	})

	t.Run("flap", func(t *testing.T) {
		t.Parallel()
		const node = "kwok-node-5"
		const period = 2 * time.Second
		inj := newInjector(t, cfg)
		obj := nodeChaos(node, experiments.NodeFlapAction)
		obj.Spec.Period = &metav1.Duration{Duration: period}
		f := experiments.Fault{Name: "flap", Object: obj}
		inject(t, inj, f)
		for i, want := range []corev1.ConditionStatus{corev1.ConditionFalse, corev1.ConditionTrue, corev1.ConditionFalse, corev1.ConditionTrue} {
			waitFor(t, 3*period, "flap phase "+string(want), func(ctx context.Context) (bool, error) {
				return nodeCondition(getNode(ctx, t, cs, node), corev1.NodeReady).Status == want, nil
			})
			t.Logf("phase %d: Ready=%s", i, want)
		}
		recoverFault(t, inj, cfg, f)
		waitNodeHealthy(t, cs, node)
		// Stays Ready: no flap stage is left to act.
		deadline := time.Now().Add(2 * period)
		for time.Now().Before(deadline) {
			if !cluster.NodeReady(getNode(t.Context(), t, cs, node)) {
				t.Fatal("the node went NotReady after Recover")
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
}

// TestRecoverAll simulates a run interrupted with faults in place: a new
// injector, as a new process would have, finds and recovers them all.
func TestRecoverAll(t *testing.T) {
	cfg, cs := testCluster(t)
	const ns = "interrupted"
	workload(t, cs, deployment(ns, "web", 2, "kwok-node-1", withSecretVolume("web-tls")))
	secret := tlsSecret(t, ns, "web-tls", 90*24*time.Hour)
	if _, err := cs.CoreV1().Secrets(ns).Create(t.Context(), secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	crashed := newInjector(t, cfg)
	disk := nodeChaos("kwok-node-4", experiments.NodeConditionAction)
	disk.Spec.Condition = &experiments.NodeConditionSpec{Type: corev1.NodeDiskPressure}
	faults := []experiments.Fault{
		{Name: "orphan-crash", Object: podChaos(ns, "web", chaosv1alpha1.PodFailureAction, chaosv1alpha1.AllMode, "")},
		{Name: "orphan-not-ready", Object: nodeChaos("kwok-node-2", experiments.NodeNotReadyAction)},
		{Name: "orphan-heartbeat", Object: nodeChaos("kwok-node-3", experiments.NodeHeartbeatLossAction)},
		{Name: "orphan-disk", Object: disk},
		{Name: "orphan-clock", Object: &chaosv1alpha1.TimeChaos{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns},
			Spec: chaosv1alpha1.TimeChaosSpec{
				ContainerSelector: chaosv1alpha1.ContainerSelector{PodSelector: podSelector("web", chaosv1alpha1.AllMode, "")},
				TimeOffset:        "240h",
			},
		}},
	}
	for _, f := range faults {
		if _, err := crashed.Inject(t.Context(), f); err != nil {
			t.Fatalf("Inject %s: %v", f.Name, err)
		}
	}
	waitFor(t, effectShows, "the pods to crash-loop and node 2 to be NotReady", func(ctx context.Context) (bool, error) {
		pods := listPods(ctx, t, cs, ns, "app=web")
		for _, p := range pods {
			if !crashLooping(&p, "app", 1) {
				return false, nil
			}
		}
		return len(pods) == 2 && !cluster.NodeReady(getNode(ctx, t, cs, "kwok-node-2")), nil
	})

	// The run is interrupted here: its injector is gone.
	fresh := newInjector(t, cfg)
	if err := fresh.RecoverAll(t.Context()); err != nil {
		t.Fatalf("RecoverAll: %v", err)
	}
	if left := stagesOf(t, cfg, ""); len(left) > 0 {
		t.Errorf("stages left after RecoverAll: %v", left)
	}
	for _, node := range []string{"kwok-node-2", "kwok-node-3", "kwok-node-4"} {
		waitNodeHealthy(t, cs, node)
	}
	waitPodsHealthy(t, cs, ns, "app=web", 2)
	s, err := cs.CoreV1().Secrets(ns).Get(t.Context(), "web-tls", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Data[corev1.TLSCertKey], secret.Data[corev1.TLSCertKey]) {
		t.Error("RecoverAll did not restore the certificate")
	}
	assertNothingMarked(t, cs)
	if err := fresh.RecoverAll(t.Context()); err != nil {
		t.Errorf("second RecoverAll: %v", err)
	}
}

// assertNothingMarked checks that no pod, node, secret or lease carries a
// fault's marker.
func assertNothingMarked(t *testing.T, cs kubernetes.Interface) {
	t.Helper()
	ctx := t.Context()
	pods, err := cs.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if hasMarker(p.Labels) {
			t.Errorf("pod %s/%s still marked: %v", p.Namespace, p.Name, p.Labels)
		}
	}
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes.Items {
		if hasMarker(n.Labels) {
			t.Errorf("node %s still marked: %v", n.Name, n.Labels)
		}
	}
	secrets, err := cs.CoreV1().Secrets(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets.Items {
		if hasMarker(s.Labels) {
			t.Errorf("secret %s/%s still marked: %v", s.Namespace, s.Name, s.Labels)
		}
	}
	leases, err := cs.CoordinationV1().Leases(corev1.NamespaceNodeLease).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range leases.Items {
		if hasMarker(l.Labels) {
			t.Errorf("lease %s still marked: %v", l.Name, l.Labels)
		}
	}
}

func TestRecoverIsIdempotent(t *testing.T) {
	cfg, cs := testCluster(t)
	const ns = "idempotent"
	inj := newInjector(t, cfg)
	workload(t, cs, deployment(ns, "web", 1, "kwok-node-1"))
	f := experiments.Fault{Name: "twice", Object: podChaos(ns, "web", chaosv1alpha1.PodFailureAction, chaosv1alpha1.AllMode, "")}

	if err := inj.Recover(t.Context(), f); err != nil {
		t.Errorf("Recover of a fault never injected: %v", err)
	}
	inject(t, inj, f)
	if _, err := inj.Inject(t.Context(), f); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("second Inject of the same fault: err = %v, want it refused", err)
	}
	recoverFault(t, inj, cfg, f)
	if err := inj.Recover(t.Context(), f); err != nil {
		t.Errorf("second Recover: %v", err)
	}
	waitPodsHealthy(t, cs, ns, "app=web", 1)

	invalid := f
	invalid.Object = podChaos(ns, "web", "pod-stress", chaosv1alpha1.AllMode, "")
	if _, err := inj.Inject(t.Context(), invalid); err == nil || !strings.Contains(err.Error(), "spec.action") {
		t.Errorf("Inject of an invalid fault: err = %v, want the field named", err)
	}
}
