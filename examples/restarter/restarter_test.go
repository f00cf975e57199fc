package main

import (
	"flag"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
	"github.com/interlock-dev/interlock/contract"
)

// The safety case lints clean, states the figures the restarter's flags
// default to, and names only metrics it serves.
func TestSafetyCaseMatchesTheRestarter(t *testing.T) {
	if findings := validation.Lint("safety-case.yaml"); len(findings) > 0 {
		t.Fatalf("safety-case.yaml does not lint clean: %v", findings)
	}
	docs, err := validation.LoadFile("safety-case.yaml")
	if err != nil || len(docs) != 1 || docs[0].SafetyCase == nil {
		t.Fatalf("safety-case.yaml: %v, %d document(s)", err, len(docs))
	}
	sc := docs[0].SafetyCase
	fs := flag.NewFlagSet("restarter", flag.ContinueOnError)
	var o options
	o.register(fs)
	if sc.Name != o.automation {
		t.Errorf("the safety case is named %q; the restarter acts for %q", sc.Name, o.automation)
	}
	if int(sc.Spec.Budget.MaxActions) != o.budget {
		t.Errorf("budget.maxActions %d; --budget defaults to %d", sc.Spec.Budget.MaxActions, o.budget)
	}
	if sc.Spec.Trigger.For.Duration != o.hold {
		t.Errorf("trigger.for %s; --hold defaults to %s", sc.Spec.Trigger.For.Duration, o.hold)
	}
	served := []string{contract.MetricActionsTotal, contract.MetricHalted, contract.MetricPagesSentTotal}
	for _, s := range sc.Spec.Telemetry {
		if !slices.Contains(served, s.Metric) {
			t.Errorf("the safety case names %s, which the restarter does not serve", s.Metric)
		}
	}
}

func TestUnhealthyFor(t *testing.T) {
	since := time.Now().Add(-30 * time.Second)
	pod := func(phase corev1.PodPhase, ready corev1.ConditionStatus) *corev1.Pod {
		return &corev1.Pod{Status: corev1.PodStatus{Phase: phase, Conditions: []corev1.PodCondition{
			{Type: corev1.PodReady, Status: ready, LastTransitionTime: metav1.NewTime(since)}}}}
	}
	tests := map[string]struct {
		pod     *corev1.Pod
		atLeast time.Duration
		zero    bool
	}{
		"running, not ready": {pod: pod(corev1.PodRunning, corev1.ConditionFalse), atLeast: 30 * time.Second},
		"running and ready":  {pod: pod(corev1.PodRunning, corev1.ConditionTrue), zero: true},
		"pending, not ready": {pod: pod(corev1.PodPending, corev1.ConditionFalse), zero: true},
		"no ready condition": {pod: &corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning}}, zero: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := unhealthyFor(tc.pod)
			if tc.zero != (got == 0) || got < tc.atLeast {
				t.Errorf("unhealthyFor = %s, want zero %v, at least %s", got, tc.zero, tc.atLeast)
			}
		})
	}
}

func TestReplaced(t *testing.T) {
	owned := func(uid, owner types.UID, deleting bool) corev1.Pod {
		yes := true
		p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{UID: uid, OwnerReferences: []metav1.OwnerReference{{UID: owner, Controller: &yes, Kind: "ReplicaSet"}}}}
		if deleting {
			now := metav1.Now()
			p.DeletionTimestamp = &now
		}
		return p
	}
	last := &lastPod{uid: "old", owner: "rs"}
	tests := map[string]struct {
		pods []corev1.Pod
		want bool
	}{
		"the old pod is still there":       {pods: []corev1.Pod{owned("old", "rs", true), owned("new", "rs", false)}, want: false},
		"gone, and a new pod in its place": {pods: []corev1.Pod{owned("new", "rs", false)}, want: true},
		"gone, with no new pod yet":        {pods: []corev1.Pod{owned("other", "rs2", false)}, want: false},
		"gone, the new pod being deleted":  {pods: []corev1.Pod{owned("new", "rs", true)}, want: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := replaced(tc.pods, last); got != tc.want {
				t.Errorf("replaced = %v, want %v", got, tc.want)
			}
		})
	}
}
