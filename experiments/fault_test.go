package experiments_test

import (
	"testing"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/experiments"
)

var faultPath = field.NewPath("spec", "faults").Index(0)

// errorsOf lists each error as "<type> <field path>".
func errorsOf(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		out = append(out, string(e.Type)+" "+e.Field)
	}
	return out
}

func TestFieldName(t *testing.T) {
	var nilPod *chaosv1alpha1.PodChaos
	u := &unstructured.Unstructured{}
	u.SetKind("KernelChaos")
	tests := map[string]struct {
		obj  runtime.Object
		want string
	}{
		"PodChaos":         {obj: &chaosv1alpha1.PodChaos{}, want: "podChaos"},
		"HTTPChaos":        {obj: &chaosv1alpha1.HTTPChaos{}, want: "httpChaos"},
		"IOChaos":          {obj: &chaosv1alpha1.IOChaos{}, want: "ioChaos"},
		"JVMChaos":         {obj: &chaosv1alpha1.JVMChaos{}, want: "jvmChaos"},
		"TimeChaos":        {obj: &chaosv1alpha1.TimeChaos{}, want: "timeChaos"},
		"NodeChaos":        {obj: &experiments.NodeChaos{}, want: "nodeChaos"},
		"unstructured":     {obj: u, want: "kernelChaos"},
		"nil":              {obj: nil, want: "object"},
		"typed nil":        {obj: nilPod, want: "object"},
		"kind set wrongly": {obj: &experiments.NodeChaos{TypeMeta: metav1.TypeMeta{Kind: "PodChaos"}}, want: "nodeChaos"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := experiments.FieldName(tc.obj); got != tc.want {
				t.Errorf("FieldName() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestValidateFault(t *testing.T) {
	var nilPod *chaosv1alpha1.PodChaos
	tests := map[string]struct {
		fault experiments.Fault
		want  []string
	}{
		"valid": {
			fault: experiments.Fault{Name: "crash-loop", At: time.Minute, For: time.Minute, Object: &chaosv1alpha1.PodChaos{}},
		},
		"missing name": {
			fault: experiments.Fault{Object: &chaosv1alpha1.PodChaos{}},
			want:  []string{"FieldValueRequired spec.faults[0].name"},
		},
		"name with capitals": {
			fault: experiments.Fault{Name: "Crash", Object: &chaosv1alpha1.PodChaos{}},
			want:  []string{"FieldValueInvalid spec.faults[0].name"},
		},
		"name too long for a label": {
			fault: experiments.Fault{Name: "a234567890123456789012345678901234567890123456789012345678901234", Object: &chaosv1alpha1.PodChaos{}},
			want:  []string{"FieldValueInvalid spec.faults[0].name"},
		},
		"negative times": {
			fault: experiments.Fault{Name: "f", At: -1, For: -1, Object: &chaosv1alpha1.PodChaos{}},
			want:  []string{"FieldValueInvalid spec.faults[0].at", "FieldValueInvalid spec.faults[0].for"},
		},
		"no object": {
			fault: experiments.Fault{Name: "f"},
			want:  []string{"FieldValueRequired spec.faults[0]"},
		},
		"typed nil object": {
			fault: experiments.Fault{Name: "f", Object: nilPod},
			want:  []string{"FieldValueRequired spec.faults[0]"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, errorsOf(experiments.ValidateFault(tc.fault, faultPath))); diff != "" {
				t.Errorf("ValidateFault() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateDuration(t *testing.T) {
	tests := map[string]struct {
		duration *string
		faultFor time.Duration
		want     []string
	}{
		"absent":             {faultFor: time.Minute},
		"absent, no for":     {},
		"equal":              {duration: new("60s"), faultFor: time.Minute},
		"different":          {duration: new("2m"), faultFor: time.Minute, want: []string{"FieldValueInvalid spec.duration"}},
		"set, for until end": {duration: new("2m"), want: []string{"FieldValueInvalid spec.duration"}},
		"not a duration":     {duration: new("soon"), faultFor: time.Minute, want: []string{"FieldValueInvalid spec.duration"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := errorsOf(experiments.ValidateDuration(tc.duration, tc.faultFor, field.NewPath("spec", "duration")))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ValidateDuration() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSelectCount(t *testing.T) {
	tests := map[string]struct {
		mode  chaosv1alpha1.SelectorMode
		value string
		n     int
		want  int
	}{
		"one":                        {mode: chaosv1alpha1.OneMode, n: 5, want: 1},
		"one of none":                {mode: chaosv1alpha1.OneMode, n: 0, want: 0},
		"all":                        {mode: chaosv1alpha1.AllMode, n: 5, want: 5},
		"fixed":                      {mode: chaosv1alpha1.FixedMode, value: "2", n: 5, want: 2},
		"fixed beyond the fleet":     {mode: chaosv1alpha1.FixedMode, value: "9", n: 5, want: 5},
		"fixed-percent rounds down":  {mode: chaosv1alpha1.FixedPercentMode, value: "50", n: 5, want: 2},
		"fixed-percent at least one": {mode: chaosv1alpha1.FixedPercentMode, value: "10", n: 3, want: 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := experiments.SelectCount(tc.mode, tc.value, tc.n); got != tc.want {
				t.Errorf("SelectCount() = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestEffectAffects(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Labels: map[string]string{"app": "web"}},
		Spec:       corev1.PodSpec{NodeName: "kwok-node-0"},
	}
	tests := map[string]struct {
		effect experiments.Effect
		want   bool
	}{
		"selected":               {effect: experiments.Effect{Namespace: "shop", Selector: labels.SelectorFromSet(labels.Set{"app": "web"})}, want: true},
		"other namespace":        {effect: experiments.Effect{Namespace: "bank", Selector: labels.Everything()}},
		"other labels":           {effect: experiments.Effect{Namespace: "shop", Selector: labels.SelectorFromSet(labels.Set{"app": "db"})}},
		"nil selector":           {effect: experiments.Effect{Namespace: "shop"}},
		"nothing":                {effect: experiments.Effect{Selector: labels.Nothing()}},
		"on the node":            {effect: experiments.Effect{Selector: labels.Everything(), Nodes: []string{"kwok-node-0"}}, want: true},
		"on another node":        {effect: experiments.Effect{Selector: labels.Everything(), Nodes: []string{"kwok-node-1"}}},
		"any namespace and node": {effect: experiments.Effect{Selector: labels.Everything()}, want: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.effect.Affects(pod); got != tc.want {
				t.Errorf("Affects() = %v, want %v", got, tc.want)
			}
		})
	}
}
