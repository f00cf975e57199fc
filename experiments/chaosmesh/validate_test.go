package chaosmesh_test

import (
	"strings"
	"testing"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/chaosmesh"
)

func TestValidate(t *testing.T) {
	at := field.NewPath("spec", "faults").Index(0)
	type test struct {
		fault experiments.Fault
		// want lists the errors as "TYPE FIELD".
		want []string
		// detail, if set, is in the first error's detail.
		detail string
	}
	tests := map[string]test{
		"NodeChaos: Chaos Mesh has no equivalent": {
			fault: experiments.Fault{Name: "node-down", For: time.Minute, Object: &experiments.NodeChaos{Spec: experiments.NodeChaosSpec{
				Action: experiments.NodeHeartbeatLossAction, Mode: chaosv1alpha1.AllMode,
				Selector: experiments.NodeSelectorSpec{Nodes: []string{"kwok-node-1"}},
			}}},
			want:   []string{"FieldValueNotSupported spec.faults[0].nodeChaos"},
			detail: "Chaos Mesh has no fault that makes a Kubernetes node NotReady",
		},
		"duration shorter than the fault's for": {
			fault:  fault("short", experiments.Fault{Object: podChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Duration = ptr.To("30s") })}),
			want:   []string{"FieldValueInvalid spec.faults[0].podChaos.spec.duration"},
			detail: "conflicts with the fault's for (1m0s)",
		},
		"duration on a fault that lasts until teardown": {
			fault:  experiments.Fault{Name: "forever", Object: httpChaos(func(o *chaosv1alpha1.HTTPChaos) { o.Spec.Duration = ptr.To("1m") })},
			want:   []string{"FieldValueInvalid spec.faults[0].httpChaos.spec.duration"},
			detail: "conflicts with the fault's for, which is unset",
		},
		"duration equal to the fault's for": {
			fault: fault("equal", experiments.Fault{Object: podChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Duration = ptr.To("60s") })}),
		},
		"duration not a duration: reported once": {
			fault: fault("soon", experiments.Fault{Object: podChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Duration = ptr.To("soon") })}),
			want:  []string{"FieldValueInvalid spec.faults[0].podChaos.spec.duration"},
		},
		"mode one: Chaos Mesh picks at random": {
			fault:  fault("one", experiments.Fault{Object: podChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Mode = chaosv1alpha1.OneMode })}),
			want:   []string{"FieldValueNotSupported spec.faults[0].podChaos.spec.mode"},
			detail: "at random",
		},
		"no mode": {
			fault: fault("no-mode", experiments.Fault{Object: timeChaos()}),
			want:  []string{"FieldValueRequired spec.faults[0].timeChaos.spec.mode"},
		},
		"two namespaces": {
			fault: fault("two", experiments.Fault{Object: podChaos(func(o *chaosv1alpha1.PodChaos) {
				o.Spec.Selector.Namespaces = []string{"a", "b"}
			})}),
			want: []string{"FieldValueInvalid spec.faults[0].podChaos.spec.selector.namespaces"},
		},
		"no namespace anywhere": {
			fault: fault("nowhere", experiments.Fault{Object: podChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Selector.Namespaces = nil })}),
			want:  []string{"FieldValueRequired spec.faults[0].podChaos.spec.selector.namespaces"},
		},
		"selectors the harness cannot follow": {
			fault: fault("annotated", experiments.Fault{Object: networkChaos()}),
			want: []string{
				"FieldValueInvalid spec.faults[0].networkChaos.spec.selector.annotationSelectors",
				"FieldValueInvalid spec.faults[0].networkChaos.spec.selector.pods",
			},
		},
		"another cluster": {
			fault: fault("remote", experiments.Fault{Object: stressChaos(func(o *chaosv1alpha1.StressChaos) { o.Spec.RemoteCluster = "east" })}),
			want:  []string{"FieldValueInvalid spec.faults[0].stressChaos.spec.remoteCluster"},
		},
		"Chaos Mesh's webhook: container-kill needs containers": {
			fault: fault("kill", experiments.Fault{Object: podChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Action = chaosv1alpha1.ContainerKillAction })}),
			want:  []string{"FieldValueInvalid spec.faults[0].podChaos.spec.containerNames"},
		},
		"Chaos Mesh's webhook: a StressChaos needs stressors": {
			fault: fault("idle", experiments.Fault{Object: stressChaos(func(o *chaosv1alpha1.StressChaos) { o.Spec.Stressors = nil })}),
			want:  []string{"FieldValueInvalid spec.faults[0].stressChaos.spec"},
		},
		"Chaos Mesh's webhook: an HTTP method": {
			fault: fault("method", experiments.Fault{Object: httpChaos(func(o *chaosv1alpha1.HTTPChaos) {
				o.Spec.Target, o.Spec.Method = chaosv1alpha1.PodHttpRequest, ptr.To("FETCH")
			})}),
			want: []string{"FieldValueInvalid spec.faults[0].httpChaos.spec.method"},
		},
		"another Chaos Mesh kind": {
			fault: fault("io", experiments.Fault{Object: &chaosv1alpha1.IOChaos{}}),
			want:  []string{"FieldValueNotSupported spec.faults[0].ioChaos"},
		},
		"no object": {
			fault: experiments.Fault{Name: "empty"},
			want:  []string{"FieldValueRequired spec.faults[0]"},
		},
		"a name that is no label": {
			fault: fault("Bad_Name", experiments.Fault{Object: podChaos()}),
			want:  []string{"FieldValueInvalid spec.faults[0].name"},
		},
	}
	for name, f := range validFaults() {
		tests["accepted: "+name] = test{fault: f}
	}
	// networkChaos is valid; the case above adds selectors to it.
	nc := tests["selectors the harness cannot follow"]
	sel := &nc.fault.Object.(*chaosv1alpha1.NetworkChaos).Spec.Selector
	sel.AnnotationSelectors = map[string]string{"team": "a"}
	sel.Pods = map[string][]string{"shop": {"checkout-0"}}
	tests["no mode"].fault.Object.(*chaosv1alpha1.TimeChaos).Spec.Mode = ""

	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			errs := (*chaosmesh.Injector)(nil).Validate(tc.fault, at)
			if diff := cmp.Diff(tc.want, errorList(errs), cmpEmpty); diff != "" {
				t.Errorf("errors (-want +got):\n%s\nall: %v", diff, errs)
			}
			if tc.detail != "" && len(errs) > 0 && !strings.Contains(errs[0].Detail, tc.detail) {
				t.Errorf("detail %q does not say %q", errs[0].Detail, tc.detail)
			}
		})
	}
}

// cmpEmpty equates a nil and an empty list.
var cmpEmpty = cmp.Transformer("empty", func(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
})

func TestName(t *testing.T) {
	if got := (*chaosmesh.Injector)(nil).Name(); got != "chaosmesh" {
		t.Errorf("Name() = %q, want chaosmesh", got)
	}
}
