package builtin_test

import (
	"context"
	"testing"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/builtin"
)

// env is the shared cluster as the subtests of one fault kind use it: its
// admin config, for injectors, and a client.
type env struct {
	cfg *rest.Config
	cs  kubernetes.Interface
}

// newEnv returns the shared cluster, starting it on first use.
func newEnv(t *testing.T) env {
	t.Helper()
	cfg, cs := testCluster(t)
	return env{cfg: cfg, cs: cs}
}

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

// crashLooping reports whether the container waits in CrashLoopBackOff with
// at least min restarts.
func crashLooping(p *corev1.Pod, container string, min int32) bool {
	s := containerStatus(p, container)
	return s.State.Waiting != nil && s.State.Waiting.Reason == "CrashLoopBackOff" && !s.Ready && s.RestartCount >= min
}
