package assert_test

import (
	"testing"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/remediator/metrics"
)

func counter(v float64) func(*assert.Observation) {
	return func(o *assert.Observation) { o.ActionCounter = &v }
}

func TestTelemetryTruthful(t *testing.T) {
	five := withActions(every(50, 15, 5))
	runEval(t, assert.TelemetryTruthful, map[string]evalCase{
		"the counter agrees": {
			obs:      []func(*assert.Observation){five, counter(5)},
			want:     scorecard.VerdictPass,
			measured: `interlock_remediator_actions_total{automation="restart-crashlooping",outcome="succeeded"} = 5; ledger 5`,
			limit:    "equal to the ledger's accepted actions",
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
		"metrics endpoint unavailable": {
			obs: []func(*assert.Observation){five, func(o *assert.Observation) {
				o.MetricsError = "Get \"http://127.0.0.1:8080/metrics\": connection refused"
			}},
			want:     scorecard.VerdictError,
			measured: "unknown; ledger 5",
			evidence: []string{"metrics endpoint unavailable: Get", "connection refused"},
		},
		"no reading": {
			obs:  []func(*assert.Observation){five},
			want: scorecard.VerdictError, evidence: []string{"no reading"},
		},
		"the safety case names no counter": {
			sc: []func(*v1alpha1.SafetyCaseSpec){func(s *v1alpha1.SafetyCaseSpec) {
				s.Telemetry = []v1alpha1.TelemetrySignal{{Metric: metrics.Halted, Meaning: "halted"}}
			}},
			obs:    []func(*assert.Observation){five, counter(5)},
			want:   scorecard.VerdictPass,
			source: "safetyCase.telemetry",
		},
	})
}

func truth(mean float64, samples ...float64) func(*assert.Observation) {
	return func(o *assert.Observation) {
		o.Truth.MeanAvailability = mean
		o.Truth.MinAvailability = 1
		for i, s := range samples {
			o.Truth.Samples = append(o.Truth.Samples, scorecard.AvailabilitySample{Time: at(float64(10 * i)), Availability: s})
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
