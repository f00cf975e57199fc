package chaosmesh_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/chaosmesh"
	"github.com/interlock-dev/interlock/scenarios"
)

// fixtureNamespace holds the pods of the fixtures below.
const fixtureNamespace = "shop"

// selector selects the checkout pods of fixtureNamespace, all of them.
func selector() chaosv1alpha1.PodSelector {
	return chaosv1alpha1.PodSelector{
		Selector: chaosv1alpha1.PodSelectorSpec{GenericSelectorSpec: chaosv1alpha1.GenericSelectorSpec{
			Namespaces:     []string{fixtureNamespace},
			LabelSelectors: map[string]string{"app": "checkout"},
		}},
		Mode: chaosv1alpha1.AllMode,
	}
}

func podChaos(mods ...func(*chaosv1alpha1.PodChaos)) *chaosv1alpha1.PodChaos {
	o := &chaosv1alpha1.PodChaos{Spec: chaosv1alpha1.PodChaosSpec{
		Action:            chaosv1alpha1.PodFailureAction,
		ContainerSelector: chaosv1alpha1.ContainerSelector{PodSelector: selector()},
	}}
	for _, m := range mods {
		m(o)
	}
	return o
}

func httpChaos(mods ...func(*chaosv1alpha1.HTTPChaos)) *chaosv1alpha1.HTTPChaos {
	o := &chaosv1alpha1.HTTPChaos{Spec: chaosv1alpha1.HTTPChaosSpec{
		PodSelector: selector(),
		Target:      chaosv1alpha1.PodHttpResponse,
		Port:        8080,
		Path:        ptr.To("/healthz"),
		PodHttpChaosActions: chaosv1alpha1.PodHttpChaosActions{
			Replace: &chaosv1alpha1.PodHttpChaosReplaceActions{Code: ptr.To[int32](503)},
		},
	}}
	for _, m := range mods {
		m(o)
	}
	return o
}

func timeChaos() *chaosv1alpha1.TimeChaos {
	return &chaosv1alpha1.TimeChaos{Spec: chaosv1alpha1.TimeChaosSpec{
		ContainerSelector: chaosv1alpha1.ContainerSelector{PodSelector: selector(), ContainerNames: []string{"app"}},
		TimeOffset:        "720h",
	}}
}

func networkChaos() *chaosv1alpha1.NetworkChaos {
	return &chaosv1alpha1.NetworkChaos{Spec: chaosv1alpha1.NetworkChaosSpec{
		PodSelector: selector(),
		Action:      chaosv1alpha1.DelayAction,
		TcParameter: chaosv1alpha1.TcParameter{Delay: &chaosv1alpha1.DelaySpec{Latency: "200ms"}},
		Direction:   chaosv1alpha1.To,
	}}
}

func stressChaos(mods ...func(*chaosv1alpha1.StressChaos)) *chaosv1alpha1.StressChaos {
	o := &chaosv1alpha1.StressChaos{Spec: chaosv1alpha1.StressChaosSpec{
		ContainerSelector: chaosv1alpha1.ContainerSelector{PodSelector: selector()},
		Stressors: &chaosv1alpha1.Stressors{CPUStressor: &chaosv1alpha1.CPUStressor{
			Stressor: chaosv1alpha1.Stressor{Workers: 2}, Load: ptr.To(80),
		}},
	}}
	for _, m := range mods {
		m(o)
	}
	return o
}

// fault is f named name, lasting a minute unless f says otherwise.
func fault(name string, f experiments.Fault) experiments.Fault {
	f.Name = name
	if f.For == 0 {
		f.For = time.Minute
	}
	return f
}

// validFaults are faults of every kind of chaosmesh.Kinds that the
// injector accepts, by name.
func validFaults() map[string]experiments.Fault {
	return map[string]experiments.Fault{
		"pod-failure": fault("pod-failure", experiments.Fault{Object: podChaos()}),
		"pod-kill":    fault("pod-kill", experiments.Fault{Object: podChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Action = chaosv1alpha1.PodKillAction; o.Spec.GracePeriod = 5 })}),
		"container-kill": fault("container-kill", experiments.Fault{Object: podChaos(func(o *chaosv1alpha1.PodChaos) {
			o.Spec.Action = chaosv1alpha1.ContainerKillAction
			o.Spec.ContainerNames = []string{"app"}
		})}),
		"http-readiness-lie": fault("http-readiness-lie", experiments.Fault{Object: httpChaos()}),
		"http-abort-delay": fault("http-abort-delay", experiments.Fault{Object: httpChaos(func(o *chaosv1alpha1.HTTPChaos) {
			o.Spec.Replace, o.Spec.Path = nil, ptr.To("/api/*")
			o.Spec.Abort, o.Spec.Delay = ptr.To(true), ptr.To("1s")
		})}),
		"time-skew":     fault("time-skew", experiments.Fault{Object: timeChaos()}),
		"network-delay": fault("network-delay", experiments.Fault{Object: networkChaos()}),
		"cpu-stress":    fault("cpu-stress", experiments.Fault{Object: stressChaos()}),
		"until-teardown": {Name: "until-teardown", Object: podChaos(func(o *chaosv1alpha1.PodChaos) {
			o.Namespace, o.Spec.Selector.Namespaces = fixtureNamespace, nil
		})},
	}
}

// scenarioObjects renders every fault of every shipped scenario that the
// injector accepts, by scenario and fault name. It returns the refusals
// too, one line each.
func scenarioObjects(t *testing.T, s *scenarios.Scenario) (objs []*unstructured.Unstructured, refused []string) {
	t.Helper()
	for i, f := range s.Faults() {
		if errs := (*chaosmesh.Injector)(nil).Validate(f, field.NewPath("spec", "faults").Index(i)); len(errs) > 0 {
			for _, e := range errs {
				refused = append(refused, fmt.Sprintf("%s: %s", f.Name, e))
			}
			continue
		}
		u, err := chaosmesh.Render(f, "")
		if err != nil {
			t.Fatalf("fault %s: Validate accepted it, Render refused it: %v", f.Name, err)
		}
		objs = append(objs, u)
	}
	return objs, refused
}

// errorList lists field errors as "TYPE FIELD", to compare.
func errorList(errs field.ErrorList) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, string(e.Type)+" "+e.Field)
	}
	return out
}

// oneLine flattens a multi-line message.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
