package history_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/internal/testutil"
)

func TestPromotions(t *testing.T) {
	d := history.NewDir(t.TempDir())
	promo := history.Promotion{
		ID: history.NewID(testutil.T0, "unhealthy-workload"), Action: history.Promote, Automation: "unhealthy-workload",
		From: v1alpha1.RungAlert, To: v1alpha1.RungSupervised, Owner: "alice", Time: testutil.T0, Evidence: []string{"run-1"}, RunsRequired: 3,
	}
	demo := history.Promotion{
		ID: history.NewID(testutil.T0.Add(time.Hour), "unhealthy-workload"), Action: history.Demote, Automation: "unhealthy-workload",
		From: v1alpha1.RungSupervised, To: v1alpha1.RungRunbook, Owner: "bob", Time: testutil.T0.Add(time.Hour), Reason: "false positives in prod",
	}
	other := history.Promotion{
		ID: history.NewID(testutil.T0.Add(time.Minute), "node-loss"), Action: history.Promote, Automation: "node-loss",
		From: v1alpha1.RungAlert, To: v1alpha1.RungRunbook, Owner: "carol", Time: testutil.T0.Add(time.Minute),
	}
	for _, p := range []history.Promotion{demo, promo, other} {
		if err := d.AppendPromotion(p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.Promotions("unhealthy-workload")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]history.Promotion{promo, demo}, got); diff != "" {
		t.Errorf("promotions (-want +got):\n%s", diff)
	}
	all, err := d.Promotions("")
	if err != nil || len(all) != 3 {
		t.Errorf("all promotions: %d, %v", len(all), err)
	}

	invalid := map[string]struct {
		edit func(*history.Promotion)
		want string
	}{
		"no owner": {func(p *history.Promotion) { p.Owner = " " }, "owner is missing"},
		"demotion, no reason": {func(p *history.Promotion) {
			p.Action, p.From, p.To = history.Demote, v1alpha1.RungSupervised, v1alpha1.RungAlert
		}, "reason is missing"},
		"promotion going down": {func(p *history.Promotion) { p.From, p.To = v1alpha1.RungSupervised, v1alpha1.RungRunbook }, "goes up the ladder"},
		"demotion going up":    {func(p *history.Promotion) { p.Action, p.Reason = history.Demote, "x" }, "goes down the ladder"},
		"unknown rung":         {func(p *history.Promotion) { p.To = "autonomous" }, `unknown rung "autonomous"`},
		"unknown action":       {func(p *history.Promotion) { p.Action = "skip" }, `action "skip"`},
		"no time":              {func(p *history.Promotion) { p.Time = time.Time{} }, "time is missing"},
	}
	for name, tc := range invalid {
		t.Run(name, func(t *testing.T) {
			p := promo
			p.ID = history.NewID(testutil.T0, "x")
			tc.edit(&p)
			if err := d.AppendPromotion(p); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("AppendPromotion error = %v, want %q", err, tc.want)
			}
		})
	}
}
