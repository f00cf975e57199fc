package builtin_test

import (
	"testing"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/rest"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/builtin"
)

// Fixture builders: a valid fault of each kind, changed by modifiers.

func validPodChaos(mods ...func(*chaosv1alpha1.PodChaos)) *chaosv1alpha1.PodChaos {
	o := podChaos("shop", "web", chaosv1alpha1.PodFailureAction, chaosv1alpha1.AllMode, "")
	for _, m := range mods {
		m(o)
	}
	return o
}

func validHTTPChaos(mods ...func(*chaosv1alpha1.HTTPChaos)) *chaosv1alpha1.HTTPChaos {
	o := httpChaos("shop", "web", "/healthz")
	for _, m := range mods {
		m(o)
	}
	return o
}

func validTimeChaos(mods ...func(*chaosv1alpha1.TimeChaos)) *chaosv1alpha1.TimeChaos {
	o := &chaosv1alpha1.TimeChaos{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop"},
		Spec: chaosv1alpha1.TimeChaosSpec{
			ContainerSelector: chaosv1alpha1.ContainerSelector{PodSelector: podSelector("web", chaosv1alpha1.AllMode, "")},
			TimeOffset:        "720h",
		},
	}
	for _, m := range mods {
		m(o)
	}
	return o
}

func validNodeChaos(mods ...func(*experiments.NodeChaos)) *experiments.NodeChaos {
	o := nodeChaos("kwok-node-0", experiments.NodeNotReadyAction)
	for _, m := range mods {
		m(o)
	}
	return o
}

func TestValidate(t *testing.T) {
	inj, err := builtin.New(&rest.Config{Host: "https://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	fault := func(obj experiments.Fault) experiments.Fault {
		if obj.Name == "" {
			obj.Name = "f"
		}
		return obj
	}
	tests := map[string]struct {
		fault experiments.Fault
		// want lists each error as "<type> <field path>".
		want []string
	}{
		"pod-failure, valid": {
			fault: fault(experiments.Fault{Object: validPodChaos()}),
		},
		"container-kill with containers, valid": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) {
				o.Spec.Action = chaosv1alpha1.ContainerKillAction
				o.Spec.ContainerNames = []string{"app"}
			})}),
		},
		"pod-kill with grace period and equal duration, valid": {
			fault: fault(experiments.Fault{For: time.Minute, Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) {
				o.Spec.Action = chaosv1alpha1.PodKillAction
				o.Spec.GracePeriod = 30
				o.Spec.Duration = new("1m")
				o.Spec.Mode, o.Spec.Value = chaosv1alpha1.FixedPercentMode, "50"
			})}),
		},
		"http abort on the health path, valid": {
			fault: fault(experiments.Fault{Object: validHTTPChaos()}),
		},
		"http 503 response, valid": {
			fault: fault(experiments.Fault{Object: validHTTPChaos(func(o *chaosv1alpha1.HTTPChaos) {
				o.Spec.Abort = nil
				o.Spec.Target = chaosv1alpha1.PodHttpResponse
				o.Spec.Replace = &chaosv1alpha1.PodHttpChaosReplaceActions{Code: new(int32(503))}
			})}),
		},
		"time chaos, valid": {
			fault: fault(experiments.Fault{Object: validTimeChaos(func(o *chaosv1alpha1.TimeChaos) {
				o.Spec.ClockIds = []string{"CLOCK_REALTIME"}
				o.Spec.ContainerNames = []string{"app"}
			})}),
		},
		"node chaos, valid": {
			fault: fault(experiments.Fault{Object: validNodeChaos()}),
		},
		"expression selectors are honoured": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) {
				o.Spec.Selector.ExpressionSelectors = chaosv1alpha1.LabelSelectorRequirements{{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"front"}}}
			})}),
		},

		"fault without name, object or positive times": {
			fault: experiments.Fault{At: -time.Second, For: -time.Second},
			want: []string{
				"FieldValueRequired spec.faults[0].name",
				"FieldValueInvalid spec.faults[0].at",
				"FieldValueInvalid spec.faults[0].for",
				"FieldValueRequired spec.faults[0]",
			},
		},
		"fault name not a DNS label": {
			fault: experiments.Fault{Name: "Crash_Loop", Object: validPodChaos()},
			want:  []string{"FieldValueInvalid spec.faults[0].name"},
		},
		"unsupported kind": {
			fault: fault(experiments.Fault{Object: &chaosv1alpha1.NetworkChaos{}}),
			want:  []string{"FieldValueNotSupported spec.faults[0].networkChaos"},
		},
		"stress chaos": {
			fault: fault(experiments.Fault{Object: &chaosv1alpha1.StressChaos{}}),
			want:  []string{"FieldValueNotSupported spec.faults[0].stressChaos"},
		},
		"io chaos": {
			fault: fault(experiments.Fault{Object: &chaosv1alpha1.IOChaos{}}),
			want:  []string{"FieldValueNotSupported spec.faults[0].ioChaos"},
		},

		"pod chaos: unsupported action": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Action = "pod-stress" })}),
			want:  []string{"FieldValueNotSupported spec.faults[0].podChaos.spec.action"},
		},
		"pod chaos: missing action": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Action = "" })}),
			want:  []string{"FieldValueRequired spec.faults[0].podChaos.spec.action"},
		},
		"pod chaos: grace period outside pod-kill": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.GracePeriod = 10 })}),
			want:  []string{"FieldValueInvalid spec.faults[0].podChaos.spec.gracePeriod"},
		},
		"pod chaos: negative grace period": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) {
				o.Spec.Action = chaosv1alpha1.PodKillAction
				o.Spec.GracePeriod = -1
			})}),
			want: []string{"FieldValueInvalid spec.faults[0].podChaos.spec.gracePeriod"},
		},
		"pod chaos: container names outside container-kill": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.ContainerNames = []string{"app"} })}),
			want:  []string{"FieldValueInvalid spec.faults[0].podChaos.spec.containerNames"},
		},
		"pod chaos: container-kill without containers": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Action = chaosv1alpha1.ContainerKillAction })}),
			want:  []string{"FieldValueRequired spec.faults[0].podChaos.spec.containerNames"},
		},
		"pod chaos: duration without for": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Duration = new("5m") })}),
			want:  []string{"FieldValueInvalid spec.faults[0].podChaos.spec.duration"},
		},
		"pod chaos: duration unlike for": {
			fault: fault(experiments.Fault{For: time.Minute, Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Duration = new("5m") })}),
			want:  []string{"FieldValueInvalid spec.faults[0].podChaos.spec.duration"},
		},
		"pod chaos: remote cluster": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.RemoteCluster = "east" })}),
			want:  []string{"FieldValueInvalid spec.faults[0].podChaos.spec.remoteCluster"},
		},
		"selector fields the builtin cannot honour": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) {
				s := &o.Spec.Selector
				s.Nodes = []string{"kwok-node-0"}
				s.Pods = map[string][]string{"shop": {"web-1"}}
				s.FieldSelectors = map[string]string{"status.phase": "Running"}
				s.AnnotationSelectors = map[string]string{"a": "b"}
				s.NodeSelectors = map[string]string{"zone": "a"}
				s.PodPhaseSelectors = []string{"Running"}
			})}),
			want: []string{
				"FieldValueInvalid spec.faults[0].podChaos.spec.selector.fieldSelectors",
				"FieldValueInvalid spec.faults[0].podChaos.spec.selector.annotationSelectors",
				"FieldValueInvalid spec.faults[0].podChaos.spec.selector.nodes",
				"FieldValueInvalid spec.faults[0].podChaos.spec.selector.pods",
				"FieldValueInvalid spec.faults[0].podChaos.spec.selector.nodeSelectors",
				"FieldValueInvalid spec.faults[0].podChaos.spec.selector.podPhaseSelectors",
			},
		},
		"selector: two namespaces": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Selector.Namespaces = []string{"a", "b"} })}),
			want:  []string{"FieldValueInvalid spec.faults[0].podChaos.spec.selector.namespaces"},
		},
		"selector: no namespace anywhere": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) { o.Namespace = "" })}),
			want:  []string{"FieldValueRequired spec.faults[0].podChaos.spec.selector.namespaces"},
		},
		"selector: bad label": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) {
				o.Spec.Selector.LabelSelectors = map[string]string{"app": "no spaces"}
			})}),
			want: []string{"FieldValueInvalid spec.faults[0].podChaos.spec.selector.labelSelectors[app]"},
		},
		"selector: bad expression": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) {
				o.Spec.Selector.ExpressionSelectors = chaosv1alpha1.LabelSelectorRequirements{{Key: "tier", Operator: "Near"}}
			})}),
			want: []string{"FieldValueInvalid spec.faults[0].podChaos.spec.selector.expressionSelectors"},
		},
		"mode: random-max-percent": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) {
				o.Spec.Mode, o.Spec.Value = chaosv1alpha1.RandomMaxPercentMode, "50"
			})}),
			want: []string{"FieldValueNotSupported spec.faults[0].podChaos.spec.mode"},
		},
		"mode: missing": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Mode = "" })}),
			want:  []string{"FieldValueRequired spec.faults[0].podChaos.spec.mode"},
		},
		"mode: fixed without a count": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Mode = chaosv1alpha1.FixedMode })}),
			want:  []string{"FieldValueInvalid spec.faults[0].podChaos.spec.value"},
		},
		"mode: fixed-percent over 100": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) {
				o.Spec.Mode, o.Spec.Value = chaosv1alpha1.FixedPercentMode, "150"
			})}),
			want: []string{"FieldValueInvalid spec.faults[0].podChaos.spec.value"},
		},
		"mode: all with a value": {
			fault: fault(experiments.Fault{Object: validPodChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Value = "2" })}),
			want:  []string{"FieldValueInvalid spec.faults[0].podChaos.spec.value"},
		},

		"http chaos: every field the builtin cannot honour": {
			fault: fault(experiments.Fault{Object: validHTTPChaos(func(o *chaosv1alpha1.HTTPChaos) {
				o.Spec.Delay = new("1s")
				o.Spec.Patch = &chaosv1alpha1.PodHttpChaosPatchActions{Headers: [][]string{{"a", "b"}}}
				o.Spec.Method = new("GET")
				o.Spec.Code = new(int32(200))
				o.Spec.RequestHeaders = map[string]string{"a": "b"}
				o.Spec.ResponseHeaders = map[string]string{"a": "b"}
				o.Spec.TLS = &chaosv1alpha1.PodHttpChaosTLS{SecretName: "tls"}
				o.Spec.RemoteCluster = "east"
				o.Spec.Duration = new("1m")
			})}),
			want: []string{
				"FieldValueInvalid spec.faults[0].httpChaos.spec.delay",
				"FieldValueInvalid spec.faults[0].httpChaos.spec.patch",
				"FieldValueInvalid spec.faults[0].httpChaos.spec.method",
				"FieldValueInvalid spec.faults[0].httpChaos.spec.code",
				"FieldValueInvalid spec.faults[0].httpChaos.spec.request_headers",
				"FieldValueInvalid spec.faults[0].httpChaos.spec.response_headers",
				"FieldValueInvalid spec.faults[0].httpChaos.spec.tls",
				"FieldValueInvalid spec.faults[0].httpChaos.spec.duration",
				"FieldValueInvalid spec.faults[0].httpChaos.spec.remoteCluster",
			},
		},
		"http chaos: neither abort nor replace": {
			fault: fault(experiments.Fault{Object: validHTTPChaos(func(o *chaosv1alpha1.HTTPChaos) { o.Spec.Abort = nil })}),
			want:  []string{"FieldValueRequired spec.faults[0].httpChaos.spec.abort"},
		},
		"http chaos: abort false": {
			fault: fault(experiments.Fault{Object: validHTTPChaos(func(o *chaosv1alpha1.HTTPChaos) { o.Spec.Abort = new(false) })}),
			want:  []string{"FieldValueInvalid spec.faults[0].httpChaos.spec.abort"},
		},
		"http chaos: abort and replace": {
			fault: fault(experiments.Fault{Object: validHTTPChaos(func(o *chaosv1alpha1.HTTPChaos) {
				o.Spec.Target = chaosv1alpha1.PodHttpResponse
				o.Spec.Replace = &chaosv1alpha1.PodHttpChaosReplaceActions{Code: new(int32(500))}
			})}),
			want: []string{"FieldValueInvalid spec.faults[0].httpChaos.spec.replace"},
		},
		"http chaos: replaced code not a server error": {
			fault: fault(experiments.Fault{Object: validHTTPChaos(func(o *chaosv1alpha1.HTTPChaos) {
				o.Spec.Abort = nil
				o.Spec.Target = chaosv1alpha1.PodHttpResponse
				o.Spec.Replace = &chaosv1alpha1.PodHttpChaosReplaceActions{Code: new(int32(404))}
			})}),
			want: []string{"FieldValueInvalid spec.faults[0].httpChaos.spec.replace.code"},
		},
		"http chaos: replaced code on a request": {
			fault: fault(experiments.Fault{Object: validHTTPChaos(func(o *chaosv1alpha1.HTTPChaos) {
				o.Spec.Abort = nil
				o.Spec.Replace = &chaosv1alpha1.PodHttpChaosReplaceActions{Code: new(int32(503))}
			})}),
			want: []string{"FieldValueInvalid spec.faults[0].httpChaos.spec.replace.code"},
		},
		"http chaos: replace beyond the code": {
			fault: fault(experiments.Fault{Object: validHTTPChaos(func(o *chaosv1alpha1.HTTPChaos) {
				o.Spec.Abort = nil
				o.Spec.Target = chaosv1alpha1.PodHttpResponse
				o.Spec.Replace = &chaosv1alpha1.PodHttpChaosReplaceActions{
					Code: new(int32(503)), Path: new("/x"), Method: new("PUT"), Body: []byte("x"),
					Queries: map[string]string{"a": "b"}, Headers: map[string]string{"a": "b"},
				}
			})}),
			want: []string{
				"FieldValueInvalid spec.faults[0].httpChaos.spec.replace.path",
				"FieldValueInvalid spec.faults[0].httpChaos.spec.replace.method",
				"FieldValueInvalid spec.faults[0].httpChaos.spec.replace.body",
				"FieldValueInvalid spec.faults[0].httpChaos.spec.replace.queries",
				"FieldValueInvalid spec.faults[0].httpChaos.spec.replace.headers",
			},
		},
		"http chaos: no target": {
			fault: fault(experiments.Fault{Object: validHTTPChaos(func(o *chaosv1alpha1.HTTPChaos) { o.Spec.Target = "" })}),
			want:  []string{"FieldValueRequired spec.faults[0].httpChaos.spec.target"},
		},
		"http chaos: unknown target": {
			fault: fault(experiments.Fault{Object: validHTTPChaos(func(o *chaosv1alpha1.HTTPChaos) { o.Spec.Target = "Both" })}),
			want:  []string{"FieldValueNotSupported spec.faults[0].httpChaos.spec.target"},
		},
		"http chaos: port out of range": {
			fault: fault(experiments.Fault{Object: validHTTPChaos(func(o *chaosv1alpha1.HTTPChaos) { o.Spec.Port = 70000 })}),
			want:  []string{"FieldValueInvalid spec.faults[0].httpChaos.spec.port"},
		},
		"http chaos: bad path pattern": {
			fault: fault(experiments.Fault{Object: validHTTPChaos(func(o *chaosv1alpha1.HTTPChaos) { o.Spec.Path = new("/[") })}),
			want:  []string{"FieldValueInvalid spec.faults[0].httpChaos.spec.path"},
		},

		"time chaos: no offset": {
			fault: fault(experiments.Fault{Object: validTimeChaos(func(o *chaosv1alpha1.TimeChaos) { o.Spec.TimeOffset = "" })}),
			want:  []string{"FieldValueRequired spec.faults[0].timeChaos.spec.timeOffset"},
		},
		"time chaos: clock behind": {
			fault: fault(experiments.Fault{Object: validTimeChaos(func(o *chaosv1alpha1.TimeChaos) { o.Spec.TimeOffset = "-1h" })}),
			want:  []string{"FieldValueInvalid spec.faults[0].timeChaos.spec.timeOffset"},
		},
		"time chaos: offset not a duration": {
			fault: fault(experiments.Fault{Object: validTimeChaos(func(o *chaosv1alpha1.TimeChaos) { o.Spec.TimeOffset = "a month" })}),
			want:  []string{"FieldValueInvalid spec.faults[0].timeChaos.spec.timeOffset"},
		},
		"time chaos: other clocks": {
			fault: fault(experiments.Fault{Object: validTimeChaos(func(o *chaosv1alpha1.TimeChaos) { o.Spec.ClockIds = []string{"CLOCK_MONOTONIC"} })}),
			want:  []string{"FieldValueInvalid spec.faults[0].timeChaos.spec.clockIds"},
		},
		"time chaos: remote cluster and bad container": {
			fault: fault(experiments.Fault{Object: validTimeChaos(func(o *chaosv1alpha1.TimeChaos) {
				o.Spec.RemoteCluster = "east"
				o.Spec.ContainerNames = []string{"App"}
			})}),
			want: []string{
				"FieldValueInvalid spec.faults[0].timeChaos.spec.containerNames[0]",
				"FieldValueInvalid spec.faults[0].timeChaos.spec.remoteCluster",
			},
		},

		"node chaos: unknown action": {
			fault: fault(experiments.Fault{Object: validNodeChaos(func(o *experiments.NodeChaos) { o.Spec.Action = "reboot" })}),
			want:  []string{"FieldValueNotSupported spec.faults[0].nodeChaos.spec.action"},
		},
		"node chaos: no selector": {
			fault: fault(experiments.Fault{Object: validNodeChaos(func(o *experiments.NodeChaos) { o.Spec.Selector = experiments.NodeSelectorSpec{} })}),
			want:  []string{"FieldValueRequired spec.faults[0].nodeChaos.spec.selector"},
		},
		"node chaos: condition without its spec": {
			fault: fault(experiments.Fault{Object: validNodeChaos(func(o *experiments.NodeChaos) { o.Spec.Action = experiments.NodeConditionAction })}),
			want:  []string{"FieldValueRequired spec.faults[0].nodeChaos.spec.condition"},
		},
		"node chaos: condition Ready": {
			fault: fault(experiments.Fault{Object: validNodeChaos(func(o *experiments.NodeChaos) {
				o.Spec.Action = experiments.NodeConditionAction
				o.Spec.Condition = &experiments.NodeConditionSpec{Type: corev1.NodeReady, Status: "Maybe"}
			})}),
			want: []string{
				"FieldValueInvalid spec.faults[0].nodeChaos.spec.condition.type",
				"FieldValueNotSupported spec.faults[0].nodeChaos.spec.condition.status",
			},
		},
		"node chaos: condition on not-ready": {
			fault: fault(experiments.Fault{Object: validNodeChaos(func(o *experiments.NodeChaos) {
				o.Spec.Condition = &experiments.NodeConditionSpec{Type: corev1.NodeDiskPressure}
			})}),
			want: []string{"FieldValueInvalid spec.faults[0].nodeChaos.spec.condition"},
		},
		"node chaos: flap without period, fixed without count": {
			fault: fault(experiments.Fault{Object: validNodeChaos(func(o *experiments.NodeChaos) {
				o.Spec.Action = experiments.NodeFlapAction
				o.Spec.Mode = chaosv1alpha1.FixedMode
			})}),
			want: []string{
				"FieldValueInvalid spec.faults[0].nodeChaos.spec.value",
				"FieldValueRequired spec.faults[0].nodeChaos.spec.period",
			},
		},
		"node chaos: period on heartbeat-loss": {
			fault: fault(experiments.Fault{Object: validNodeChaos(func(o *experiments.NodeChaos) {
				o.Spec.Action = experiments.NodeHeartbeatLossAction
				o.Spec.Period = &metav1.Duration{Duration: time.Second}
			})}),
			want: []string{"FieldValueInvalid spec.faults[0].nodeChaos.spec.period"},
		},
		"node chaos: wrong kind": {
			fault: fault(experiments.Fault{Object: validNodeChaos(func(o *experiments.NodeChaos) { o.Kind = "PodChaos" })}),
			want:  []string{"FieldValueInvalid spec.faults[0].nodeChaos.kind"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			errs := inj.Validate(tc.fault, field.NewPath("spec", "faults").Index(0))
			if diff := cmp.Diff(errs, (*builtin.Injector)(nil).Validate(tc.fault, field.NewPath("spec", "faults").Index(0))); diff != "" {
				t.Errorf("Validate on a nil injector differs (-instance +nil):\n%s", diff)
			}
			var got []string
			for _, e := range errs {
				got = append(got, string(e.Type)+" "+e.Field)
				if e.Detail == "" && e.Type != field.ErrorTypeNotSupported {
					t.Errorf("%s: no detail says what is wrong", e.Field)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Validate() errors (-want +got):\n%s\nall: %v", diff, errs)
			}
		})
	}
}
