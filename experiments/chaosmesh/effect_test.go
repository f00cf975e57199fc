package chaosmesh

import (
	"strings"
	"testing"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// TestPredictEffect checks what Inject says a fault does to the pods it
// selects: as the builtin injector decides where Chaos Mesh does the same
// thing, nothing where it cannot tell.
func TestPredictEffect(t *testing.T) {
	probed := corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-0", Namespace: "shop", Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name:  "app",
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
			ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
				HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")},
			}},
		}}},
	}
	unprobed := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "shop", Labels: map[string]string{"app": "web"}}}
	http := func(mod func(*chaosv1alpha1.HTTPChaosSpec)) *chaosv1alpha1.HTTPChaos {
		o := &chaosv1alpha1.HTTPChaos{Spec: chaosv1alpha1.HTTPChaosSpec{
			Target: chaosv1alpha1.PodHttpResponse, Port: 8080,
			PodHttpChaosActions: chaosv1alpha1.PodHttpChaosActions{Abort: ptr.To(true)},
		}}
		mod(&o.Spec)
		return o
	}
	pod := func(action chaosv1alpha1.PodChaosAction) *chaosv1alpha1.PodChaos {
		return &chaosv1alpha1.PodChaos{Spec: chaosv1alpha1.PodChaosSpec{Action: action}}
	}
	const (
		none = iota
		looks
		truly
		both
	)
	tests := map[string]struct {
		obj  runtime.Object
		pods []corev1.Pod
		// want is none, looks, truly or both.
		want int
		// selectsNone: the effect selects no pod.
		selectsNone bool
		// description is in the effect's description.
		description string
		// err is in the error, if one is expected.
		err string
	}{
		"pod-failure: broken and looks it": {obj: pod(chaosv1alpha1.PodFailureAction), want: both, description: "pause image"},
		"pod-kill: acts once":              {obj: pod(chaosv1alpha1.PodKillAction), want: none, selectsNone: true, description: "controllers replace"},
		"container-kill: acts once":        {obj: pod(chaosv1alpha1.ContainerKillAction), want: none, selectsNone: true, description: "kubelet restarts"},
		"HTTP on the health path: a readiness lie": {
			obj: http(func(s *chaosv1alpha1.HTTPChaosSpec) { s.Path = ptr.To("/healthz") }), want: looks, description: "while the workload serves",
		},
		"HTTP 503 on a serving path: blind": {
			obj: http(func(s *chaosv1alpha1.HTTPChaosSpec) {
				s.Abort, s.Path = nil, ptr.To("/api")
				s.Replace = &chaosv1alpha1.PodHttpChaosReplaceActions{Code: ptr.To[int32](503)}
			}),
			want: truly, description: "status 503",
		},
		"HTTP on every path: an outage": {obj: http(func(*chaosv1alpha1.HTTPChaosSpec) {}), want: both},
		"HTTP on a pattern covering the health path: an outage": {
			obj: http(func(s *chaosv1alpha1.HTTPChaosSpec) { s.Path = ptr.To("/*") }), want: both,
		},
		"HTTP on another port than the probe's: blind": {
			obj: http(func(s *chaosv1alpha1.HTTPChaosSpec) { s.Port = 9090 }), want: truly,
		},
		"HTTP delay: not predicted": {
			obj:  http(func(s *chaosv1alpha1.HTTPChaosSpec) { s.Abort, s.Delay = nil, ptr.To("1s") }),
			want: none, description: "does not predict",
		},
		"HTTP on one method: not predicted": {
			obj: http(func(s *chaosv1alpha1.HTTPChaosSpec) {
				s.Target, s.Method = chaosv1alpha1.PodHttpRequest, ptr.To("POST")
			}),
			want: none, description: "does not predict",
		},
		"HTTP read differently by the pods": {
			obj: http(func(s *chaosv1alpha1.HTTPChaosSpec) { s.Path = ptr.To("/healthz") }), pods: []corev1.Pod{probed, unprobed},
			err: "read the HTTPChaos differently",
		},
		"TimeChaos: not predicted": {
			obj:  &chaosv1alpha1.TimeChaos{Spec: chaosv1alpha1.TimeChaosSpec{TimeOffset: "720h"}},
			want: none, description: "does not predict",
		},
		"NetworkChaos: not predicted": {
			obj:  &chaosv1alpha1.NetworkChaos{Spec: chaosv1alpha1.NetworkChaosSpec{Action: chaosv1alpha1.PartitionAction}},
			want: none, description: "does not predict",
		},
		"StressChaos: not predicted": {obj: &chaosv1alpha1.StressChaos{}, want: none, description: "does not predict"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			pods := tc.pods
			if pods == nil {
				pods = []corev1.Pod{probed}
			}
			sel := labels.SelectorFromSet(labels.Set{"app": "web"})
			eff, err := predictEffect(tc.obj, &targets{namespace: "shop", selector: sel, pods: pods})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := none
			switch {
			case eff.TrulyBroken && eff.LooksBroken:
				got = both
			case eff.TrulyBroken:
				got = truly
			case eff.LooksBroken:
				got = looks
			}
			if got != tc.want {
				t.Errorf("truly, looks broken = %t, %t (%s)", eff.TrulyBroken, eff.LooksBroken, eff.Description)
			}
			if affects := eff.Affects(&probed); affects == tc.selectsNone {
				t.Errorf("the effect affects web-0: %t", affects)
			}
			if eff.Namespace != "shop" {
				t.Errorf("namespace = %q, want shop", eff.Namespace)
			}
			if !strings.Contains(eff.Description, tc.description) {
				t.Errorf("description %q does not say %q", eff.Description, tc.description)
			}
		})
	}
}
