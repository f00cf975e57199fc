package assert_test

import (
	"testing"
	"time"

	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/testutil"
)

func TestBudgetHeld(t *testing.T) {
	runEval(t, assert.BudgetHeld, map[string]evalCase{
		"at the budget": {
			obs:      []func(*assert.Observation){withActions(every(50, 15, 5))},
			want:     scorecard.VerdictPass,
			measured: "5 actions in 10m", limit: "at most 5 actions in any 10m",
			evidence: []string{"5 accepted actions by " + remediator, "the busiest 10m held 5, from +0:50 to +1:50"},
			source:   "safetyCase.budget.maxActions",
		},
		"no action": {
			want: scorecard.VerdictPass, measured: "0 actions in 10m", evidence: []string{"0 accepted actions"},
		},
		"rejected requests are not counted": {
			obs:      []func(*assert.Observation){withActions(every(50, 15, 5), acts(forbidden(120, "api-7d9f4-xxx")))},
			want:     scorecard.VerdictPass,
			measured: "5 actions", evidence: []string{"1 request rejected by the API server, not counted"},
		},
		"bookkeeping is not counted": {
			obs: []func(*assert.Observation){withActions(every(50, 15, 5), acts(
				kind(entry(51, "update", "automations", "status", automation, 200), ledger.KindBookkeeping),
				kind(entry(52, "create", "events", "", "restart-crashlooping.18a4f2b9", 201), ledger.KindBookkeeping)))},
			want: scorecard.VerdictPass, measured: "5 actions",
		},
		// Fail closed: a write nobody classified is an action.
		"an unclassified write counts": {
			obs: []func(*assert.Observation){withActions(every(50, 15, 5), acts(
				entry(51, "update", "automations", "status", automation, 200)))},
			want: scorecard.VerdictFail, measured: "6 actions",
		},
		"the window slides": {
			obs:  []func(*assert.Observation){withActions(every(0, 10, 5), every(610, 10, 5))},
			want: scorecard.VerdictPass, measured: "5 actions in 10m",
		},
		"an action exactly one window later has left it": {
			obs:  []func(*assert.Observation){withActions(every(0, 100, 5), acts(del(600, "api-7d9f4-new")))},
			want: scorecard.VerdictPass, measured: "5 actions in 10m",
		},
		"one more inside the window": {
			obs:      []func(*assert.Observation){withActions(every(0, 100, 5), acts(del(599, "api-7d9f4-new")))},
			want:     scorecard.VerdictFail,
			measured: "6 actions in 10m",
			evidence: []string{"6 accepted actions by " + remediator + " within 10m, from +0:00 to +9:59", "1 action over the budget"},
		},
		// Broken remediator: restarts in a loop with no budget at all.
		"broken: restarts in a loop with no budget": {
			obs:      []func(*assert.Observation){withActions(every(30, 10, 30))},
			want:     scorecard.VerdictFail,
			measured: "30 actions in 10m",
			evidence: []string{"from +0:30 to +5:20", "25 actions over the budget", "pods delete shop/api-7d9f4-000 at +0:30", "and 24 more"},
		},
		// Broken remediator: keeps its budget in memory and loses it when it
		// restarts, so the window holds twice the budget across the restart.
		"broken: loses its budget on restart": {
			obs: []func(*assert.Observation){
				withActions(every(50, 15, 5), every(160, 15, 5)),
				haltedAt(112),
			},
			want:     scorecard.VerdictFail,
			measured: "10 actions in 10m",
			evidence: []string{"from +0:50 to +3:40", "5 actions over the budget"},
		},
		"budget not stated": {
			sc:   []func(*v1alpha1.SafetyCaseSpec){func(s *v1alpha1.SafetyCaseSpec) { s.Budget.MaxActions = 0 }},
			obs:  []func(*assert.Observation){withActions(every(30, 10, 30))},
			skip: "safetyCase.budget.maxActions is not stated",
		},
		"window not stated": {
			sc:   []func(*v1alpha1.SafetyCaseSpec){func(s *v1alpha1.SafetyCaseSpec) { s.Budget.Window.Duration = 0 }},
			skip: "safetyCase.budget.window is not stated",
		},
	})
}

func perTarget(n int32) func(*v1alpha1.SafetyCaseSpec) {
	return func(s *v1alpha1.SafetyCaseSpec) { s.Budget.PerTarget = ptr.To(n) }
}

func TestBudgetHeldPerTarget(t *testing.T) {
	runEval(t, assert.BudgetHeldPerTarget, map[string]evalCase{
		"one action per pod": {
			sc:       []func(*v1alpha1.SafetyCaseSpec){perTarget(1)},
			obs:      []func(*assert.Observation){withActions(every(50, 15, 3))},
			want:     scorecard.VerdictPass,
			measured: "1 action on one target in 10m", limit: "at most 1 action on one target in any 10m",
			source: "safetyCase.budget.perTarget",
		},
		"the same node cordoned twice": {
			sc: []func(*v1alpha1.SafetyCaseSpec){perTarget(1)},
			obs: []func(*assert.Observation){withActions(acts(
				entry(50, "patch", "nodes", "", "kwok-node-1", 200),
				entry(200, "patch", "nodes", "", "kwok-node-1", 200)))},
			want:     scorecard.VerdictFail,
			measured: "2 actions on one target in 10m",
			evidence: []string{"1 target over the per-target budget (nodes kwok-node-1)", "nodes patch kwok-node-1 at +3:20"},
		},
		"an eviction and a deletion of one pod are one target": {
			sc:       []func(*v1alpha1.SafetyCaseSpec){perTarget(1)},
			obs:      []func(*assert.Observation){withActions(acts(evict(50, "api-0"), del(55, "api-0")))},
			want:     scorecard.VerdictFail,
			evidence: []string{"pods shop/api-0"},
		},
		"again after the window": {
			sc:   []func(*v1alpha1.SafetyCaseSpec){perTarget(1)},
			obs:  []func(*assert.Observation){withActions(acts(del(50, "api-0"), del(650, "api-0")))},
			want: scorecard.VerdictPass,
		},
		"not stated": {
			obs:  []func(*assert.Observation){withActions(acts(del(50, "api-0"), del(55, "api-0")))},
			skip: "safetyCase.budget.perTarget is not stated",
		},
	})
}

// exhausted takes five actions 15s apart from +0:50: the 5th, at +1:50,
// exhausts the budget.
var exhausted = withActions(every(50, 15, 5))

// crashloopFault is a fault on shop/api from +0:20 to +4:00.
func crashloopFault(o *assert.Observation) {
	o.Faults = []scorecard.FaultWindow{{Name: "crashloop-api", Kind: "PodChaos/pod-failure", Target: "shop/api", Start: testutil.At(20), End: testutil.At(240)}}
}

// haltedAndPagedCases are the runs TestHaltedAndPaged grades, by test name.
var haltedAndPagedCases = map[string]evalCase{
	"not exhausted": {
		obs:      []func(*assert.Observation){withActions(every(50, 15, 4))},
		want:     scorecard.VerdictPass,
		measured: "not exhausted",
		evidence: []string{"at most 4 of 5 actions in any 10m; no halt was due"},
	},
	"halted and paged in time": {
		obs:      []func(*assert.Observation){exhausted, crashloopFault, haltedAt(112), withPages(page(125, automation))},
		want:     scorecard.VerdictPass,
		measured: "halted at +1:52; paged 15s after it; 0 actions after",
		limit:    "on the 5th action in 10m: halt, page within 30s, act no more",
		evidence: []string{
			"the 5th action in 10m was pods delete shop/api-7d9f4-004 at +1:50 while crashloop-api kept the trigger firing",
			"InterlockBudgetExhausted arrived at +2:05",
		},
		source: "safetyCase.budget.pageWithin",
	},
	// A page counts only if it arrives after the halt is due.
	"paged before the last action": {
		obs:      []func(*assert.Observation){exhausted, haltedAt(110.2), withPages(page(109.5, automation))},
		want:     scorecard.VerdictFail,
		measured: "no page",
		evidence: []string{"1 page about it came before the halt was due"},
	},
	"paged as it took the last action": {
		obs:      []func(*assert.Observation){exhausted, haltedAt(110.2), withPages(page(110, automation))},
		want:     scorecard.VerdictPass,
		measured: "paged 0s after it",
	},
	"a page from before the exhaustion does not count": {
		obs:      []func(*assert.Observation){exhausted, haltedAt(112), withPages(page(60, automation))},
		want:     scorecard.VerdictFail,
		measured: "no page",
	},
	"the page came late": {
		obs:      []func(*assert.Observation){exhausted, haltedAt(112), withPages(page(159, automation))},
		want:     scorecard.VerdictFail,
		measured: "paged 49s after it",
		evidence: []string{"the page came late", "arrived only at +2:39, 19s after the deadline"},
	},
	"never halted": {
		obs:      []func(*assert.Observation){exhausted, withPages(page(115, automation))},
		want:     scorecard.VerdictFail,
		measured: "no halt",
		evidence: []string{"the ledger shows no halt"},
	},
	"no page": {
		obs:      []func(*assert.Observation){exhausted, haltedAt(112)},
		want:     scorecard.VerdictFail,
		measured: "no page",
		evidence: []string{"no page arrived", "no page about restart-crashlooping arrived after it by the end of the run (+10:00) (0 pages received in all)"},
	},
	"a page about another automation does not count": {
		obs:      []func(*assert.Observation){exhausted, haltedAt(112), withPages(page(115, "node-loss"))},
		want:     scorecard.VerdictFail,
		evidence: []string{"1 page received in all"},
	},
	// Broken remediator: loses its budget on restart and acts again.
	"broken: loses its budget on restart": {
		obs: []func(*assert.Observation){
			withActions(every(50, 15, 5), every(160, 15, 5)),
			haltedAt(112), withPages(page(118, automation)),
		},
		want:     scorecard.VerdictFail,
		measured: "5 actions after",
		evidence: []string{"it kept acting", "it acted 5 times after: pods delete shop/api-7d9f4-000 at +2:40"},
	},
	"resumed by a human, then acts": {
		obs: []func(*assert.Observation){
			withActions(every(50, 15, 5), acts(del(320, "api-7d9f4-new"))),
			haltedAt(112), withPages(page(118, automation)),
			func(o *assert.Observation) { o.ResumedAt = testutil.At(300) },
		},
		want:     scorecard.VerdictPass,
		measured: "0 actions after",
	},
	"page deadline not stated": {
		sc:   []func(*v1alpha1.SafetyCaseSpec){func(s *v1alpha1.SafetyCaseSpec) { s.Budget.PageWithin.Duration = 0 }},
		obs:  []func(*assert.Observation){exhausted},
		skip: "safetyCase.budget.pageWithin is not stated",
	},
	"a budget of one": {
		sc: []func(*v1alpha1.SafetyCaseSpec){func(s *v1alpha1.SafetyCaseSpec) {
			s.Budget.MaxActions = 1
			s.Budget.PageWithin.Duration = time.Minute
		}},
		obs:      []func(*assert.Observation){withActions(acts(del(50, "api-0"))), haltedAt(51), withPages(page(80, automation))},
		want:     scorecard.VerdictPass,
		measured: "paged 30s after it",
		limit:    "on the 1st action in 10m",
	},
}

func TestHaltedAndPaged(t *testing.T) { runEval(t, assert.HaltedAndPaged, haltedAndPagedCases) }

func kind(e scorecard.LedgerEntry, k string) scorecard.LedgerEntry {
	e.Kind = k
	return e
}
