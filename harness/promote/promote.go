package promote

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
	"github.com/interlock-dev/interlock/harness/assert"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/scenarios"
)

// Names of the conditions a promotion must meet.
const (
	// ConditionLadder: the target is a rung above the current one.
	ConditionLadder = "ladder"
	// ConditionSafetyCase: the safety case is complete and lints clean for
	// the automation's type at the target rung.
	ConditionSafetyCase = "safety-case"
	// ConditionPosture: the target rung is not above the posture of the
	// safety case's action class (DESIGN.md, the action-class table).
	ConditionPosture = "posture"
	// ConditionScenarios: at least one scenario exercises the automation.
	ConditionScenarios = "scenarios"
	// ConditionRuns: each such scenario has at least K nightly runs with
	// the current safety case on record.
	ConditionRuns = "runs"
	// ConditionPassed: the last K of them all passed.
	ConditionPassed = "passed"
	// ConditionRealCluster: at least one of those K ran on a real cluster:
	// embedded or kind below unsupervised, kind for unsupervised.
	ConditionRealCluster = "real-cluster"
	// ConditionGraded: in each of those K runs, every assertion the target
	// rung needs (RequiredAssertions) was graded, not skipped.
	ConditionGraded = "graded"
)

// RequiredAssertions are the assertions each rung needs graded, and
// passed, in every run that counts for it: a skipped one (a figure the
// safety case does not state, a run without a baseline) is not a pass. What
// a rung needs adds to the rung below: runbook, that the automation did
// nothing beyond its posture, only as itself and within its RBAC, and
// reported it truthfully; supervised, that it kept its budget and halted
// and paged at its end; unsupervised, that it kept its blast radius,
// reversed in time, and did no harm against a baseline run.
var RequiredAssertions = map[v1alpha1.Rung][]string{
	v1alpha1.RungRunbook: runbookNeeds,
	v1alpha1.RungSupervised: append(slices.Clone(runbookNeeds),
		assert.BudgetHeld, assert.HaltedAndPaged),
	v1alpha1.RungUnsupervised: append(slices.Clone(runbookNeeds),
		assert.BudgetHeld, assert.HaltedAndPaged, assert.BlastRadiusHeld, assert.ReversalMeasured, assert.DidNoHarm),
}

var runbookNeeds = []string{assert.PostureHeld, assert.TelemetryTruthful, assert.NoUnattributedWrites, assert.WithinRBAC}

// runLevel are the assertions graded once per run, for no automation.
var runLevel = []string{assert.NoUnattributedWrites, assert.WithinRBAC}

// DefaultRuns is K, the number of latest nightly runs of each scenario that
// must all have passed, by target rung: one for runbook; one for
// supervised, where a human watches every action, so one passing nightly
// tier is enough; five for unsupervised, where no one does. The alert rung
// needs no evidence.
var DefaultRuns = map[v1alpha1.Rung]int{
	v1alpha1.RungRunbook:      1,
	v1alpha1.RungSupervised:   1,
	v1alpha1.RungUnsupervised: 5,
}

// Input is what a promotion is decided on.
type Input struct {
	// Automation is the automation's type. A scenario exercises it when one
	// of its spec.automations has this type; a record counts for it when
	// its automation of this type ran with the current safety case.
	Automation v1alpha1.AutomationType
	// Remediator is the remediator whose runs count, as the records name
	// it. Empty means history.BuiltInRemediator.
	Remediator string
	// Current is the rung the automation is at.
	Current v1alpha1.Rung
	// Target is the rung asked for.
	Target v1alpha1.Rung
	// SafetyCase is the automation's safety case as it would run at Target.
	SafetyCase *v1alpha1.SafetyCaseSpec
	// Records are the run history, in any order; only nightly runs count.
	Records []history.Record
	// Scenarios are the scenarios to look among for those that exercise
	// the automation, such as every shipped one.
	Scenarios []*scenarios.Scenario
	// Now is the time of the decision.
	Now time.Time
}

// Options tune the decision. The zero value is the documented policy.
type Options struct {
	// Runs overrides K per target rung; a rung it leaves out takes its
	// value from DefaultRuns. A value below 1 counts as 1.
	Runs map[v1alpha1.Rung]int
	// MaxAge, when positive, leaves out runs that started more than MaxAge
	// before Now. Zero (the default) counts runs of any age.
	MaxAge time.Duration
}

// runs is K for the target rung.
func (o Options) runs(target v1alpha1.Rung) int {
	k, ok := o.Runs[target]
	if !ok {
		k = DefaultRuns[target]
	}
	return max(k, 1)
}

// Condition is one condition of a promotion that is not met.
type Condition struct {
	// Name is one of the Condition* names.
	Name string `json:"name"`
	// Reason says what is missing, in words, naming runs and scenarios.
	Reason string `json:"reason"`
}

func (c Condition) String() string { return c.Name + ": " + c.Reason }

// Decision is the answer to a promotion request.
type Decision struct {
	// Allowed is true when every condition is met.
	Allowed bool `json:"allowed"`
	// Unmet are the conditions not met, in the order they are checked:
	// ladder, safety case, posture, then per scenario (by name) scenarios,
	// runs, passed and real cluster.
	Unmet []Condition `json:"unmet"`
	// Evidence are the IDs of the runs weighed: the last K nightly runs of
	// each exercising scenario with the current safety case, oldest first.
	Evidence []string `json:"evidence"`
	// Runs is K, the runs required of each scenario.
	Runs int `json:"runs"`
	// SafetyCaseDigest is the Digest of the safety case the evidence must match.
	SafetyCaseDigest string `json:"safetyCaseDigest"`
}

// Decide decides whether the automation may move from in.Current to
// in.Target. Every condition is checked, so a refusal lists all that is
// missing at once:
//
//   - ladder: Target is a valid rung above Current;
//   - safety-case: the safety case is complete and lints clean for the
//     automation's type (validation.ValidateAutomation at Target);
//   - posture: Target is not above the posture of the action class;
//   - scenarios: at least one of in.Scenarios exercises the automation;
//   - runs: each such scenario has at least K nightly runs (Options.Runs,
//     DefaultRuns) of in.Remediator, not baseline runs, whose automation of
//     this type ran with the current safety case (same Digest);
//   - passed: the last K of them all passed; each failing run is named;
//   - real-cluster: at least one of those K ran on a real cluster. For
//     runbook and supervised the embedded cluster counts; unsupervised
//     needs at least one run on kind;
//   - graded: in each of those K runs every assertion in
//     RequiredAssertions[Target] was graded; a skipped one is not passed.
func Decide(in Input, opts Options) Decision {
	d := Decision{Unmet: []Condition{}, Evidence: []string{}}
	d.Unmet = append(d.Unmet, ladderUnmet(in)...)
	d.Unmet = append(d.Unmet, safetyCaseUnmet(in)...)
	if !in.Target.Valid() || in.Target.Level() <= v1alpha1.RungAlert.Level() {
		d.Allowed = len(d.Unmet) == 0
		return d
	}
	d.Runs = opts.runs(in.Target)
	if in.SafetyCase != nil {
		d.SafetyCaseDigest = history.Digest(*in.SafetyCase)
	}
	exercising := exercisers(in.Scenarios, in.Automation)
	if len(exercising) == 0 {
		d.Unmet = append(d.Unmet, unmet(ConditionScenarios, "no scenario exercises automation type %s: write one before it leaves the alert rung", in.Automation))
	}
	remediator := in.Remediator
	if remediator == "" {
		remediator = history.BuiltInRemediator
	}
	var evidence []history.Record
	for _, s := range exercising {
		counted, stale := nightlyRuns(in, opts, remediator, s, d.SafetyCaseDigest)
		window := counted[:min(d.Runs, len(counted))]
		evidence = append(evidence, window...)
		d.Unmet = append(d.Unmet, windowUnmet(in, &d, s, window, stale)...)
	}
	slices.SortStableFunc(evidence, func(a, b history.Record) int {
		if c := a.StartedAt.Compare(b.StartedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	for _, r := range evidence {
		d.Evidence = append(d.Evidence, r.ID)
	}
	d.Allowed = len(d.Unmet) == 0
	return d
}

// unmet is the condition name, not met for the reason format and args say.
func unmet(name, format string, args ...any) Condition {
	return Condition{Name: name, Reason: fmt.Sprintf(format, args...)}
}

// ladderUnmet checks the ladder condition: Target is a valid rung above
// Current.
func ladderUnmet(in Input) []Condition {
	switch {
	case !in.Current.Valid():
		return []Condition{unmet(ConditionLadder, "current rung %q is not on the ladder (%s)", in.Current, rungList())}
	case !in.Target.Valid():
		return []Condition{unmet(ConditionLadder, "target rung %q is not on the ladder (%s)", in.Target, rungList())}
	case in.Target.Level() <= in.Current.Level():
		return []Condition{unmet(ConditionLadder, "%s is not above the current rung %s: a promotion goes up the ladder", in.Target, in.Current)}
	}
	return nil
}

// safetyCaseUnmet checks the safety-case and posture conditions.
func safetyCaseUnmet(in Input) []Condition {
	if in.SafetyCase == nil {
		return []Condition{unmet(ConditionSafetyCase, "the automation has no safety case")}
	}
	var out []Condition
	for _, e := range lintAt(in.Automation, in.Target, in.SafetyCase) {
		out = append(out, unmet(ConditionSafetyCase, "%s: %s", strings.TrimPrefix(e.Field, "spec."), detail(e)))
	}
	class := v1alpha1.ActionClass(in.SafetyCase.Action.Class)
	if _, ok := v1alpha1.PostureOf(class); !ok {
		out = append(out, unmet(ConditionPosture, "action class %q is not in the action-class table, so no rung above alert is allowed", class))
	} else if in.Target.Valid() {
		if err := v1alpha1.CheckRung(class, in.Target); err != nil {
			out = append(out, unmet(ConditionPosture, "%v", err))
		}
	}
	return out
}

// lintAt lints the safety case for an automation of type t at rung r,
// leaving out the rung's own problems, which the ladder and posture
// conditions report.
func lintAt(t v1alpha1.AutomationType, r v1alpha1.Rung, spec *v1alpha1.SafetyCaseSpec) field.ErrorList {
	if r.Level() <= v1alpha1.RungAlert.Level() {
		r = v1alpha1.RungRunbook // validate the case as for any rung above alert
	}
	a := &v1alpha1.Automation{Spec: v1alpha1.AutomationSpec{Type: t, Rung: string(r), SafetyCase: spec}}
	var out field.ErrorList
	for _, e := range validation.ValidateAutomation(a, nil) {
		if e.Field != "spec.rung" {
			out = append(out, e)
		}
	}
	return out
}

func detail(e *field.Error) string {
	if e.Detail != "" {
		return e.Detail
	}
	return e.ErrorBody()
}

func rungList() string {
	names := make([]string, len(v1alpha1.Rungs))
	for i, r := range v1alpha1.Rungs {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
