package kube_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/interlock-dev/interlock/internal/kube"
)

func TestReady(t *testing.T) {
	cond := func(typ string, s corev1.ConditionStatus) []corev1.PodCondition {
		return []corev1.PodCondition{{Type: corev1.ContainersReady, Status: corev1.ConditionTrue}, {Type: corev1.PodConditionType(typ), Status: s}}
	}
	pods := map[string]struct {
		conds []corev1.PodCondition
		want  bool
	}{
		"ready":                   {cond("Ready", corev1.ConditionTrue), true},
		"not ready":               {cond("Ready", corev1.ConditionFalse), false},
		"unknown":                 {cond("Ready", corev1.ConditionUnknown), false},
		"no Ready condition":      {cond("PodScheduled", corev1.ConditionTrue), false},
		"containers ready is not": {[]corev1.PodCondition{{Type: corev1.ContainersReady, Status: corev1.ConditionTrue}}, false},
	}
	for name, tc := range pods {
		t.Run("pod "+name, func(t *testing.T) {
			if got := kube.PodReady(&corev1.Pod{Status: corev1.PodStatus{Conditions: tc.conds}}); got != tc.want {
				t.Errorf("PodReady = %v, want %v", got, tc.want)
			}
		})
	}
	nodes := map[string]struct {
		conds []corev1.NodeCondition
		want  bool
	}{
		"ready":         {[]corev1.NodeCondition{{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse}, {Type: corev1.NodeReady, Status: corev1.ConditionTrue}}, true},
		"unknown":       {[]corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionUnknown}}, false},
		"no conditions": {nil, false},
	}
	for name, tc := range nodes {
		t.Run("node "+name, func(t *testing.T) {
			if got := kube.NodeReady(&corev1.Node{Status: corev1.NodeStatus{Conditions: tc.conds}}); got != tc.want {
				t.Errorf("NodeReady = %v, want %v", got, tc.want)
			}
		})
	}
}
