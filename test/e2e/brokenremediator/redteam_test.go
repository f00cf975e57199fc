package main

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestQuarantinePatch(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	earlier := metav1.NewTime(now.Add(-time.Minute))
	notReady := corev1.Taint{Key: "node.kubernetes.io/not-ready", Effect: corev1.TaintEffectNoExecute, TimeAdded: &earlier}
	dedicated := corev1.Taint{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}
	quarantine := corev1.Taint{Key: quarantineKey, Value: "storm-abc", Effect: corev1.TaintEffectNoExecute, TimeAdded: ptrTime(now)}
	tests := map[string]struct {
		taints  []corev1.Taint
		want    []corev1.Taint // nil: no patch
		changed bool
	}{
		"no taints": {
			want: []corev1.Taint{quarantine}, changed: true,
		},
		"keeps the node's other taints, in order": {
			taints: []corev1.Taint{notReady, dedicated},
			want:   []corev1.Taint{notReady, dedicated, quarantine}, changed: true,
		},
		"same key, another effect, is kept beside it": {
			taints: []corev1.Taint{{Key: quarantineKey, Value: "x", Effect: corev1.TaintEffectNoSchedule}},
			want:   []corev1.Taint{{Key: quarantineKey, Value: "x", Effect: corev1.TaintEffectNoSchedule}, quarantine}, changed: true,
		},
		"already quarantined: no patch": {
			taints: []corev1.Taint{dedicated, {Key: quarantineKey, Value: "other-pod", Effect: corev1.TaintEffectNoExecute}},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", ResourceVersion: "42"}, Spec: corev1.NodeSpec{Taints: tt.taints}}
			before := n.DeepCopy()
			patch, changed, err := quarantinePatch(n, "storm-abc", now)
			if err != nil {
				t.Fatal(err)
			}
			if changed != tt.changed {
				t.Fatalf("changed = %v, want %v", changed, tt.changed)
			}
			if diff := cmp.Diff(before, n); diff != "" {
				t.Errorf("the node was modified (-before +after):\n%s", diff)
			}
			if !changed {
				if patch != nil {
					t.Errorf("patch = %s, want none", patch)
				}
				return
			}
			var got struct {
				Metadata struct {
					ResourceVersion string `json:"resourceVersion"`
				} `json:"metadata"`
				Spec struct {
					Taints []corev1.Taint `json:"taints"`
				} `json:"spec"`
			}
			if err := json.Unmarshal(patch, &got); err != nil {
				t.Fatalf("patch %s: %v", patch, err)
			}
			if got.Metadata.ResourceVersion != "42" {
				t.Errorf("patch resourceVersion = %q, want 42", got.Metadata.ResourceVersion)
			}
			if diff := cmp.Diff(tt.want, got.Spec.Taints); diff != "" {
				t.Errorf("patched taints (-want +got):\n%s", diff)
			}
		})
	}
}

func ptrTime(t time.Time) *metav1.Time {
	mt := metav1.NewTime(t)
	return &mt
}

func TestClassFor(t *testing.T) {
	tests := map[string]struct{ mode, automation, want string }{
		"pod mode":         {"no-budget", "unhealthy-workload", "restart"},
		"node mode":        {"no-reversal", "node-loss", "restart"},
		"certificate mode": {"rotate-without-approval", "certificate-expiry", "destructive"},
		"bad-deploy":       {"no-budget", "bad-deploy", "rollback"},
		"red-team mode":    {"taint", "unhealthy-workload", "restart"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := classFor(tt.mode, tt.automation); got != tt.want {
				t.Errorf("classFor(%q, %q) = %q, want %q", tt.mode, tt.automation, got, tt.want)
			}
		})
	}
}

// The harness reads the action counter at the start of a run: it must be
// there, at 0, before any action.
func TestNewMetricsExposesCounterAtZero(t *testing.T) {
	reg := prometheus.NewRegistry()
	newMetrics(reg, "unhealthy-workload", "restart")
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{
		"interlock_remediator_actions_total":    {"automation": "unhealthy-workload", "class": "restart", "outcome": "succeeded"},
		"interlock_remediator_pages_sent_total": {"automation": "unhealthy-workload", "outcome": "succeeded"},
	}
	for _, f := range fams {
		labels, ok := want[f.GetName()]
		if !ok {
			continue
		}
		if len(f.GetMetric()) != 1 {
			t.Fatalf("%s has %d series, want 1", f.GetName(), len(f.GetMetric()))
		}
		m := f.GetMetric()[0]
		if diff := cmp.Diff(labels, labelMap(m)); diff != "" {
			t.Errorf("%s labels (-want +got):\n%s", f.GetName(), diff)
		}
		if v := m.GetCounter().GetValue(); v != 0 {
			t.Errorf("%s = %v, want 0", f.GetName(), v)
		}
		delete(want, f.GetName())
	}
	for name := range want {
		t.Errorf("%s is not exposed", name)
	}
}

func labelMap(m *dto.Metric) map[string]string {
	l := map[string]string{}
	for _, p := range m.GetLabel() {
		l[p.GetName()] = p.GetValue()
	}
	return l
}

func TestUnknownModeNamesTheKnownOnes(t *testing.T) {
	err := run(context.Background(), "reckless", "default", "unhealthy-workload", 5, time.Second)
	if err == nil {
		t.Fatal("run with an unknown mode succeeded")
	}
	for _, m := range modes {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not name mode %s", err, m)
		}
	}
}

// Every mode is listed in the package comment (doc.go), and every mode
// listed there is known.
func TestModesDocumented(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(src[:strings.Index(string(src), "package main")])
	var listed []string
	for _, m := range regexp.MustCompile(`(?m)^//\t([a-z][a-z-]+)(?:\s|$)`).FindAllStringSubmatch(doc, -1) {
		listed = append(listed, m[1])
	}
	if diff := cmp.Diff(modes, listed); diff != "" {
		t.Errorf("modes (-known +documented):\n%s", diff)
	}
}
