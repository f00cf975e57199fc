package assert_test

import (
	"testing"

	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/testutil"
)

func counter(v float64) func(*assert.Observation) {
	return func(o *assert.Observation) { o.Telemetry = &assert.Telemetry{Scrapes: 2, Actions: &v} }
}

func telemetry(t assert.Telemetry) func(*assert.Observation) {
	return func(o *assert.Observation) { o.Telemetry = &t }
}

func TestTelemetryTruthful(t *testing.T) {
	five := withActions(every(50, 15, 5))
	runEval(t, assert.TelemetryTruthful, map[string]evalCase{
		"the counter agrees": {
			obs:      []func(*assert.Observation){five, counter(5)},
			want:     scorecard.VerdictPass,
			measured: `interlock_remediator_actions_total{automation="restart-crashlooping",outcome="succeeded"} = 5; ledger 5`,
			limit:    "the action counter equals the ledger's accepted actions, in every scrape",
			evidence: []string{"the remediator counted 5 and the audit log shows 5 accepted actions"},
			source:   "safetyCase.telemetry[0].metric",
		},
		"rejected requests are not actions": {
			obs:  []func(*assert.Observation){five, withActions(acts(forbidden(200, "api-x"))), counter(5)},
			want: scorecard.VerdictPass,
		},
		"it under-reports": {
			obs:      []func(*assert.Observation){five, counter(3)},
			want:     scorecard.VerdictFail,
			evidence: []string{"counted fewer actions than the audit log shows (3 vs 5 accepted actions"},
		},
		"it over-reports": {
			obs:      []func(*assert.Observation){five, counter(7)},
			want:     scorecard.VerdictFail,
			evidence: []string{"counted more"},
		},
		// Broken remediator: its counter restarts with it and the harness
		// read only the last value.
		"broken: loses its count on restart": {
			obs:  []func(*assert.Observation){withActions(every(50, 15, 5), every(160, 15, 5)), counter(5)},
			want: scorecard.VerdictFail, measured: "= 5; ledger 10",
		},
		// A remediator whose metrics cannot be read has said nothing
		// checkable about itself: that fails, it does not pass unseen.
		"metrics endpoint unavailable": {
			obs: []func(*assert.Observation){five, telemetry(assert.Telemetry{Errors: []string{
				"Get \"http://127.0.0.1:8080/metrics\": connection refused", "connection refused"}})},
			want:     scorecard.VerdictFail,
			measured: "0 scrapes; ledger 5",
			evidence: []string{"only 0 scrapes", "connection refused"},
		},
		"one scrape is not enough": {
			obs:  []func(*assert.Observation){five, telemetry(assert.Telemetry{Scrapes: 1, Actions: ptr.To(5.0)})},
			want: scorecard.VerdictFail, evidence: []string{"only 1 scrape"},
		},
		"never read": {
			obs:  []func(*assert.Observation){five},
			want: scorecard.VerdictFail, evidence: []string{"only 0 scrapes"},
		},
		// A remediator that does not expose its counter is not read as
		// having taken no action.
		"absent series": {
			obs:      []func(*assert.Observation){withActions(nil), telemetry(assert.Telemetry{Scrapes: 3, ActionsMissing: 3})},
			want:     scorecard.VerdictFail,
			measured: "absent from 3 of 3 scrapes; ledger 0",
		},
		"absent from one scrape": {
			obs:  []func(*assert.Observation){five, telemetry(assert.Telemetry{Scrapes: 3, ActionsMissing: 1, Actions: ptr.To(5.0)})},
			want: scorecard.VerdictFail, measured: "absent from 1 of 3 scrapes",
		},
		// Red team: acts, and keeps its counter at zero.
		"broken: a zero counter": {
			obs:  []func(*assert.Observation){five, counter(0)},
			want: scorecard.VerdictFail, evidence: []string{"counted fewer actions than the audit log shows (0 vs 5"},
		},
		"the safety case names no counter": {
			sc: []func(*v1alpha1.SafetyCaseSpec){func(s *v1alpha1.SafetyCaseSpec) {
				s.Telemetry = []v1alpha1.TelemetrySignal{{Metric: contract.MetricHalted, Meaning: "halted"}}
			}},
			obs:    []func(*assert.Observation){five, counter(5)},
			want:   scorecard.VerdictPass,
			source: "safetyCase.telemetry",
		},
	})
}

// The declared halted gauge and pages-sent counter are checked against the
// halt the ledger proves and the pages the receiver got.
func TestTelemetryCrossChecks(t *testing.T) {
	declared := func(s *v1alpha1.SafetyCaseSpec) {
		s.Telemetry = append(s.Telemetry,
			v1alpha1.TelemetrySignal{Metric: contract.MetricHalted, Meaning: "halted"},
			v1alpha1.TelemetrySignal{Metric: contract.MetricPagesSentTotal, Meaning: "pages"})
	}
	five := withActions(every(50, 15, 5))
	halted := func(o *assert.Observation) { o.HaltedAt = testutil.At(111) }
	paged := withPages(page(120, automation))
	runEval(t, assert.TelemetryTruthful, map[string]evalCase{
		"all agree": {
			sc:   []func(*v1alpha1.SafetyCaseSpec){declared},
			obs:  []func(*assert.Observation){five, halted, paged, telemetry(assert.Telemetry{Scrapes: 2, Actions: ptr.To(5.0), Halted: ptr.To(1.0), PagesSent: ptr.To(1.0)})},
			want: scorecard.VerdictPass, limit: "halted gauge agrees",
		},
		"the gauge says not halted": {
			sc:       []func(*v1alpha1.SafetyCaseSpec){declared},
			obs:      []func(*assert.Observation){five, halted, paged, telemetry(assert.Telemetry{Scrapes: 2, Actions: ptr.To(5.0), Halted: ptr.To(0.0), PagesSent: ptr.To(1.0)})},
			want:     scorecard.VerdictFail,
			evidence: []string{"interlock_remediator_halted is 0 at the end, though the ledger shows it halted at +1:51"},
		},
		"the gauge claims a halt the ledger does not show": {
			sc:       []func(*v1alpha1.SafetyCaseSpec){declared},
			obs:      []func(*assert.Observation){five, telemetry(assert.Telemetry{Scrapes: 2, Actions: ptr.To(5.0), Halted: ptr.To(1.0)})},
			want:     scorecard.VerdictFail,
			evidence: []string{"claims a halt the ledger does not show"},
		},
		"pages counted that never arrived": {
			sc:       []func(*v1alpha1.SafetyCaseSpec){declared},
			obs:      []func(*assert.Observation){five, telemetry(assert.Telemetry{Scrapes: 2, Actions: ptr.To(5.0), PagesSent: ptr.To(2.0)})},
			want:     scorecard.VerdictFail,
			evidence: []string{"says it sent 2 pages, the receiver got 0"},
		},
		"pages arrived, none counted": {
			sc:       []func(*v1alpha1.SafetyCaseSpec){declared},
			obs:      []func(*assert.Observation){five, halted, paged, telemetry(assert.Telemetry{Scrapes: 2, Actions: ptr.To(5.0), Halted: ptr.To(1.0)})},
			want:     scorecard.VerdictFail,
			evidence: []string{"1 page arrived but interlock_remediator_pages_sent_total was never exposed"},
		},
		"not declared, not checked": {
			obs:  []func(*assert.Observation){five, halted, telemetry(assert.Telemetry{Scrapes: 2, Actions: ptr.To(5.0)})},
			want: scorecard.VerdictPass,
		},
	})
}

func truth(mean float64, samples ...float64) func(*assert.Observation) {
	return func(o *assert.Observation) {
		o.Truth.MeanAvailability = mean
		o.Truth.MinAvailability = 1
		for i, s := range samples {
			o.Truth.Samples = append(o.Truth.Samples, scorecard.AvailabilitySample{Time: testutil.At(float64(10 * i)), Availability: s})
			o.Truth.MinAvailability = min(o.Truth.MinAvailability, s)
		}
	}
}

func baseline(v float64) func(*assert.Observation) {
	return func(o *assert.Observation) { o.BaselineAvailability = &v }
}

func TestDidNoHarm(t *testing.T) {
	runEval(t, assert.DidNoHarm, map[string]evalCase{
		"better with it": {
			obs:      []func(*assert.Observation){truth(0.9, 1, 0.8), baseline(0.52)},
			want:     scorecard.VerdictPass,
			measured: "90.0% with the remediator",
			limit:    "at least 52.0% (mean true availability without the remediator), less 0.5 percentage point of run-to-run jitter",
			evidence: []string{"over 2 samples: 90.0% with the remediator, 52.0% without"},
			source:   "baseline.meanAvailability",
		},
		"the same": {
			obs:  []func(*assert.Observation){truth(0.7, 0.7), baseline(0.7)},
			want: scorecard.VerdictPass,
		},
		"worse within the run-to-run jitter": {
			obs:  []func(*assert.Observation){truth(0.797, 0.797), baseline(0.799)},
			want: scorecard.VerdictPass,
		},
		"worse just past the jitter": {
			obs:      []func(*assert.Observation){truth(0.793, 0.793), baseline(0.799)},
			want:     scorecard.VerdictFail,
			evidence: []string{"the remediator cost 0.6%"},
		},
		"worse with it": {
			obs:      []func(*assert.Observation){truth(0.4, 0.4), baseline(0.52)},
			want:     scorecard.VerdictFail,
			evidence: []string{"the remediator cost 12.0%"},
		},
		"no samples": {
			obs:  []func(*assert.Observation){baseline(0.52)},
			want: scorecard.VerdictError, measured: "no availability samples",
		},
		"no baseline": {
			obs:  []func(*assert.Observation){truth(0.9, 0.9)},
			skip: "no baseline run",
		},
	})
}
