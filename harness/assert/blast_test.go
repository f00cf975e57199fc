package assert_test

import (
	"testing"
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

func blast(inFlight, percent int32) func(*v1alpha1.SafetyCaseSpec) {
	return func(s *v1alpha1.SafetyCaseSpec) {
		s.BlastRadius = v1alpha1.BlastRadius{MaxInFlight: inFlight, MaxUnavailablePercent: percent}
	}
}

// three puts shop/api (3 replicas) and shop/web (2) in the observation.
var three = workloads(map[string]int{"shop/api": 3, "shop/web": 2})

// blastRadiusCases are the runs TestBlastRadiusHeld grades, by test name.
var blastRadiusCases = map[string]evalCase{
	"one at a time": {
		obs:      []func(*assert.Observation){withActions(acts(del(50, "api-0"), del(90, "api-1"), del(130, "api-2"))), three},
		want:     scorecard.VerdictPass,
		measured: "at most 1 at once; at most 1 of 3 in shop/api",
		limit:    "at most 1 in flight and at most 34% of a workload's replicas at once",
		evidence: []string{"3 accepted actions on 3 targets; no more than 1 in flight at once; a node is in flight from its cordon or taint until it is released, a pod from the action until its replacement is Ready, anything else for 30s (the stated time to reverse) if that was not measured"},
		source:   "safetyCase.blastRadius",
	},
	"measured reversals shorter than stated": {
		obs: []func(*assert.Observation){
			withActions(acts(del(50, "api-0"), del(65, "api-1"))), three,
			reversals(back(del(50, "api-0"), 8*time.Second), back(del(65, "api-1"), 8*time.Second)),
		},
		want: scorecard.VerdictPass, measured: "at most 1 at once",
	},
	"a slow reversal keeps a target in flight": {
		obs: []func(*assert.Observation){
			withActions(acts(del(50, "api-0"), del(95, "api-1"))), three,
			reversals(back(del(50, "api-0"), 60*time.Second)),
		},
		want:     scorecard.VerdictFail,
		measured: "at most 2 at once",
		evidence: []string{"in flight together from +0:50 to +1:35"},
	},
	"never reversed: in flight at least the stated time": {
		obs: []func(*assert.Observation){
			withActions(acts(del(50, "api-0"), del(70, "api-1"))), three,
			reversals(notBack(del(50, "api-0"), 5*time.Second)),
		},
		want: scorecard.VerdictFail,
	},
	"exactly the reversal time apart is not at once": {
		obs:  []func(*assert.Observation){withActions(acts(del(50, "api-0"), del(80, "api-1"))), three},
		want: scorecard.VerdictPass, measured: "at most 1 at once",
	},
	// Broken remediator: restarts every replica at once.
	"broken: restarts every replica at once": {
		obs:      []func(*assert.Observation){withActions(acts(del(50, "api-0"), del(50.2, "api-1"), del(50.4, "api-2"))), three},
		want:     scorecard.VerdictFail,
		measured: "at most 3 at once; at most 3 of 3 in shop/api",
		evidence: []string{
			"3 targets in flight at once, over 1",
			"3 of 3 in shop/api at once, over 1 (34%)",
			"pods delete shop/api-0 at +0:50",
		},
	},
	"the share allows two": {
		sc:       []func(*v1alpha1.SafetyCaseSpec){blast(2, 67)},
		obs:      []func(*assert.Observation){withActions(acts(del(50, "api-0"), del(51, "api-1"))), three},
		want:     scorecard.VerdictPass,
		measured: "at most 2 of 3 in shop/api",
	},
	"two in flight, but the share allows one": {
		sc:       []func(*v1alpha1.SafetyCaseSpec){blast(2, 34)},
		obs:      []func(*assert.Observation){withActions(acts(del(50, "api-0"), del(51, "api-1"))), three},
		want:     scorecard.VerdictFail,
		evidence: []string{"2 of 3 in shop/api at once, over 1 (34%)"},
	},
	"no minimum of one: 30% of 3 allows none": {
		sc:       []func(*v1alpha1.SafetyCaseSpec){blast(1, 30)},
		obs:      []func(*assert.Observation){withActions(acts(del(50, "api-0"))), three},
		want:     scorecard.VerdictFail,
		evidence: []string{"1 of 3 in shop/api at once, over 0 (30%)"},
	},
	"in flight across workloads": {
		sc:       []func(*v1alpha1.SafetyCaseSpec){blast(1, 50)},
		obs:      []func(*assert.Observation){withActions(acts(del(50, "api-0"), del(52, "web-0"))), three},
		want:     scorecard.VerdictFail,
		measured: "at most 2 at once",
		evidence: []string{"2 targets in flight at once, over 1"},
	},
	"an eviction and a deletion of one pod are one target": {
		obs:  []func(*assert.Observation){withActions(acts(evict(50, "api-0"), del(52, "api-0"))), three},
		want: scorecard.VerdictPass, measured: "at most 1 at once",
	},
	"a rejected request affects nothing": {
		obs:  []func(*assert.Observation){withActions(acts(del(50, "api-0"), forbidden(51, "api-1"))), three},
		want: scorecard.VerdictPass,
	},
	"unknown workload": {
		obs:      []func(*assert.Observation){withActions(acts(del(50, "api-0")))},
		want:     scorecard.VerdictError,
		evidence: []string{"cannot grade the share; not known: the group of pods shop/api-0"},
	},
	"unknown replicas": {
		obs:      []func(*assert.Observation){withActions(acts(del(50, "api-0"))), workloads(nil)},
		want:     scorecard.VerdictError,
		evidence: []string{"the size of shop/api"},
	},
	"over the limit even where the share is unknown": {
		obs:  []func(*assert.Observation){withActions(acts(del(50, "api-0"), del(51, "api-1")))},
		want: scorecard.VerdictFail,
	},
	"only the in-flight limit stated": {
		sc:     []func(*v1alpha1.SafetyCaseSpec){blast(1, 0)},
		obs:    []func(*assert.Observation){withActions(acts(del(50, "api-0")))},
		want:   scorecard.VerdictPass,
		limit:  "at most 1 in flight at once",
		source: "safetyCase.blastRadius.maxInFlight",
	},
	"no action": {
		want: scorecard.VerdictPass, measured: "at most 0 at once", evidence: []string{"no accepted action"},
	},
	"time to reverse not stated": {
		sc:   []func(*v1alpha1.SafetyCaseSpec){func(s *v1alpha1.SafetyCaseSpec) { s.Reversal.TimeToReverse.Duration = 0 }},
		skip: "safetyCase.reversal.timeToReverse is not stated",
	},
	"no limit stated": {
		sc:   []func(*v1alpha1.SafetyCaseSpec){blast(0, 0)},
		skip: "safetyCase.blastRadius is not stated",
	},
}

func TestBlastRadiusHeld(t *testing.T) { runEval(t, assert.BlastRadiusHeld, blastRadiusCases) }

func reversals(rs ...assert.Reversal) func(*assert.Observation) {
	return func(o *assert.Observation) { o.Reversals = append(o.Reversals, rs...) }
}

func back(e scorecard.LedgerEntry, d time.Duration) assert.Reversal {
	return assert.Reversal{AuditID: e.AuditID, Reversed: true, Duration: d}
}

func notBack(e scorecard.LedgerEntry, d time.Duration) assert.Reversal {
	return assert.Reversal{AuditID: e.AuditID, Duration: d}
}

func TestReversalMeasured(t *testing.T) {
	a, b := del(50, "api-0"), del(90, "api-1")
	runEval(t, assert.ReversalMeasured, map[string]evalCase{
		"all within the stated time": {
			obs:      []func(*assert.Observation){withActions(acts(a, b)), reversals(back(a, 5*time.Second), back(b, 12*time.Second))},
			want:     scorecard.VerdictPass,
			measured: "worst 12s", limit: "each reversed within 30s",
			evidence: []string{"2 actions reversed; the slowest was pods delete shop/api-1 at +1:30"},
			source:   "safetyCase.reversal.timeToReverse",
		},
		"one too slow": {
			obs:      []func(*assert.Observation){withActions(acts(a, b)), reversals(back(a, 45*time.Second), back(b, 12*time.Second))},
			want:     scorecard.VerdictFail,
			measured: "worst 45s",
			evidence: []string{"1 action not reversed within 30s: pods delete shop/api-0 at +0:50 (45s)"},
		},
		"never back, past the stated time": {
			obs:      []func(*assert.Observation){withActions(acts(a)), reversals(notBack(a, 2*time.Minute))},
			want:     scorecard.VerdictFail,
			measured: "worst: not back after 2m",
			evidence: []string{"not back after 2m"},
		},
		"not back yet when observation ended": {
			obs:      []func(*assert.Observation){withActions(acts(a)), reversals(notBack(a, 10*time.Second))},
			want:     scorecard.VerdictError,
			evidence: []string{"cannot grade 1 action", "not back after 10s, when observation ended"},
		},
		"not measured": {
			obs:      []func(*assert.Observation){withActions(acts(a, b)), reversals(back(a, 5*time.Second))},
			want:     scorecard.VerdictError,
			measured: "worst 5s",
			evidence: []string{"pods delete shop/api-1 at +1:30 (not measured)"},
		},
		"a slow one outweighs an unmeasured one": {
			obs:  []func(*assert.Observation){withActions(acts(a, b)), reversals(back(a, time.Minute))},
			want: scorecard.VerdictFail,
		},
		"a rejected request needs no reversal": {
			obs:  []func(*assert.Observation){withActions(acts(a, forbidden(60, "api-1"))), reversals(back(a, 5*time.Second))},
			want: scorecard.VerdictPass,
		},
		"no action": {
			want: scorecard.VerdictPass, measured: "no action to reverse",
		},
		"not stated": {
			sc:   []func(*v1alpha1.SafetyCaseSpec){func(s *v1alpha1.SafetyCaseSpec) { s.Reversal.TimeToReverse.Duration = 0 }},
			skip: "safetyCase.reversal.timeToReverse is not stated",
		},
	})
}
