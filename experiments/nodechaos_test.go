package experiments_test

import (
	"fmt"
	"testing"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/interlock-dev/interlock/experiments"
)

// nodeChaos is a valid NodeChaos, changed by modifiers.
func nodeChaos(mods ...func(*experiments.NodeChaos)) *experiments.NodeChaos {
	c := &experiments.NodeChaos{
		TypeMeta: metav1.TypeMeta{APIVersion: "interlock.dev/v1alpha1", Kind: "NodeChaos"},
		Spec: experiments.NodeChaosSpec{
			Action:   experiments.NodeNotReadyAction,
			Selector: experiments.NodeSelectorSpec{LabelSelectors: map[string]string{"topology.kubernetes.io/zone": "zone-a"}},
			Mode:     chaosv1alpha1.OneMode,
		},
	}
	for _, m := range mods {
		m(c)
	}
	return c
}

func TestNodeChaosValidate(t *testing.T) {
	tests := map[string]struct {
		chaos *experiments.NodeChaos
		want  []string
	}{
		"not-ready": {chaos: nodeChaos()},
		"heartbeat-loss of two named nodes": {chaos: nodeChaos(func(c *experiments.NodeChaos) {
			c.Spec.Action = experiments.NodeHeartbeatLossAction
			c.Spec.Selector = experiments.NodeSelectorSpec{Nodes: []string{"kwok-node-0", "kwok-node-1"}}
			c.Spec.Mode = chaosv1alpha1.AllMode
		})},
		"DiskPressure on half the zone": {chaos: nodeChaos(func(c *experiments.NodeChaos) {
			c.Spec.Action = experiments.NodeConditionAction
			c.Spec.Condition = &experiments.NodeConditionSpec{Type: corev1.NodeDiskPressure}
			c.Spec.Mode, c.Spec.Value = chaosv1alpha1.FixedPercentMode, "50"
		})},
		"flap every 10s": {chaos: nodeChaos(func(c *experiments.NodeChaos) {
			c.Spec.Action = experiments.NodeFlapAction
			c.Spec.Period = &metav1.Duration{Duration: 10 * time.Second}
		})},
		"no type meta": {chaos: nodeChaos(func(c *experiments.NodeChaos) { c.TypeMeta = metav1.TypeMeta{} })},

		"nil": {
			want: []string{"FieldValueRequired spec.faults[0].nodeChaos"},
		},
		"wrong apiVersion and kind": {
			chaos: nodeChaos(func(c *experiments.NodeChaos) { c.APIVersion, c.Kind = "chaos-mesh.org/v1alpha1", "PodChaos" }),
			want: []string{
				"FieldValueInvalid spec.faults[0].nodeChaos.apiVersion",
				"FieldValueInvalid spec.faults[0].nodeChaos.kind",
			},
		},
		"missing action, selector and mode": {
			chaos: nodeChaos(func(c *experiments.NodeChaos) { c.Spec = experiments.NodeChaosSpec{} }),
			want: []string{
				"FieldValueRequired spec.faults[0].nodeChaos.spec.action",
				"FieldValueRequired spec.faults[0].nodeChaos.spec.selector",
				"FieldValueRequired spec.faults[0].nodeChaos.spec.mode",
			},
		},
		"unknown action": {
			chaos: nodeChaos(func(c *experiments.NodeChaos) { c.Spec.Action = "reboot" }),
			want:  []string{"FieldValueNotSupported spec.faults[0].nodeChaos.spec.action"},
		},
		"bad node name and label": {
			chaos: nodeChaos(func(c *experiments.NodeChaos) {
				c.Spec.Selector = experiments.NodeSelectorSpec{Nodes: []string{"Node_0"}, LabelSelectors: map[string]string{"zone": "a b"}}
			}),
			want: []string{
				"FieldValueInvalid spec.faults[0].nodeChaos.spec.selector.nodes[0]",
				"FieldValueInvalid spec.faults[0].nodeChaos.spec.selector.labelSelectors[zone]",
			},
		},
		"random-max-percent": {
			chaos: nodeChaos(func(c *experiments.NodeChaos) { c.Spec.Mode, c.Spec.Value = chaosv1alpha1.RandomMaxPercentMode, "50" }),
			want:  []string{"FieldValueNotSupported spec.faults[0].nodeChaos.spec.mode"},
		},
		"fixed zero": {
			chaos: nodeChaos(func(c *experiments.NodeChaos) { c.Spec.Mode, c.Spec.Value = chaosv1alpha1.FixedMode, "0" }),
			want:  []string{"FieldValueInvalid spec.faults[0].nodeChaos.spec.value"},
		},
		"one with a value": {
			chaos: nodeChaos(func(c *experiments.NodeChaos) { c.Spec.Value = "1" }),
			want:  []string{"FieldValueInvalid spec.faults[0].nodeChaos.spec.value"},
		},
		"condition missing": {
			chaos: nodeChaos(func(c *experiments.NodeChaos) { c.Spec.Action = experiments.NodeConditionAction }),
			want:  []string{"FieldValueRequired spec.faults[0].nodeChaos.spec.condition"},
		},
		"condition without type, bad status": {
			chaos: nodeChaos(func(c *experiments.NodeChaos) {
				c.Spec.Action = experiments.NodeConditionAction
				c.Spec.Condition = &experiments.NodeConditionSpec{Status: "Perhaps"}
			}),
			want: []string{
				"FieldValueRequired spec.faults[0].nodeChaos.spec.condition.type",
				"FieldValueNotSupported spec.faults[0].nodeChaos.spec.condition.status",
			},
		},
		"condition Ready": {
			chaos: nodeChaos(func(c *experiments.NodeChaos) {
				c.Spec.Action = experiments.NodeConditionAction
				c.Spec.Condition = &experiments.NodeConditionSpec{Type: corev1.NodeReady}
			}),
			want: []string{"FieldValueInvalid spec.faults[0].nodeChaos.spec.condition.type"},
		},
		"condition on another action": {
			chaos: nodeChaos(func(c *experiments.NodeChaos) {
				c.Spec.Condition = &experiments.NodeConditionSpec{Type: corev1.NodeDiskPressure}
			}),
			want: []string{"FieldValueInvalid spec.faults[0].nodeChaos.spec.condition"},
		},
		"flap without period": {
			chaos: nodeChaos(func(c *experiments.NodeChaos) { c.Spec.Action = experiments.NodeFlapAction }),
			want:  []string{"FieldValueRequired spec.faults[0].nodeChaos.spec.period"},
		},
		"flap too fast": {
			chaos: nodeChaos(func(c *experiments.NodeChaos) {
				c.Spec.Action = experiments.NodeFlapAction
				c.Spec.Period = &metav1.Duration{Duration: 100 * time.Millisecond}
			}),
			want: []string{"FieldValueInvalid spec.faults[0].nodeChaos.spec.period"},
		},
		"period on another action": {
			chaos: nodeChaos(func(c *experiments.NodeChaos) { c.Spec.Period = &metav1.Duration{Duration: time.Minute} }),
			want:  []string{"FieldValueInvalid spec.faults[0].nodeChaos.spec.period"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := errorsOf(tc.chaos.Validate(faultPath.Child("nodeChaos")))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Validate() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNodeChaosDeepCopy(t *testing.T) {
	orig := nodeChaos(func(c *experiments.NodeChaos) {
		c.Spec.Action = experiments.NodeConditionAction
		c.Spec.Selector.Nodes = []string{"kwok-node-0"}
		c.Spec.Condition = &experiments.NodeConditionSpec{Type: corev1.NodeDiskPressure}
		c.Spec.Period = &metav1.Duration{Duration: time.Second}
		c.Labels = map[string]string{"a": "b"}
	})
	cp, ok := orig.DeepCopyObject().(*experiments.NodeChaos)
	if !ok {
		t.Fatalf("DeepCopyObject() returned %T", orig.DeepCopyObject())
	}
	if diff := cmp.Diff(orig, cp); diff != "" {
		t.Fatalf("copy differs (-orig +copy):\n%s", diff)
	}
	cp.Spec.Selector.Nodes[0] = "x"
	cp.Spec.Selector.LabelSelectors["topology.kubernetes.io/zone"] = "x"
	cp.Spec.Condition.Type = "x"
	cp.Spec.Period.Duration = time.Hour
	cp.Labels["a"] = "x"
	if orig.Spec.Selector.Nodes[0] != "kwok-node-0" || orig.Spec.Selector.LabelSelectors["topology.kubernetes.io/zone"] != "zone-a" ||
		orig.Spec.Condition.Type != corev1.NodeDiskPressure || orig.Spec.Period.Duration != time.Second || orig.Labels["a"] != "b" {
		t.Errorf("changing the copy changed the original: %+v", orig)
	}
	var nilChaos *experiments.NodeChaos
	if nilChaos.DeepCopyObject() != nil {
		t.Error("DeepCopyObject of nil is not nil")
	}
}

func TestNodeChaosYAML(t *testing.T) {
	const doc = `
apiVersion: interlock.dev/v1alpha1
kind: NodeChaos
metadata:
  name: disk
spec:
  action: condition
  mode: fixed
  value: "2"
  selector:
    labelSelectors:
      topology.kubernetes.io/zone: zone-a
  condition:
    type: DiskPressure
`
	var c experiments.NodeChaos
	if err := yaml.UnmarshalStrict([]byte(doc), &c); err != nil {
		t.Fatal(err)
	}
	if errs := c.Validate(field.NewPath("nodeChaos")); len(errs) > 0 {
		t.Fatalf("Validate: %v", errs)
	}
	if c.Spec.Condition.Type != corev1.NodeDiskPressure || c.Spec.Mode != chaosv1alpha1.FixedMode || c.GroupVersionKind().GroupVersion() != experiments.GroupVersion {
		t.Errorf("decoded %+v", c)
	}
}

func ExampleNodeChaos_Validate() {
	c := &experiments.NodeChaos{Spec: experiments.NodeChaosSpec{
		Action:   experiments.NodeFlapAction,
		Selector: experiments.NodeSelectorSpec{Nodes: []string{"kwok-node-0"}},
		Mode:     chaosv1alpha1.AllMode,
	}}
	for _, err := range c.Validate(field.NewPath("spec", "faults").Index(0).Child("nodeChaos")) {
		fmt.Println(err)
	}
	// Output:
	// spec.faults[0].nodeChaos.spec.period: Required value: the flap action needs how long each phase lasts
}
