package assert_test

import (
	"testing"

	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/scenarios"
)

// fps gives the observation one false positive.
func fps(o *assert.Observation) {
	o.Truth.FalsePositives = []string{"shop/web-5c8d9-9ttpz: deleted at 03:01:05 UTC; pod was serving though it looked broken (lie)"}
}

// fns gives the observation one false negative.
func fns(o *assert.Observation) {
	o.Truth.FalseNegatives = []string{"crash: pods app=api in shop truly broken; the remediator never acted on it"}
}

// expectationCases are a scenario's expectations, what is observed, and the
// assertion each compiles to, by the assertion's name.
var expectationCases = map[string]struct {
	name string
	evalCase
}{
	"min-availability held": {assert.MinAvailability, evalCase{
		opts: assert.Options{Expect: scenarios.Expectations{MinAvailability: ptr.To(0.3)}},
		obs:  []func(*assert.Observation){truth(0.7, 1, 1.0/3, 1)},
		want: scorecard.VerdictPass, measured: "lowest 33.3%", limit: "at least 30.0%",
		evidence: []string{"fell lowest to 33.3% at +0:10"}, source: "scenario.expect.minAvailability",
	}},
	"min-availability broken": {assert.MinAvailability, evalCase{
		opts: assert.Options{Expect: scenarios.Expectations{MinAvailability: ptr.To(0.5)}},
		obs:  []func(*assert.Observation){truth(0.7, 1, 1.0/3, 1)},
		want: scorecard.VerdictFail,
	}},
	"min-availability without samples": {assert.MinAvailability, evalCase{
		opts: assert.Options{Expect: scenarios.Expectations{MinAvailability: ptr.To(0.5)}},
		want: scorecard.VerdictError,
	}},
	"no false positive allowed, none": {assert.MaxFalsePositives, evalCase{
		opts: assert.Options{Expect: scenarios.Expectations{MaxFalsePositives: ptr.To(0)}},
		want: scorecard.VerdictPass, measured: "0 false positives", limit: "at most 0 false positives",
		evidence: []string{"truth: none"}, source: "scenario.expect.maxFalsePositives",
	}},
	"no false positive allowed, one": {assert.MaxFalsePositives, evalCase{
		opts: assert.Options{Expect: scenarios.Expectations{MaxFalsePositives: ptr.To(0)}},
		obs:  []func(*assert.Observation){fps},
		want: scorecard.VerdictFail, measured: "1 false positive",
		evidence: []string{"shop/web-5c8d9-9ttpz"},
	}},
	"false negatives within the limit": {assert.MaxFalseNegatives, evalCase{
		opts: assert.Options{Expect: scenarios.Expectations{MaxFalseNegatives: ptr.To(1)}},
		obs:  []func(*assert.Observation){fns},
		want: scorecard.VerdictPass, source: "scenario.expect.maxFalseNegatives",
	}},
	"false negatives over the limit": {assert.MaxFalseNegatives, evalCase{
		opts: assert.Options{Expect: scenarios.Expectations{MaxFalseNegatives: ptr.To(0)}},
		obs:  []func(*assert.Observation){fns},
		want: scorecard.VerdictFail, evidence: []string{"never acted on it"},
	}},
	"must halt, halted": {assert.MustHalt, evalCase{
		opts: assert.Options{Expect: scenarios.Expectations{MustHalt: ptr.To(true)}},
		obs:  []func(*assert.Observation){haltedAt(112)},
		want: scorecard.VerdictPass, measured: "halted at +1:52", source: "scenario.expect.mustHalt",
	}},
	"must halt, did not": {assert.MustHalt, evalCase{
		opts: assert.Options{Expect: scenarios.Expectations{MustHalt: ptr.To(true)}},
		want: scorecard.VerdictFail, measured: "no halt",
	}},
	"must not halt, halted": {assert.MustHalt, evalCase{
		opts: assert.Options{Expect: scenarios.Expectations{MustHalt: ptr.To(false)}},
		obs:  []func(*assert.Observation){haltedAt(112)},
		want: scorecard.VerdictFail, limit: "never halts",
	}},
	"must page, paged": {assert.MustPage, evalCase{
		opts: assert.Options{Expect: scenarios.Expectations{MustPage: ptr.To(true)}},
		obs:  []func(*assert.Observation){withPages(page(125, automation), page(185, automation))},
		want: scorecard.VerdictPass, measured: "2 pages",
		evidence: []string{"InterlockBudgetExhausted arrived at +2:05, and 1 more page after"},
		source:   "scenario.expect.mustPage",
	}},
	"must page, only another automation paged": {assert.MustPage, evalCase{
		opts: assert.Options{Expect: scenarios.Expectations{MustPage: ptr.To(true)}},
		obs:  []func(*assert.Observation){withPages(page(125, "node-loss"))},
		want: scorecard.VerdictFail, evidence: []string{"1 page received in all"},
	}},
	"must not page, none": {assert.MustPage, evalCase{
		opts: assert.Options{Expect: scenarios.Expectations{MustPage: ptr.To(false)}},
		want: scorecard.VerdictPass, limit: "never pages",
	}},
	"enough actions": {assert.MinActions, evalCase{
		opts: assert.Options{Expect: scenarios.Expectations{MinActions: ptr.To(3)}},
		obs:  []func(*assert.Observation){withActions(every(50, 15, 3), acts(forbidden(100, "api-x")))},
		want: scorecard.VerdictPass, measured: "3 actions", limit: "at least 3 actions",
		evidence: []string{"3 accepted actions by " + remediator + ", from +0:50 to +1:20", "1 request rejected"},
		source:   "scenario.expect.minActions",
	}},
	"too few actions": {assert.MinActions, evalCase{
		opts: assert.Options{Expect: scenarios.Expectations{MinActions: ptr.To(1)}},
		obs:  []func(*assert.Observation){withActions(acts(forbidden(100, "api-x")))},
		want: scorecard.VerdictFail, measured: "0 actions",
	}},
}

func TestExpectations(t *testing.T) {
	for name, tc := range expectationCases {
		runEval(t, tc.name, map[string]evalCase{name: tc.evalCase})
	}
}
