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
	"github.com/interlock-dev/interlock/harness/scorecard"
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
	unmet := func(name, format string, args ...any) {
		d.Unmet = append(d.Unmet, Condition{Name: name, Reason: fmt.Sprintf(format, args...)})
	}

	switch {
	case !in.Current.Valid():
		unmet(ConditionLadder, "current rung %q is not on the ladder (%s)", in.Current, rungList())
	case !in.Target.Valid():
		unmet(ConditionLadder, "target rung %q is not on the ladder (%s)", in.Target, rungList())
	case in.Target.Level() <= in.Current.Level():
		unmet(ConditionLadder, "%s is not above the current rung %s: a promotion goes up the ladder", in.Target, in.Current)
	}

	if in.SafetyCase == nil {
		unmet(ConditionSafetyCase, "the automation has no safety case")
	} else {
		for _, e := range lintAt(in.Automation, in.Target, in.SafetyCase) {
			unmet(ConditionSafetyCase, "%s: %s", strings.TrimPrefix(e.Field, "spec."), detail(e))
		}
		class := v1alpha1.ActionClass(in.SafetyCase.Action.Class)
		if _, ok := v1alpha1.PostureOf(class); !ok {
			unmet(ConditionPosture, "action class %q is not in the action-class table, so no rung above alert is allowed", class)
		} else if in.Target.Valid() {
			if err := v1alpha1.CheckRung(class, in.Target); err != nil {
				unmet(ConditionPosture, "%v", err)
			}
		}
	}

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
		unmet(ConditionScenarios, "no scenario exercises automation type %s: write one before it leaves the alert rung", in.Automation)
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
		if len(window) < d.Runs {
			extra := ""
			if stale > 0 {
				extra = fmt.Sprintf("; %d other nightly run(s) ran with another safety case and do not count", stale)
			}
			unmet(ConditionRuns, "scenario %s: only %d of %d nightly run(s) with the current safety case (%s) are on record%s",
				s, len(window), d.Runs, short(d.SafetyCaseDigest), extra)
		}
		for _, r := range window {
			if !r.Passed() {
				unmet(ConditionPassed, "scenario %s: nightly run %s %s (%s)", s, r.ID, failedWord(r.Verdict), notPassed(&r))
			}
			for _, why := range ungraded(&r, in.Automation, in.Target) {
				unmet(ConditionGraded, "scenario %s: nightly run %s %s, which %s needs", s, r.ID, why, in.Target)
			}
		}
		realProviders := []string{history.ProviderEmbedded, history.ProviderKind}
		if in.Target == v1alpha1.RungUnsupervised {
			realProviders = []string{history.ProviderKind}
		}
		if !slices.ContainsFunc(window, func(r history.Record) bool { return slices.Contains(realProviders, r.Provider) }) {
			ran := "none are on record"
			if len(window) > 0 {
				ran = "they ran on " + providers(window) + " only"
			}
			if in.Target == v1alpha1.RungUnsupervised {
				unmet(ConditionRealCluster, "scenario %s: promotion to unsupervised needs at least one of its last %d nightly run(s) on kind (the embedded cluster counts only up to supervised); %s",
					s, d.Runs, ran)
			} else {
				unmet(ConditionRealCluster, "scenario %s: none of its last %d nightly run(s) ran on a real cluster (embedded or kind); %s",
					s, d.Runs, ran)
			}
		}
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

// ungraded says, for each assertion the target rung needs, why run r did
// not grade it for the automations of type t: skipped, with the reason, or
// missing.
func ungraded(r *history.Record, t v1alpha1.AutomationType, target v1alpha1.Rung) []string {
	var names []string
	for _, a := range r.Automations {
		if a.Type == t {
			names = append(names, a.Name)
		}
	}
	var out []string
	for _, need := range RequiredAssertions[target] {
		owners := names
		if slices.Contains(runLevel, need) {
			owners = []string{""}
		}
		for _, owner := range owners {
			graded := slices.ContainsFunc(r.Assertions, func(a scorecard.Assertion) bool { return a.Name == need && a.Automation == owner })
			if graded {
				continue
			}
			i := slices.IndexFunc(r.Skipped, func(s scorecard.Skip) bool { return s.Name == need && s.Automation == owner })
			if i >= 0 {
				out = append(out, fmt.Sprintf("skipped %s (%s)", need, r.Skipped[i].Reason))
			} else {
				out = append(out, "did not grade "+need)
			}
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

// exercisers returns the names of the scenarios with an automation of type
// t, sorted and without duplicates.
func exercisers(ss []*scenarios.Scenario, t v1alpha1.AutomationType) []string {
	var names []string
	for _, s := range ss {
		if s != nil && slices.ContainsFunc(s.Spec.Automations, func(a scenarios.Automation) bool { return a.Type == t }) {
			names = append(names, s.Name())
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// nightlyRuns returns the nightly runs of scenario that count for the
// automation, newest first, and how many other nightly runs of it were left
// out only because they ran with another safety case.
func nightlyRuns(in Input, opts Options, remediator, scenario, digest string) (counted []history.Record, stale int) {
	for _, r := range in.Records {
		if r.Scenario != scenario || r.Suite != history.SuiteNightly || r.Baseline || r.Remediator != remediator {
			continue
		}
		if r.StartedAt.After(in.Now) || (opts.MaxAge > 0 && in.Now.Sub(r.StartedAt) > opts.MaxAge) {
			continue
		}
		if ranWith(&r, in.Automation, digest) {
			counted = append(counted, r)
		} else {
			stale++
		}
	}
	slices.SortStableFunc(counted, func(a, b history.Record) int {
		if c := b.StartedAt.Compare(a.StartedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return counted, stale
}

// ranWith reports whether every automation of type t in the run (and at
// least one) ran with the safety case of the given digest.
func ranWith(r *history.Record, t v1alpha1.AutomationType, digest string) bool {
	found := false
	for _, a := range r.Automations {
		if a.Type != t {
			continue
		}
		if digest == "" || a.SafetyCaseDigest != digest {
			return false
		}
		found = true
	}
	return found
}

func failedWord(v scorecard.Verdict) string {
	if v == scorecard.VerdictFail {
		return "failed"
	}
	return "did not pass"
}

// notPassed says why a run did not pass: its assertions that did not, or
// its verdict and error.
func notPassed(r *history.Record) string {
	var names []string
	for _, a := range r.Assertions {
		if a.Verdict != scorecard.VerdictPass {
			names = append(names, a.Name+" "+string(a.Verdict))
		}
	}
	if len(names) > 0 {
		return strings.Join(names, ", ")
	}
	if r.Error != "" {
		return "verdict " + string(r.Verdict) + ": " + r.Error
	}
	return "verdict " + string(r.Verdict)
}

// providers lists the distinct providers of the runs, sorted.
func providers(rs []history.Record) string {
	var ps []string
	for _, r := range rs {
		p := r.Provider
		if p == "" {
			p = "an unnamed provider"
		}
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return strings.Join(slices.Compact(ps), " and ")
}

// short abbreviates a digest for people: "sha256:" and 12 hex digits.
func short(digest string) string {
	if len(digest) > len("sha256:")+12 {
		return digest[:len("sha256:")+12]
	}
	return digest
}

func rungList() string {
	names := make([]string, len(v1alpha1.Rungs))
	for i, r := range v1alpha1.Rungs {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
