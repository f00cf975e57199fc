package validation_test

import (
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
)

func duration(d time.Duration) metav1.Duration { return metav1.Duration{Duration: d} }

func ptr[T any](v T) *T { return &v }

// completeSpec returns a complete safety case for a restart, modified by mods.
func completeSpec(mods ...func(*v1alpha1.SafetyCaseSpec)) *v1alpha1.SafetyCaseSpec {
	s := &v1alpha1.SafetyCaseSpec{
		Owner: "team-platform-sre",
		Trigger: v1alpha1.Trigger{
			Condition:          "a pod is in CrashLoopBackOff",
			For:                duration(2 * time.Minute),
			FalsePositiveModes: []string{"a pod that crash-loops by design while a dependency starts"},
			FalseNegativeModes: []string{"a pod that hangs without exiting"},
		},
		Action: v1alpha1.Action{
			Description:          "delete the pod so its controller recreates it",
			Class:                "restart",
			WorstCaseBlastRadius: "every replica of one workload restarts once",
		},
		Reversal: v1alpha1.Reversal{
			Procedure:     "none needed: the controller recreates the pod",
			TimeToReverse: duration(30 * time.Second),
		},
		Budget: v1alpha1.Budget{
			MaxActions: 5,
			Window:     duration(10 * time.Minute),
			PerTarget:  ptr[int32](3),
			PageWithin: duration(time.Minute),
		},
		BlastRadius: v1alpha1.BlastRadius{MaxInFlight: 2, MaxUnavailablePercent: 34},
		Telemetry: []v1alpha1.TelemetrySignal{
			{Metric: "interlock_remediator_actions_total", Alert: "InterlockRemediatorActionRateHigh", Meaning: "acts too often"},
			{Metric: "interlock_remediator_halted", Meaning: "the automation halted itself"},
		},
	}
	for _, mod := range mods {
		mod(s)
	}
	return s
}

// rollback makes the spec a complete rollback with a health gate.
func rollback(s *v1alpha1.SafetyCaseSpec) {
	s.Action.Class = "rollback"
	s.HealthGate = &v1alpha1.HealthGate{ProgressDeadline: duration(10 * time.Minute), MinAvailablePercent: 75}
}

// fieldErr is what a test expects of one field.Error.
type fieldErr struct {
	Type  field.ErrorType
	Field string
}

func summarize(errs field.ErrorList) []fieldErr {
	out := make([]fieldErr, 0, len(errs))
	for _, e := range errs {
		out = append(out, fieldErr{e.Type, e.Field})
	}
	return out
}

func checkErrs(t *testing.T, errs field.ErrorList, want []fieldErr) {
	t.Helper()
	got := summarize(errs)
	if !slices.Equal(got, want) {
		t.Errorf("errors = %v, want %v\nfull: %v", got, want, errs)
	}
	for _, e := range errs {
		if e.Detail == "" {
			t.Errorf("%s: error has no plain-words detail", e.Field)
		}
	}
}

// validateCases are changes to a complete safety case and what Validate reports
// of each.
var validateCases = map[string]struct {
	mod  func(*v1alpha1.SafetyCaseSpec)
	want []fieldErr
}{
	"complete restart": {
		mod: func(*v1alpha1.SafetyCaseSpec) {},
	},
	"complete rollback": {
		mod: rollback,
	},
	"complete without per-target budget": {
		mod: func(s *v1alpha1.SafetyCaseSpec) { s.Budget.PerTarget = nil },
	},
	"owner missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Owner = "" },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.owner"}},
	},
	"owner blank": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Owner = "  " },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.owner"}},
	},
	"trigger condition missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Trigger.Condition = "" },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.trigger.condition"}},
	},
	"trigger duration missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Trigger.For = metav1.Duration{} },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.trigger.for"}},
	},
	"trigger duration negative": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Trigger.For = duration(-time.Minute) },
		want: []fieldErr{{field.ErrorTypeInvalid, "spec.trigger.for"}},
	},
	"false-positive modes missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Trigger.FalsePositiveModes = nil },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.trigger.falsePositiveModes"}},
	},
	"false-positive mode empty": {
		mod: func(s *v1alpha1.SafetyCaseSpec) {
			s.Trigger.FalsePositiveModes = append(s.Trigger.FalsePositiveModes, "")
		},
		want: []fieldErr{{field.ErrorTypeRequired, "spec.trigger.falsePositiveModes[1]"}},
	},
	"false-negative modes missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Trigger.FalseNegativeModes = []string{} },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.trigger.falseNegativeModes"}},
	},
	"false-negative mode empty": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Trigger.FalseNegativeModes = []string{" "} },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.trigger.falseNegativeModes[0]"}},
	},
	"action description missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Action.Description = "" },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.action.description"}},
	},
	"action class missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Action.Class = "" },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.action.class"}},
	},
	"action class unknown": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Action.Class = "reboot" },
		want: []fieldErr{{field.ErrorTypeInvalid, "spec.action.class"}},
	},
	"worst-case blast radius missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Action.WorstCaseBlastRadius = "" },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.action.worstCaseBlastRadius"}},
	},
	"reversal procedure missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Reversal.Procedure = "" },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.reversal.procedure"}},
	},
	"time to reverse missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Reversal.TimeToReverse = metav1.Duration{} },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.reversal.timeToReverse"}},
	},
	"time to reverse negative": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Reversal.TimeToReverse = duration(-time.Second) },
		want: []fieldErr{{field.ErrorTypeInvalid, "spec.reversal.timeToReverse"}},
	},
	"max actions missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Budget.MaxActions = 0; s.Budget.PerTarget = nil },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.budget.maxActions"}},
	},
	"max actions negative": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Budget.MaxActions = -1; s.Budget.PerTarget = nil },
		want: []fieldErr{{field.ErrorTypeInvalid, "spec.budget.maxActions"}},
	},
	"budget window missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Budget.Window = metav1.Duration{} },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.budget.window"}},
	},
	"per-target budget zero": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Budget.PerTarget = ptr[int32](0) },
		want: []fieldErr{{field.ErrorTypeInvalid, "spec.budget.perTarget"}},
	},
	"per-target budget above the overall budget": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Budget.PerTarget = ptr[int32](6) },
		want: []fieldErr{{field.ErrorTypeInvalid, "spec.budget.perTarget"}},
	},
	"per-target budget equal to the overall budget": {
		mod: func(s *v1alpha1.SafetyCaseSpec) { s.Budget.PerTarget = ptr[int32](5) },
	},
	"page deadline missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Budget.PageWithin = metav1.Duration{} },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.budget.pageWithin"}},
	},
	"max in flight missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.BlastRadius.MaxInFlight = 0 },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.blastRadius.maxInFlight"}},
	},
	"max in flight negative": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.BlastRadius.MaxInFlight = -2 },
		want: []fieldErr{{field.ErrorTypeInvalid, "spec.blastRadius.maxInFlight"}},
	},
	"max unavailable percent missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.BlastRadius.MaxUnavailablePercent = 0 },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.blastRadius.maxUnavailablePercent"}},
	},
	"max unavailable percent over 100": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.BlastRadius.MaxUnavailablePercent = 101 },
		want: []fieldErr{{field.ErrorTypeInvalid, "spec.blastRadius.maxUnavailablePercent"}},
	},
	"max unavailable percent negative": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.BlastRadius.MaxUnavailablePercent = -5 },
		want: []fieldErr{{field.ErrorTypeInvalid, "spec.blastRadius.maxUnavailablePercent"}},
	},
	"max unavailable percent 100": {
		mod: func(s *v1alpha1.SafetyCaseSpec) { s.BlastRadius.MaxUnavailablePercent = 100 },
	},
	"health gate missing for a rollback": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { rollback(s); s.HealthGate = nil },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.healthGate"}},
	},
	"health gate progress deadline missing": {
		mod: func(s *v1alpha1.SafetyCaseSpec) {
			rollback(s)
			s.HealthGate.ProgressDeadline = metav1.Duration{}
		},
		want: []fieldErr{{field.ErrorTypeRequired, "spec.healthGate.progressDeadline"}},
	},
	"health gate minimum available missing": {
		mod: func(s *v1alpha1.SafetyCaseSpec) {
			rollback(s)
			s.HealthGate.MinAvailablePercent = 0
		},
		want: []fieldErr{{field.ErrorTypeRequired, "spec.healthGate.minAvailablePercent"}},
	},
	"health gate minimum available over 100": {
		mod: func(s *v1alpha1.SafetyCaseSpec) {
			rollback(s)
			s.HealthGate.MinAvailablePercent = 150
		},
		want: []fieldErr{{field.ErrorTypeInvalid, "spec.healthGate.minAvailablePercent"}},
	},
	"health gate given for a restart is checked too": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.HealthGate = &v1alpha1.HealthGate{MinAvailablePercent: 50} },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.healthGate.progressDeadline"}},
	},
	"telemetry missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Telemetry = nil },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.telemetry"}},
	},
	"telemetry metric missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Telemetry[1].Metric = "" },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.telemetry[1].metric"}},
	},
	"telemetry metric not a Prometheus name": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Telemetry[0].Metric = "remediator-actions" },
		want: []fieldErr{{field.ErrorTypeInvalid, "spec.telemetry[0].metric"}},
	},
	"telemetry meaning missing": {
		mod:  func(s *v1alpha1.SafetyCaseSpec) { s.Telemetry[0].Meaning = "" },
		want: []fieldErr{{field.ErrorTypeRequired, "spec.telemetry[0].meaning"}},
	},
}

func TestValidate(t *testing.T) {
	for name, tc := range validateCases {
		t.Run(name, func(t *testing.T) {
			errs := validation.Validate(completeSpec(tc.mod), field.NewPath("spec"))
			checkErrs(t, errs, tc.want)
		})
	}
}

// TestValidateReportsEveryPart checks that an empty safety case is reported
// part by part, not stopped at the first.
func TestValidateReportsEveryPart(t *testing.T) {
	tests := map[string]struct {
		spec *v1alpha1.SafetyCaseSpec
		want []fieldErr
	}{
		"nil": {
			spec: nil,
			want: []fieldErr{{field.ErrorTypeRequired, "spec"}},
		},
		"empty": {
			spec: &v1alpha1.SafetyCaseSpec{},
			want: []fieldErr{
				{field.ErrorTypeRequired, "spec.owner"},
				{field.ErrorTypeRequired, "spec.trigger.condition"},
				{field.ErrorTypeRequired, "spec.trigger.for"},
				{field.ErrorTypeRequired, "spec.trigger.falsePositiveModes"},
				{field.ErrorTypeRequired, "spec.trigger.falseNegativeModes"},
				{field.ErrorTypeRequired, "spec.action.description"},
				{field.ErrorTypeRequired, "spec.action.class"},
				{field.ErrorTypeRequired, "spec.action.worstCaseBlastRadius"},
				{field.ErrorTypeRequired, "spec.reversal.procedure"},
				{field.ErrorTypeRequired, "spec.reversal.timeToReverse"},
				{field.ErrorTypeRequired, "spec.budget.maxActions"},
				{field.ErrorTypeRequired, "spec.budget.window"},
				{field.ErrorTypeRequired, "spec.budget.pageWithin"},
				{field.ErrorTypeRequired, "spec.blastRadius.maxInFlight"},
				{field.ErrorTypeRequired, "spec.blastRadius.maxUnavailablePercent"},
				{field.ErrorTypeRequired, "spec.telemetry"},
			},
		},
		"empty rollback": {
			spec: &v1alpha1.SafetyCaseSpec{Action: v1alpha1.Action{Class: "rollback"}},
			want: []fieldErr{
				{field.ErrorTypeRequired, "spec.owner"},
				{field.ErrorTypeRequired, "spec.trigger.condition"},
				{field.ErrorTypeRequired, "spec.trigger.for"},
				{field.ErrorTypeRequired, "spec.trigger.falsePositiveModes"},
				{field.ErrorTypeRequired, "spec.trigger.falseNegativeModes"},
				{field.ErrorTypeRequired, "spec.action.description"},
				{field.ErrorTypeRequired, "spec.action.worstCaseBlastRadius"},
				{field.ErrorTypeRequired, "spec.reversal.procedure"},
				{field.ErrorTypeRequired, "spec.reversal.timeToReverse"},
				{field.ErrorTypeRequired, "spec.budget.maxActions"},
				{field.ErrorTypeRequired, "spec.budget.window"},
				{field.ErrorTypeRequired, "spec.budget.pageWithin"},
				{field.ErrorTypeRequired, "spec.blastRadius.maxInFlight"},
				{field.ErrorTypeRequired, "spec.blastRadius.maxUnavailablePercent"},
				{field.ErrorTypeRequired, "spec.healthGate"},
				{field.ErrorTypeRequired, "spec.telemetry"},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			checkErrs(t, validation.Validate(tc.spec, field.NewPath("spec")), tc.want)
		})
	}
}
