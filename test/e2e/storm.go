package e2e

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/pages"
	"github.com/interlock-dev/interlock/remediator"
	"github.com/interlock-dev/interlock/scenarios"
)

// stormFixture is a storm on the shared cluster (see fixture.storm) with
// the remediator that faces it.
type stormFixture struct {
	fixture
	ns, name string // the namespace and the automation
	budget   int32
	rcv      *pages.Receiver
	p        *proc
}

// setup sets up the storm and starts one remediator.
func (s *stormFixture) setup(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	s.init(t)
	s.rcv = s.storm(t, s.ns, s.name, s.budget)
	s.p = s.startRemediator(t, s.rcv.URL())
	return ctx
}

// stormHaltsAndPages: a workload that keeps crashing is restarted exactly
// N times, then the automation halts, one page reaches a real HTTP
// receiver, and no further restart happens.
func stormHaltsAndPages() features.Feature {
	s := &stormFixture{ns: "storm", name: "storm-restarts", budget: 3}
	return features.New("a storm halts and pages").WithLabel("tier", scenarios.TierPR).
		Setup(s.setup).
		Assess("the automation halts, its budget exhausted", s.halted).
		Assess("a page reaches the receiver", s.paged).
		Assess("exactly the budget is spent, once paged", s.spent).
		Assess("a human resumes it and it acts again", s.resumed).
		Assess("the bystander was never touched", s.bystanderUntouched).
		Teardown(s.teardown).
		Feature()
}

func (s *stormFixture) halted(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	a := s.waitHalted(t, s.name, 90*time.Second)
	if c := meta.FindStatusCondition(a.Status.Conditions, v1alpha1.ConditionHalted); c.Reason != v1alpha1.ReasonBudgetExhausted {
		t.Errorf("halted with reason %q, want %q", c.Reason, v1alpha1.ReasonBudgetExhausted)
	}
	return ctx
}

func (s *stormFixture) paged(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	page, err := s.rcv.WaitFor(wctx, func(p pages.Page) bool { return p.Labels["automation"] == s.name })
	if err != nil {
		t.Fatalf("no page for %s: %v", s.name, err)
	}
	if page.Labels["alertname"] != "InterlockRemediatorBudgetExhausted" {
		t.Errorf("page alertname = %q", page.Labels["alertname"])
	}
	return ctx
}

// spent: the remediator goes on seeing crashing pods and refuses them as
// halted: wait for such decisions, then count what it did.
func (s *stormFixture) spent(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	name, budget := s.name, s.budget
	s.waitMetric(t, s.p, "interlock_remediator_decisions_total", map[string]string{"automation": name, "reason": "Halted"}, 3)
	if got := s.waitDeletions(t, s.ns, int(budget)); got != int(budget) {
		t.Errorf("remediator deleted %d pods according to the audit log, want exactly %d", got, budget)
	}
	n := 0
	for _, pg := range s.rcv.Pages() {
		if pg.Labels["automation"] == name {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d pages for %s, want 1", n, name)
	}
	if v, _ := s.p.metric("interlock_remediator_actions_total", map[string]string{"automation": name, "outcome": "succeeded"}); v != float64(budget) {
		t.Errorf("actions metric = %v, want %d (the ledger's count)", v, budget)
	}
	if v, _ := s.p.metric("interlock_remediator_halted", map[string]string{"automation": name}); v != 1 {
		t.Errorf("halted metric = %v, want 1", v)
	}
	return ctx
}

// resumed: a human resumes it: the halt is lifted under the name the API
// server gives them, the budget starts afresh, and the storm is acted on
// again.
func (s *stormFixture) resumed(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	name := s.name
	out, errOut, code := runCLI(t, "resume", name, "--kubeconfig", shared.Kubeconfig, "-n", remNS)
	if code != 0 {
		t.Fatalf("resume exited %d: %s %s", code, out, errOut)
	}
	resumed := s.getAutomation(t, name)
	if meta.IsStatusConditionTrue(resumed.Status.Conditions, v1alpha1.ConditionHalted) || resumed.Status.ResumedBy != "kwok-admin" || resumed.Status.ResumedAt == nil {
		t.Errorf("after resume: halted=%v resumedBy=%q resumedAt=%v", meta.IsStatusConditionTrue(resumed.Status.Conditions, v1alpha1.ConditionHalted), resumed.Status.ResumedBy, resumed.Status.ResumedAt)
	}
	s.waitMetric(t, s.p, "interlock_remediator_actions_total", map[string]string{"automation": name, "outcome": "succeeded"}, float64(s.budget+1))
	if _, _, code := runCLI(t, "resume", name, "--kubeconfig", shared.Kubeconfig, "-n", remNS); code == 0 && !meta.IsStatusConditionTrue(s.getAutomation(t, name).Status.Conditions, v1alpha1.ConditionHalted) {
		t.Error("resuming an automation that is not halted succeeded")
	}
	return ctx
}

func (s *stormFixture) bystanderUntouched(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	var bystanders corev1.PodList
	if err := s.admin.List(ctx, &bystanders, client.InNamespace(s.ns), client.MatchingLabels{"app": "bystander"}); err != nil {
		t.Fatal(err)
	}
	for _, pod := range bystanders.Items {
		if time.Since(pod.CreationTimestamp.Time) < 5*time.Second {
			t.Errorf("bystander pod %s is new: a healthy pod was restarted", pod.Name)
		}
	}
	return ctx
}

// restartMidStorm kills the remediator after its first actions and starts
// a new one: the budget carries over.
func restartMidStorm() features.Feature {
	s := &stormFixture{ns: "storm-restart", name: "restart-budget", budget: 4}
	return features.New("a remediator restarted mid-storm keeps its budget").WithLabel("tier", scenarios.TierPR).
		Setup(s.setup).
		Assess("the first remediator acts", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			s.waitMetric(t, s.p, "interlock_remediator_actions_total", map[string]string{"automation": s.name}, 2)
			return ctx
		}).
		Assess("killed and replaced, the budget holds across the restart", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			s.p.kill() // SIGKILL: no chance to flush anything
			s.startRemediator(t, s.rcv.URL())
			s.waitHalted(t, s.name, 90*time.Second)
			if got := s.waitDeletions(t, s.ns, int(s.budget)); got != int(s.budget) {
				t.Errorf("%d pod deletions across the restart, want exactly %d", got, s.budget)
			}
			return ctx
		}).
		Teardown(s.teardown).
		Feature()
}

// killSwitchStorm is a storm, with no page receiver, faced by a remediator
// started with the kill switch on.
type killSwitchStorm struct {
	stormFixture
}

// killSwitch: with the switch on nothing is restarted; turned off, the
// same storm is acted on; turned back on, the next decision refuses.
func killSwitch() features.Feature {
	k := &killSwitchStorm{stormFixture{ns: "killswitch", name: "killswitch-test"}}
	return features.New("the kill switch").WithLabel("tier", scenarios.TierPR).
		Setup(k.setup).
		Assess("with the switch on, nothing is restarted", k.refused).
		Assess("turned off, the storm is acted on", k.switchedOff).
		Assess("turned back on, the next decision refuses at once", k.switchedOn).
		Teardown(k.teardown).
		Feature()
}

func (k *killSwitchStorm) setup(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	k.init(t)
	k.namespace(t, k.ns)
	k.deployment(t, k.ns, "crasher", 3, nil)
	k.deployment(t, k.ns, "bystander", 2, nil)
	if err := remediator.SetKillSwitch(ctx, k.admin, remNS, true); err != nil {
		t.Fatal(err)
	}
	k.push(func() { _ = remediator.SetKillSwitch(context.Background(), k.admin, remNS, false) })
	k.automation(t, k.name, v1alpha1.UnhealthyWorkload, "unsupervised", []string{k.ns}, unhealthyCase(t, 5))
	k.crashLoop(k.ns, "app=crasher")
	k.p = k.startRemediator(t, "http://127.0.0.1:1/")
	return ctx
}

func (k *killSwitchStorm) refused(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	k.waitMetric(t, k.p, "interlock_remediator_decisions_total", map[string]string{"automation": k.name, "reason": "KillSwitch"}, 3)
	if got := k.deletions(t, k.ns); got != 0 {
		t.Fatalf("%d pods deleted while the kill switch was on", got)
	}
	return ctx
}

func (k *killSwitchStorm) switchedOff(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	if err := remediator.SetKillSwitch(ctx, k.admin, remNS, false); err != nil {
		t.Fatal(err)
	}
	k.waitMetric(t, k.p, "interlock_remediator_actions_total", map[string]string{"automation": k.name}, 1)
	return ctx
}

func (k *killSwitchStorm) switchedOn(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	if err := remediator.SetKillSwitch(ctx, k.admin, remNS, true); err != nil {
		t.Fatal(err)
	}
	before, _ := k.p.metric("interlock_remediator_decisions_total", map[string]string{"automation": k.name, "reason": "KillSwitch"})
	k.waitMetric(t, k.p, "interlock_remediator_decisions_total", map[string]string{"automation": k.name, "reason": "KillSwitch"}, before+1)
	acted, _ := k.p.metric("interlock_remediator_actions_total", map[string]string{"automation": k.name})
	k.waitMetric(t, k.p, "interlock_remediator_decisions_total", map[string]string{"automation": k.name, "reason": "KillSwitch"}, before+3)
	if after, _ := k.p.metric("interlock_remediator_actions_total", map[string]string{"automation": k.name}); after != acted {
		t.Errorf("actions went from %v to %v with the kill switch on", acted, after)
	}
	return ctx
}

// leaderElection: two replicas with leader election share one storm; only
// the leader ever acts.
func leaderElection() features.Feature {
	s := &stormFixture{ns: "leader", name: "leader-test", budget: 3}
	var procs []*proc
	return features.New("leader election").WithLabel("tier", scenarios.TierPR).
		Setup(func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			s.init(t)
			s.namespace(t, s.ns)
			s.deployment(t, s.ns, "crasher", 3, nil)
			s.deployment(t, s.ns, "bystander", 2, nil)
			s.automation(t, s.name, v1alpha1.UnhealthyWorkload, "unsupervised", []string{s.ns}, unhealthyCase(t, s.budget))
			s.crashLoop(s.ns, "app=crasher")
			for i := 0; i < 2; i++ {
				procs = append(procs, s.startRemediator(t, "http://127.0.0.1:1/", "--leader-elect"))
			}
			return ctx
		}).
		Assess("only the leader acts", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			s.waitHalted(t, s.name, 90*time.Second)
			var counts []float64
			for _, p := range procs {
				v, err := p.metric("interlock_remediator_actions_total", map[string]string{"automation": s.name})
				if err != nil {
					t.Fatal(err)
				}
				counts = append(counts, v)
			}
			if !(counts[0] == 3 && counts[1] == 0) && !(counts[0] == 0 && counts[1] == 3) {
				t.Errorf("actions per replica = %v, want 3 by one and 0 by the other", counts)
			}
			if got := s.waitDeletions(t, s.ns, 3); got != 3 {
				t.Errorf("%d deletions, want 3", got)
			}
			return ctx
		}).
		Teardown(s.teardown).
		Feature()
}
