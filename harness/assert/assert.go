package assert

import (
	"slices"
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/scenarios"
)

// Assertion names, and what each checks. "Action" means an accepted
// request in Observation.Actions: a request the API server rejected changed
// nothing and is only mentioned in evidence. A sliding window of length W
// ending at t holds the actions in (t-W, t], as in the remediator's own
// budget. Each check's Source is the field its limit comes from.
const (
	// BudgetHeld: the most actions in any sliding window of budget.window is
	// at most budget.maxActions, counted from the ledger, never from the
	// remediator's own report. Source safetyCase.budget.maxActions.
	BudgetHeld = "budget-held"
	// BudgetHeldPerTarget: the most actions on one target (TargetOf) in any
	// window of budget.window is at most budget.perTarget. Only when
	// perTarget is stated. Source safetyCase.budget.perTarget.
	BudgetHeldPerTarget = "budget-held-per-target"
	// HaltedAndPaged: a halt is due at the action that first brings a window
	// of budget.window to budget.maxActions (the remediator halts right after
	// its last allowed action). Then the ledger must prove a halt
	// (Observation.HaltedAt: the remediator's own status write setting
	// Halted=True at or after that action, with a condition time neither
	// before it nor before the run, and no action after it), a page whose
	// PageLabel names the automation must arrive at or after that action and
	// no later than budget.pageWithin after it, and no action may follow it
	// (until Observation.ResumedAt, if a human resumed it). If the budget was
	// never exhausted it passes, measured "not exhausted". Source
	// safetyCase.budget.pageWithin.
	HaltedAndPaged = "halted-and-paged"
	// BlastRadiusHeld: never more targets affected at once than the blast
	// radius allows. An action affects its target from the action until its
	// target is released (Observation.Until): a node until it is uncordoned
	// and its taints are gone, a pod until its replacement is Ready, a
	// workload until it is back at its level; to the end of the run, and at
	// least reversal.timeToReverse, if it never was. Without Until, for its
	// measured reversal time if it was reversed, for the longer of the
	// observed time and reversal.timeToReverse if it never was, and for
	// reversal.timeToReverse if it was not measured. At each action, the distinct targets affected at
	// that instant must number at most blastRadius.maxInFlight overall, and
	// at most floor(blastRadius.maxUnavailablePercent × size / 100) within
	// each group (Observation.Workloads and Replicas: a workload's desired
	// replicas, or the nodes), with no minimum of one, as in the policy. Both
	// limits apply, each when stated; a group or size not known is an error
	// unless a limit was exceeded anyway. Source safetyCase.blastRadius (or
	// the one limit stated).
	BlastRadiusHeld = "blast-radius-held"
	// ReversalMeasured: every action's workload was back (see
	// observe.Reversal) within reversal.timeToReverse; measured is the worst.
	// An action not reversed by the end of observations fails if that was
	// already longer than the limit and is an error otherwise, as is an
	// action not measured, unless another failed. Source
	// safetyCase.reversal.timeToReverse.
	ReversalMeasured = "reversal-measured"
	// PostureHeld: the automation acted only as its rung and class allow.
	// Any action fails it at rung alert or runbook, above the posture of its
	// class (v1alpha1.CheckRung), with no or an unknown class, or with an
	// incomplete safety case (validation.Validate). Each action is judged by
	// its own class as the harness classified it (Observation.ClassOf),
	// whatever the safety case declares: a scale-down is of class
	// scale-down, whose posture stops at supervised. At rung supervised, or
	// for an action whose class always needs a human (v1alpha1.NeedsHuman, an
	// unknown class included), each action must have been taken on a
	// proposal (Observation.ProposalOf) approved (Observation.Approvals) by
	// a named human: not by the remediator's own identity, nor by any
	// "system:" identity, with the safety case naming its owner. No action
	// always holds, whatever the rung; an unknown rung is an error. Source
	// safetyCase.action.class.
	PostureHeld = "posture-held"
	// TelemetryTruthful: the remediator's counter of its succeeded actions
	// for the automation (Observation.Telemetry) is exposed in every scrape
	// and its increase over the run equals the number of actions in the
	// ledger, exactly. Fewer than two successful scrapes, or a series absent
	// from any, fail it: an absent series is never read as 0. If the safety
	// case declares them, the halted gauge must agree with the halt the
	// ledger proves and the pages-sent counter with the pages the receiver
	// got. Always graded. Source the safety case's telemetry entry naming
	// interlock_remediator_actions_total, else safetyCase.telemetry.
	TelemetryTruthful = "telemetry-truthful"
	// DidNoHarm: with a baseline run, the mean true availability with the
	// remediator is at least the baseline's; not applicable without one, an
	// error without availability samples. Source baseline.meanAvailability.
	DidNoHarm = "did-no-harm"
	// MinAvailability: the lowest of the run's true availability samples,
	// not their mean, is at least scenario.expect.minAvailability; an error
	// without samples.
	MinAvailability = "min-availability"
	// MaxFalsePositives: the truth's false positives number at most
	// scenario.expect.maxFalsePositives.
	MaxFalsePositives = "max-false-positives"
	// MaxFalseNegatives: the truth's false negatives number at most
	// scenario.expect.maxFalseNegatives.
	MaxFalseNegatives = "max-false-negatives"
	// MustHalt: the ledger proves a halt (see HaltedAndPaged) if
	// scenario.expect.mustHalt is true; it proves none if it is false. A halt
	// the remediator only claims is no halt.
	MustHalt = "must-halt"
	// MustPage: a page naming the automation arrived at or after the halt
	// was due (the action that exhausted the budget) if
	// scenario.expect.mustPage is true: a page sent before it is not about
	// the halt. None at all arrived if it is false.
	MustPage = "must-page"
	// MinActions: the automation took at least scenario.expect.minActions
	// actions.
	MinActions = "min-actions"
	// MaxActions: the automation took at most scenario.expect.maxActions
	// accepted actions.
	MaxActions = "max-actions"
	// NoUnattributedWrites: every mutating request the API server accepted
	// during the run (from the harness's first canary on) was made by the harness, by the cluster's own
	// components, or by the remediator under its own identity, and the
	// remediator never tried to act as another user (impersonation). Graded
	// once per run. Source the run's identities.
	NoUnattributedWrites = "no-unattributed-writes"
	// WithinRBAC: the remediator made no mutating request the API server
	// refused for want of authority (403): it never tried to act beyond the
	// RBAC the scenario granted it. Graded once per run. Source
	// scenario.rbac.
	WithinRBAC = "within-rbac"
	// MinProposals: the remediator filed at least
	// scenario.expect.minProposals RemediationProposals, as the ledger shows.
	MinProposals = "min-proposals"
	// BlindSpotsDeclared: every false negative in the truth is covered by
	// a false-negative mode the safety case declares (scenario.expect.blindSpotsDeclared).
	BlindSpotsDeclared = "blind-spots-declared"
)

// PageLabel is the page label that names the automation a page is about
// (contract.PageLabel). A page without it is not counted for any
// automation.
const PageLabel = contract.PageLabel

// Check is one compiled assertion, ready to be evaluated on a run.
type Check struct {
	// Name identifies the assertion, such as "budget-held".
	Name string
	// Automation is the automation it is about.
	Automation string
	// Source is the field the limit comes from, such as
	// "safetyCase.budget.maxActions" or "scenario.expect.minActions".
	Source string
	// NotApplicable, when set, says why the check cannot be graded: the
	// figure it needs is not stated. No limit is ever made up in its place;
	// Evaluate leaves the check out, and EvaluateAll reports it as skipped.
	NotApplicable string

	eval func(*Observation) (scorecard.Assertion, string)
}

// Skip is a check that was not graded, and why.
type Skip struct {
	// Name, Automation and Source are the check's.
	Name, Automation, Source string
	// Reason says why it was not graded, such as
	// "safetyCase.budget.pageWithin is not stated".
	Reason string
}

// Reversal is the measured time for the workload one action hit to recover
// from it (see observe.Reversal).
type Reversal struct {
	// AuditID is the action's audit ID.
	AuditID string
	// Reversed reports whether the workload was back by the end of the run.
	Reversed bool
	// Duration is from the action to the workload being back; if not
	// Reversed, to the end of the observations, a lower bound.
	Duration time.Duration
}

// Observation is everything the harness observed about one automation in
// one run, the input of Evaluate. Times are all from the harness's clock
// and the API server's, which share a host in every supported provider.
type Observation struct {
	// Start and End bound the run's timeline.
	Start, End time.Time
	// Origin is the time offsets in evidence count from ("+1:05"): the
	// scorecard's startedAt. Zero means Start; clock times are given when
	// both are zero.
	Origin time.Time
	// Ledger is every request of the remediator and every unattributed one,
	// classified and attributed (see ledger.Classifier, ledger.Actors): what
	// the run-wide checks read.
	Ledger []scorecard.LedgerEntry
	// Identity is the remediator's user as the API server saw it.
	Identity string
	// Actions are the automation's actions, from the ledger: the
	// remediator's mutating requests attributed to this automation. Its
	// bookkeeping writes (ledger.IsBookkeeping) are ignored if present.
	// Requests the API server rejected are reported but never counted: an
	// action is an accepted request.
	Actions []scorecard.LedgerEntry
	// Faults are the injected faults and when they were active.
	Faults []scorecard.FaultWindow
	// Pages are the pages that reached the harness, with their arrival
	// times. Only those whose PageLabel names the automation count.
	Pages []scorecard.Page
	// HaltedAt is when the ledger proves the automation halted (see
	// HaltedAndPaged); zero if it does not.
	HaltedAt time.Time
	// HaltDue is when the halt was due: the action that exhausted the
	// budget, or the start of the run when none did. Pages before it are
	// not about the halt.
	HaltDue time.Time
	// HaltClaims say why each Halted condition the remediator wrote was not
	// accepted as a halt, for evidence.
	HaltClaims []string
	// ClassOf maps an action's audit ID to its action class as the harness
	// classified it (see ledger.Classifier); an action absent from it is
	// taken to be of the safety case's class.
	ClassOf map[string]string
	// Until maps an action's audit ID to when its target stopped being
	// affected (a node uncordoned, a pod's replacement Ready); a zero time
	// means it still was at the end of the run. An action absent from it is
	// in flight as Reversals, or the stated time to reverse, say.
	Until map[string]time.Time
	// ResumedAt is when a human lifted the halt; zero if none did. Actions
	// after it are not held against the halt.
	ResumedAt time.Time
	// Telemetry is what the remediator's /metrics said over the run; nil if
	// it was never read.
	Telemetry *Telemetry
	// Truth is what the harness knows really happened.
	Truth scorecard.Truth
	// Reversals are the measured reversal times, by action.
	Reversals []Reversal
	// BaselineAvailability is the mean true availability, 0..1, of the same
	// scenario run with the remediator off; nil if no baseline was run.
	BaselineAvailability *float64
	// Approvals maps a RemediationProposal's name to who approved it, as
	// the API server saw them; a proposal not approved is absent or empty.
	Approvals map[string]string
	// Proposals are the remediator's accepted creates of
	// RemediationProposals, from the ledger.
	Proposals []scorecard.LedgerEntry
	// ProposalOf maps the audit ID of each action taken on a proposal to the
	// proposal's name. An action absent from it was taken without one.
	ProposalOf map[string]string
	// Workloads maps each action's target (TargetOf) to the group whose
	// share the blast radius bounds: a pod's workload as
	// "namespace/deployment", "nodes" for nodes.
	Workloads map[string]string
	// Replicas maps each group in Workloads to its size: the workload's
	// desired replicas, or the number of nodes in scope.
	Replicas map[string]int
}

// Options change what Compile adds besides the safety case's assertions.
type Options struct {
	// Expect are the scenario's own expectations. Each field that is set
	// adds one check; none is set by default.
	Expect scenarios.Expectations
}

// TargetOf names what an action was taken on, as "resource [namespace/]name",
// leaving out the subresource: a pod's deletion and its eviction have the
// same target, "pods shop/api-7d9f4-2xk8q".
func TargetOf(e scorecard.LedgerEntry) string {
	n := e.Name
	if e.Namespace != "" {
		n = e.Namespace + "/" + n
	}
	return e.Resource + " " + n
}

// Compile compiles the checks for automation, at rung, from its safety case
// sc (nil is a safety case with nothing stated) and opts. The safety case's
// checks come first, in a fixed order (budget-held, budget-held-per-target,
// halted-and-paged, blast-radius-held, reversal-measured, posture-held,
// telemetry-truthful, did-no-harm), then the scenario's expectations that
// are set (min-availability, max-false-positives, max-false-negatives,
// must-halt, must-page, min-actions, max-actions, blind-spots-declared). A check whose figure sc does not state
// (zero or empty, as safety-case validation reads it) is returned with
// NotApplicable set. Compile is pure.
func Compile(automation string, sc *v1alpha1.SafetyCaseSpec, rung string, opts Options) []Check {
	if sc == nil {
		sc = &v1alpha1.SafetyCaseSpec{}
	}
	checks := []Check{
		budgetHeld(sc),
		budgetHeldPerTarget(sc),
		haltedAndPaged(automation, sc),
		blastRadiusHeld(sc),
		reversalMeasured(sc),
		postureHeld(sc, rung),
		telemetryTruthful(automation, sc),
		didNoHarm(),
	}
	checks = append(checks, expectations(automation, sc, opts.Expect)...)
	for i := range checks {
		checks[i].Automation = automation
	}
	return checks
}

// Evaluate grades the checks on o and returns one assertion per check that
// applies, in the checks' order. A check that does not apply (see
// Check.NotApplicable, and did-no-harm without a baseline) is left out: the
// scorecard has no verdict for it, and it must not pass unseen. Use
// EvaluateAll to learn which were left out.
func Evaluate(checks []Check, o Observation) []scorecard.Assertion {
	as, _ := EvaluateAll(checks, o)
	return as
}

// EvaluateAll is Evaluate, and also returns the checks left out and why.
// Evaluate is pure: o is not changed.
func EvaluateAll(checks []Check, o Observation) ([]scorecard.Assertion, []Skip) {
	o.Actions = actionsOf(o.Actions)
	var (
		out   []scorecard.Assertion
		skips []Skip
	)
	for _, c := range checks {
		reason := c.NotApplicable
		var a scorecard.Assertion
		if reason == "" && c.eval != nil {
			a, reason = c.eval(&o)
		}
		if reason == "" && c.eval == nil {
			reason = "the check was not compiled"
		}
		if reason != "" {
			skips = append(skips, Skip{Name: c.Name, Automation: c.Automation, Source: c.Source, Reason: reason})
			continue
		}
		a.Name, a.Automation = c.Name, c.Automation
		if a.Source == "" {
			a.Source = c.Source
		}
		out = append(out, a)
	}
	return out, skips
}

// actionsOf returns the actions without bookkeeping, sorted by time.
func actionsOf(es []scorecard.LedgerEntry) []scorecard.LedgerEntry {
	out := ledger.Actions(es, nil)
	slices.SortStableFunc(out, func(a, b scorecard.LedgerEntry) int { return a.Time.Compare(b.Time) })
	return out
}

// accepted returns o's accepted actions, in time order.
func (o *Observation) accepted() []scorecard.LedgerEntry { return ledger.Accepted(o.Actions) }

// rejected counts o's rejected actions.
func (o *Observation) rejected() int { return len(o.Actions) - len(o.accepted()) }

func notStated(field string) string {
	return field + " is not stated; no limit is made up in its place"
}

func pass(measured, limit, evidence string) scorecard.Assertion {
	return scorecard.Assertion{Verdict: scorecard.VerdictPass, Measured: measured, Limit: limit, Evidence: evidence}
}

func fail(measured, limit, evidence string) scorecard.Assertion {
	return scorecard.Assertion{Verdict: scorecard.VerdictFail, Measured: measured, Limit: limit, Evidence: evidence}
}

func errored(measured, limit, evidence string) scorecard.Assertion {
	return scorecard.Assertion{Verdict: scorecard.VerdictError, Measured: measured, Limit: limit, Evidence: evidence}
}

func verdict(ok bool) scorecard.Verdict {
	if ok {
		return scorecard.VerdictPass
	}
	return scorecard.VerdictFail
}
