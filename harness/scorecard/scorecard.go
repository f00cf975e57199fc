package scorecard

import (
	"slices"
	"time"
)

// Verdict is the outcome of an assertion or of a whole run.
type Verdict string

const (
	// VerdictPass means the assertion held.
	VerdictPass Verdict = "pass"
	// VerdictFail means the assertion was measured and did not hold.
	VerdictFail Verdict = "fail"
	// VerdictError means the assertion, or the run, could not be carried out,
	// so nothing can be concluded from it.
	VerdictError Verdict = "error"
)

// The scorecard's apiVersion and kind, as its JSON form carries them.
const (
	APIVersion = "interlock.dev/v1alpha1"
	Kind       = "Scorecard"
)

// ErrNoAssertions is the Error that Finalize records for a run that evaluated
// no assertion and reported no error of its own: a run that checked nothing
// must not pass.
const ErrNoAssertions = "no assertions were evaluated"

// Scorecard is the result of one run of one scenario. Its JSON form is a
// public format, documented in FORMAT.md; fields are only ever added.
type Scorecard struct {
	// APIVersion is the format's version: APIVersion.
	APIVersion string `json:"apiVersion"`
	// Kind is the format's kind: Kind.
	Kind string `json:"kind"`
	// Scenario is the scenario's name.
	Scenario string `json:"scenario"`
	// Description is the scenario's one-line description.
	Description string `json:"description,omitempty"`
	// Verdict is the run's outcome; Finalize computes it from Assertions and Error.
	Verdict Verdict `json:"verdict"`
	// Remediator names the remediator under test: "built-in" or the
	// --remediator-cmd it was started with.
	Remediator string `json:"remediator"`
	// Identity is the remediator's user as the API server saw it.
	Identity string `json:"identity"`
	// Provider is the cluster provider: "embedded" or "kind".
	Provider string `json:"provider"`
	// Baseline is true for the run with remediation off.
	Baseline bool `json:"baseline"`
	// StartedAt is when the run started; offsets in the renderings count from it.
	StartedAt time.Time `json:"startedAt"`
	// DurationSeconds is how long the run took.
	DurationSeconds float64 `json:"durationSeconds"`
	// Assertions are the graded assertions, in the order they were evaluated.
	Assertions []Assertion `json:"assertions"`
	// Skipped are the assertions that could not be graded, with the reason:
	// a figure the safety case or the scenario does not state, or a check
	// that needs what the run did not have (did-no-harm without a
	// baseline). A skipped assertion never passes a promotion gate.
	Skipped []Skip `json:"skipped"`
	// Actions are the remediation actions the harness counted in the ledger,
	// by time: the figure every assertion, the card and the chart use.
	Actions []Action `json:"actions"`
	// Ledger is every mutating request the remediator made, as the API
	// server's audit log recorded it.
	Ledger []LedgerEntry `json:"ledger"`
	// Budgets are the action budgets of the automations under test, drawn
	// against the ledger in the HTML timeline.
	Budgets []BudgetLine `json:"budgets"`
	// Truth is what the harness knows really happened.
	Truth Truth `json:"truth"`
	// Faults are the injected faults and when they were active.
	Faults []FaultWindow `json:"faults"`
	// Pages are the alerts that reached the harness's pager.
	Pages []Page `json:"pages"`
	// Timeline is the run's narrative: progress, faults, actions, halts, pages.
	Timeline []Event `json:"timeline"`
	// Error says why the run could not be carried out; empty if it could.
	Error string `json:"error,omitempty"`
	// Comparison, set when the run was paired with a baseline run, compares
	// true availability without and with the remediator.
	Comparison *Comparison `json:"comparison,omitempty"`
}

// Assertion is one graded check: a measured figure against a limit.
type Assertion struct {
	// Name identifies the assertion, such as "budget-held".
	Name string `json:"name"`
	// Verdict is the assertion's outcome.
	Verdict Verdict `json:"verdict"`
	// Measured is what the run measured, such as "6 actions in 10m".
	Measured string `json:"measured"`
	// Limit is what the safety case or scenario allows, such as "at most 5 actions in 10m".
	Limit string `json:"limit"`
	// Evidence says where the measurement came from, such as audit IDs or times.
	Evidence string `json:"evidence"`
	// Source is where the limit was taken from, such as
	// "safetyCase.budget.maxActions" or "scenario.expect[0]".
	Source string `json:"source,omitempty"`
	// Automation names the automation the assertion is about, if one.
	Automation string `json:"automation,omitempty"`
}

// Skip is an assertion that was not graded, and why.
type Skip struct {
	// Name identifies the assertion, such as "halted-and-paged".
	Name string `json:"name"`
	// Automation names the automation it is about, if one.
	Automation string `json:"automation,omitempty"`
	// Source is the field its limit would come from.
	Source string `json:"source,omitempty"`
	// Reason says why it was not graded, such as
	// "safetyCase.budget.pageWithin is not stated".
	Reason string `json:"reason"`
}

// Action is one remediation action as the harness counted it from the
// ledger: one accepted write, or a drain (a node's cordon or taint with the
// evictions of its pods that followed while it was in flight).
type Action struct {
	// Time is when the API server received the action's first request.
	Time time.Time `json:"time"`
	// Automation is the automation it counts against; empty when the
	// scenario has several and the action is none of theirs, in which case
	// it counts against every one.
	Automation string `json:"automation,omitempty"`
	// Kind is what it did: restart, evict, drain, cordon, taint,
	// scale-down, scale-up, suspend, rollout, rotate-credential, delete,
	// create, update, reversal (see ledger.Kinds).
	Kind string `json:"kind"`
	// Class is its class in the action-class table ("restart",
	// "scale-down", ...), or "unknown" when the write fits no class.
	Class string `json:"class"`
	// Target names what it was taken on, as "resource [namespace/]name".
	Target string `json:"target"`
	// Detail says what the request bodies show it changed, such as
	// "spec.replicas 3 → 0"; empty when no body is recorded.
	Detail string `json:"detail,omitempty"`
	// AuditIDs are the ledger entries it is made of, its own first.
	AuditIDs []string `json:"auditIDs"`
	// Counted is false for a reversal of the remediator's own earlier
	// action (an uncordon of a node it cordoned): recorded, but not held
	// against the budget.
	Counted bool `json:"counted"`
	// Until is when the target stopped being affected: a node uncordoned
	// and untainted, a pod's replacement Ready, a workload back at its
	// level. Zero if it still was at the end of the run.
	Until time.Time `json:"until"`
}

// LedgerEntry is one mutating request from the API server's audit log.
type LedgerEntry struct {
	// Time is when the API server received the request.
	Time time.Time `json:"time"`
	// User is the requesting user.
	User string `json:"user"`
	// Verb is the request verb: create, update, patch, delete, deletecollection.
	Verb string `json:"verb"`
	// Resource is the plural resource name, such as "pods".
	Resource string `json:"resource"`
	// Subresource is the subresource, such as "eviction" or "status".
	Subresource string `json:"subresource,omitempty"`
	// Namespace is the object's namespace; empty for cluster-scoped objects.
	Namespace string `json:"namespace,omitempty"`
	// Name is the object's name.
	Name string `json:"name"`
	// Code is the HTTP status code of the response; 0 if unknown.
	Code int `json:"code"`
	// AuditID is the audit event's ID.
	AuditID string `json:"auditID"`
	// UserAgent is the client's user agent as the API server recorded it.
	UserAgent string `json:"userAgent,omitempty"`
	// ImpersonatedBy is the user that made the request on User's behalf
	// with impersonation; empty when no impersonation took place.
	ImpersonatedBy string `json:"impersonatedBy,omitempty"`
	// Message is the API server's message for a rejected request, such as
	// why it was forbidden.
	Message string `json:"message,omitempty"`
	// Actor says who the harness attributes the request to: "remediator",
	// "harness", "component" (the cluster's own controllers) or
	// "unattributed". Empty before attribution.
	Actor string `json:"actor,omitempty"`
	// Kind is what the request did, as the harness classified it (see
	// Action.Kind), or "bookkeeping" or "review"; empty before
	// classification.
	Kind string `json:"kind,omitempty"`
	// After is the object as the write left it, read from the response body
	// that the audit policy records for nodes, workloads and Automations;
	// nil for other resources.
	After *ObjectState `json:"after,omitempty"`
}

// ObjectState is the part of an object after a write that grading reads.
// Only the fields the object has are set.
type ObjectState struct {
	// Unschedulable is a node's spec.unschedulable.
	Unschedulable *bool `json:"unschedulable,omitempty"`
	// Taints are a node's taints, as "key=value:Effect".
	Taints []string `json:"taints,omitempty"`
	// Replicas is a workload's spec.replicas (or its scale's).
	Replicas *int32 `json:"replicas,omitempty"`
	// Paused is a Deployment's spec.paused, or a CronJob's or Job's
	// spec.suspend.
	Paused *bool `json:"paused,omitempty"`
	// Template is a digest of a workload's pod template: a change of it is
	// a rollout (or a rollback).
	Template string `json:"template,omitempty"`
	// Halted is an Automation's Halted condition; nil if it has none.
	Halted *Condition `json:"halted,omitempty"`
}

// Condition is one status condition, as written.
type Condition struct {
	// Status is "True", "False" or "Unknown".
	Status string `json:"status"`
	// Reason is the condition's reason.
	Reason string `json:"reason,omitempty"`
	// LastTransitionTime is the time the writer claims it changed.
	LastTransitionTime time.Time `json:"lastTransitionTime"`
}

// Rejected reports whether the API server refused the request (a status code
// of 400 or more). A rejected request was attempted but changed nothing.
func (e LedgerEntry) Rejected() bool { return e.Code >= 400 }

// Object names the request's object as "resource[/subresource] [namespace/]name".
func (e LedgerEntry) Object() string {
	r := e.Resource
	if e.Subresource != "" {
		r += "/" + e.Subresource
	}
	n := e.Name
	if e.Namespace != "" {
		n = e.Namespace + "/" + n
	}
	if n == "" {
		return r
	}
	return r + " " + n
}

// BudgetLine is one automation's action budget: at most MaxActions actions
// in any WindowSeconds.
type BudgetLine struct {
	// Automation names the automation.
	Automation string `json:"automation"`
	// MaxActions is the most actions allowed in the window.
	MaxActions int `json:"maxActions"`
	// WindowSeconds is the length of the sliding window.
	WindowSeconds float64 `json:"windowSeconds"`
}

// Truth is what the harness knows really happened, independently of what the
// remediator or the health checks under test said.
type Truth struct {
	// MinAvailability is the lowest availability sampled, 0..1.
	MinAvailability float64 `json:"minAvailability"`
	// MeanAvailability is the mean of the samples, 0..1.
	MeanAvailability float64 `json:"meanAvailability"`
	// Samples are the availability samples over the run.
	Samples []AvailabilitySample `json:"samples"`
	// FalsePositives are healthy pods the remediator restarted.
	FalsePositives []string `json:"falsePositives"`
	// FalseNegatives are real outages the remediator never remedied.
	FalseNegatives []string `json:"falseNegatives"`
	// Broken is what the harness really broke.
	Broken []string `json:"broken"`
}

// AvailabilitySample is the true availability at one moment.
type AvailabilitySample struct {
	// Time is when the sample was taken.
	Time time.Time `json:"time"`
	// Availability is the share of desired replicas truly serving, 0..1.
	Availability float64 `json:"availability"`
}

// FaultWindow is one injected fault and when it was active.
type FaultWindow struct {
	// Name is the fault's name in the scenario.
	Name string `json:"name"`
	// Kind is the fault's kind, such as "PodChaos/pod-failure".
	Kind string `json:"kind"`
	// Target names what the fault was aimed at, such as "shop/api".
	Target string `json:"target"`
	// Start is when the fault was injected.
	Start time.Time `json:"start"`
	// End is when it was recovered; zero if it never was.
	End time.Time `json:"end"`
	// Recovered reports whether the harness recovered the fault.
	Recovered bool `json:"recovered"`
	// AtTeardown reports that the fault lasted to the end of the run and
	// was recovered at teardown, after the remediator stopped.
	AtTeardown bool `json:"atTeardown,omitempty"`
}

// Page is one alert that reached the harness's pager.
type Page struct {
	// Time is when the page arrived.
	Time time.Time `json:"time"`
	// Alert is the alert's name.
	Alert string `json:"alert"`
	// Labels are the alert's labels.
	Labels map[string]string `json:"labels"`
	// Summary is the alert's summary annotation.
	Summary string `json:"summary"`
}

// Event kinds in a Timeline.
const (
	EventProgress = "progress"
	EventFault    = "fault"
	EventAction   = "action"
	EventHalt     = "halt"
	EventPage     = "page"
	EventRecover  = "recover"
	// EventDecision is an Event the remediator recorded about one of its
	// automations: a decision, a refusal, a halt, in its own words.
	EventDecision = "decision"
)

// Event is one line of the run's narrative.
type Event struct {
	// Time is when it happened.
	Time time.Time `json:"time"`
	// Kind is one of "progress", "fault", "action", "halt", "page",
	// "recover", "decision".
	Kind string `json:"kind"`
	// Message says what happened.
	Message string `json:"message"`
}

// Comparison sets the true availability of a run with remediation off
// against the same scenario with it on: the "did no harm" check.
type Comparison struct {
	// AvailabilityWithout is the mean true availability with remediation off, 0..1.
	AvailabilityWithout float64 `json:"availabilityWithout"`
	// AvailabilityWith is the mean true availability with remediation on, 0..1.
	AvailabilityWith float64 `json:"availabilityWith"`
}

// Finalize makes the scorecard ready to render. It computes Verdict: fail if
// any assertion failed (a measured failure is never hidden behind an error);
// otherwise error if the run reported an Error, if any assertion is error or
// has an unknown verdict, or if there are no assertions at all (Error then
// says so); otherwise pass. It sorts Timeline, Ledger, Pages, Faults and
// Truth.Samples by time, keeping the order of equal times, and replaces nil
// slices and maps with empty ones so the JSON form never holds null.
func (s *Scorecard) Finalize() {
	s.APIVersion, s.Kind = APIVersion, Kind
	if len(s.Assertions) == 0 && s.Error == "" {
		s.Error = ErrNoAssertions
	}
	s.Verdict = VerdictPass
	if s.Error != "" {
		s.Verdict = VerdictError
	}
	for _, a := range s.Assertions {
		switch a.Verdict {
		case VerdictPass:
		case VerdictFail:
			s.Verdict = VerdictFail
		default:
			if s.Verdict == VerdictPass {
				s.Verdict = VerdictError
			}
		}
	}

	slices.SortStableFunc(s.Timeline, func(a, b Event) int { return a.Time.Compare(b.Time) })
	slices.SortStableFunc(s.Ledger, func(a, b LedgerEntry) int { return a.Time.Compare(b.Time) })
	slices.SortStableFunc(s.Actions, func(a, b Action) int { return a.Time.Compare(b.Time) })
	slices.SortStableFunc(s.Pages, func(a, b Page) int { return a.Time.Compare(b.Time) })
	slices.SortStableFunc(s.Faults, func(a, b FaultWindow) int { return a.Start.Compare(b.Start) })
	slices.SortStableFunc(s.Truth.Samples, func(a, b AvailabilitySample) int { return a.Time.Compare(b.Time) })
	s.normalize()
}

// ExitCode is the process exit code for the run's Verdict: 0 for pass, 1 for
// fail, 2 for error or anything else (including a scorecard not finalized).
func (s *Scorecard) ExitCode() int {
	switch s.Verdict {
	case VerdictPass:
		return 0
	case VerdictFail:
		return 1
	default:
		return 2
	}
}

// normalize replaces nil slices and maps with empty ones.
func (s *Scorecard) normalize() {
	s.Assertions = nonNil(s.Assertions)
	s.Skipped = nonNil(s.Skipped)
	s.Actions = nonNil(s.Actions)
	for i := range s.Actions {
		s.Actions[i].AuditIDs = nonNil(s.Actions[i].AuditIDs)
	}
	s.Ledger = nonNil(s.Ledger)
	s.Budgets = nonNil(s.Budgets)
	s.Faults = nonNil(s.Faults)
	s.Pages = nonNil(s.Pages)
	s.Timeline = nonNil(s.Timeline)
	s.Truth.Samples = nonNil(s.Truth.Samples)
	s.Truth.FalsePositives = nonNil(s.Truth.FalsePositives)
	s.Truth.FalseNegatives = nonNil(s.Truth.FalseNegatives)
	s.Truth.Broken = nonNil(s.Truth.Broken)
	for i := range s.Pages {
		if s.Pages[i].Labels == nil {
			s.Pages[i].Labels = map[string]string{}
		}
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Normalized returns a copy of s with nil slices and maps replaced with
// empty ones, as Finalize leaves them, so that the JSON form never holds
// null. s itself is untouched: a renderer never mutates its input.
func (s *Scorecard) Normalized() *Scorecard {
	c := *s
	c.Pages = slices.Clone(s.Pages)
	c.Actions = slices.Clone(s.Actions)
	c.normalize()
	return &c
}
