package workload

import (
	"fmt"
	"strings"
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestReversals(t *testing.T) {
	tests := map[string]struct {
		h    []int32
		want int
	}{
		"steady":                    {h: []int32{4}, want: 0},
		"up only":                   {h: []int32{3, 5, 7, 8}, want: 0},
		"up then down":              {h: []int32{3, 5, 7, 4, 3}, want: 1},
		"oscillating":               {h: []int32{3, 5, 3, 6, 3}, want: 3},
		"repeats do not reverse":    {h: []int32{3, 5, 5, 7}, want: 0},
		"down then up after a hold": {h: []int32{6, 3, 3, 4}, want: 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := reversals(tc.h); got != tc.want {
				t.Errorf("reversals(%v) = %d, want %d", tc.h, got, tc.want)
			}
		})
	}
}

// The timeline gets a line for each change of an autoscaler's desired
// replicas and each time it loses or regains its metric; the summary lists
// the desired replicas over the run.
func TestAutoscalersTimeline(t *testing.T) {
	var timeline []string
	progress := func(_, format string, args ...any) { timeline = append(timeline, fmt.Sprintf(format, args...)) }
	hpa := func(desired int32, util *int32, blind string) autoscalingv2.HorizontalPodAutoscaler {
		h := autoscalingv2.HorizontalPodAutoscaler{
			ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api"},
			Spec: autoscalingv2.HorizontalPodAutoscalerSpec{Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](50)}},
			}}},
			Status: autoscalingv2.HorizontalPodAutoscalerStatus{DesiredReplicas: desired, CurrentReplicas: desired},
		}
		if util != nil {
			h.Status.CurrentMetrics = []autoscalingv2.MetricStatus{{Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricStatus{Name: corev1.ResourceCPU, Current: autoscalingv2.MetricValueStatus{AverageUtilization: util}}}}
		}
		if blind != "" {
			h.Status.Conditions = []autoscalingv2.HorizontalPodAutoscalerCondition{{Type: autoscalingv2.ScalingActive, Status: corev1.ConditionFalse,
				Reason: "FailedGetResourceMetric", Message: blind}}
		}
		return h
	}
	a := NewAutoscalers()
	for _, h := range []autoscalingv2.HorizontalPodAutoscaler{
		hpa(3, ptr.To[int32](50), ""),
		hpa(3, ptr.To[int32](50), ""),
		hpa(5, ptr.To[int32](92), ""),
		hpa(5, nil, "pods might be unready"),
		hpa(5, nil, "pods might be unready"),
		hpa(3, ptr.To[int32](30), ""),
	} {
		a.Observe([]autoscalingv2.HorizontalPodAutoscaler{h}, progress)
	}
	got := timeline
	want := []string{
		"Autoscaler shop/api: 3 → 5 replicas (CPU 92% of requests, target 50%)",
		"Autoscaler shop/api cannot read its metric and holds 5 replicas: FailedGetResourceMetric: pods might be unready",
		"Autoscaler shop/api: 5 → 3 replicas (CPU 30% of requests, target 50%)",
		"Autoscaler shop/api reads its metric again (CPU 30% of requests, target 50%)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	sum := a.Summary()
	wantSum := "Autoscaler shop/api over the run: 3 → 5 → 3 replicas (2 change(s), 1 reversal(s) of direction, between 3 and 5)"
	if len(sum) != 1 || sum[0] != wantSum {
		t.Errorf("summary = %q, want [%q]", sum, wantSum)
	}
}
