package builtin_test

import (
	"context"
	"strings"
	"testing"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/internal/testutil"
)

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
	e := newEnv(t)
	t.Run("on the health path the readiness check lies", e.testHTTPHealthPath)
	t.Run("on a serving path the failure is blind", e.testHTTPServingPath)
}

func (e env) testHTTPHealthPath(t *testing.T) {
	t.Parallel()
	const ns = "http-health"
	cfg, cs := e.cfg, e.cs
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
	testutil.WaitFor(t, effectShows, "both pods Ready=False while their containers run", func(ctx context.Context) (bool, error) {
		pods := listPods(ctx, t, cs, ns, "app=web")
		for _, p := range pods {
			app, side := containerStatus(&p, "app"), containerStatus(&p, "side")
			if !eff.Affects(&p) || podCondition(&p, corev1.PodReady) != corev1.ConditionFalse ||
				app.Ready || app.State.Running == nil || app.RestartCount != 0 || !side.Ready {
				return false, nil
			}
		}
		return len(pods) == 2, nil
	}, testutil.DescribePods(cs, ns, ""))
	recoverFault(t, inj, cfg, f)
	waitPodsHealthy(t, cs, ns, "app=web", 2)
}

func (e env) testHTTPServingPath(t *testing.T) {
	t.Parallel()
	const ns = "http-serving"
	cfg, cs := e.cfg, e.cs
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
		if !eff.Affects(&p) || !testutil.PodReady(&p) {
			t.Errorf("pod %s: affected=%v ready=%v, want affected and still Ready", p.Name, eff.Affects(&p), testutil.PodReady(&p))
		}
	}
	recoverFault(t, inj, cfg, f)
	waitPodsHealthy(t, cs, ns, "app=web", 2)
}
