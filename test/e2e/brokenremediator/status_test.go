package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/interlock-dev/interlock/api/v1alpha1"
)

func TestMarkHalted(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ready := metav1.Condition{Type: v1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonActive,
		LastTransitionTime: metav1.NewTime(now.Add(-10 * time.Minute))}
	notHalted := metav1.Condition{Type: v1alpha1.ConditionHalted, Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonActive,
		Message: "within budget", LastTransitionTime: metav1.NewTime(now.Add(-10 * time.Minute))}
	oldHalt := metav1.Condition{Type: v1alpha1.ConditionHalted, Status: metav1.ConditionTrue, Reason: v1alpha1.ReasonBudgetExhausted,
		LastTransitionTime: metav1.NewTime(now.Add(-5 * time.Minute))}
	tests := map[string]struct {
		at         time.Time
		conditions []metav1.Condition
		wantTime   time.Time
	}{
		"fake-halt: an hour in the past": {
			at: fakeHaltTime(now), conditions: []metav1.Condition{ready, notHalted}, wantTime: now.Add(-time.Hour),
		},
		"fake-halt on a fresh automation": {
			at: fakeHaltTime(now), wantTime: now.Add(-time.Hour),
		},
		"fake-halt over an earlier halt keeps its own time": {
			at: fakeHaltTime(now), conditions: []metav1.Condition{oldHalt}, wantTime: now.Add(-time.Hour),
		},
		"honest halt: now": {
			at: now, conditions: []metav1.Condition{ready, notHalted}, wantTime: now,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			a := &v1alpha1.Automation{Status: v1alpha1.AutomationStatus{Conditions: append([]metav1.Condition(nil), tt.conditions...)}}
			markHalted(a, haltCondition(tt.at))
			c := meta.FindStatusCondition(a.Status.Conditions, v1alpha1.ConditionHalted)
			if c == nil {
				t.Fatal("no Halted condition")
			}
			want := metav1.Condition{Type: "Halted", Status: "True", Reason: "BudgetExhausted", Message: "budget exhausted",
				LastTransitionTime: metav1.NewTime(tt.wantTime)}
			if diff := cmp.Diff(want, *c); diff != "" {
				t.Errorf("Halted condition (-want +got):\n%s", diff)
			}
			if a.Status.HaltedAt == nil || !a.Status.HaltedAt.Time.Equal(tt.wantTime) {
				t.Errorf("haltedAt = %v, want %v", a.Status.HaltedAt, tt.wantTime)
			}
			halted := 0
			for _, c := range a.Status.Conditions {
				if c.Type == v1alpha1.ConditionHalted {
					halted++
				}
			}
			if halted != 1 {
				t.Errorf("%d Halted conditions, want 1", halted)
			}
			for _, c := range tt.conditions {
				if c.Type != v1alpha1.ConditionHalted && !meta.IsStatusConditionPresentAndEqual(a.Status.Conditions, c.Type, c.Status) {
					t.Errorf("condition %s was lost", c.Type)
				}
			}
		})
	}
}
