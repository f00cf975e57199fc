package assert

import (
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/scenarios"
)

// Scrape is one read of the remediator's /metrics.
type Scrape struct {
	// At is when it was taken.
	At time.Time
	// Snapshot is what it read; nil if it failed.
	Snapshot *observe.Snapshot
	// Err says why it failed.
	Err string
}

// AutomationUnderTest is one automation a scenario tests.
type AutomationUnderTest struct {
	Name string
	Type v1alpha1.AutomationType
	Rung string
	// SafetyCase is its safety case; nil with SafetyCaseError set if it
	// could not be resolved.
	SafetyCase      *v1alpha1.SafetyCaseSpec
	SafetyCaseError string
}

// Record is everything the harness observed in one run: the input of Grade.
// It holds only what the harness saw for itself (the audit log, its own
// snapshots, the pages that reached its receiver, the scrapes), never the
// remediator's word for anything.
type Record struct {
	// Origin is the scorecard's time origin: evidence offsets count from it.
	Origin time.Time
	// Start and End bound the scenario's timeline, from the fixture being
	// ready to the end of its duration.
	Start, End time.Time
	// Actors say who is who in the ledger.
	Actors ledger.Actors
	// Namespace is the remediator's namespace.
	Namespace string
	// Ledger is every user's mutating requests, from the audit log.
	Ledger []scorecard.LedgerEntry
	// LedgerError is what went wrong following the audit log, if anything.
	LedgerError string
	// Canaries are the names of the ConfigMaps the harness wrote in
	// Namespace at the start and at the end of the run. A ledger that lacks
	// either is not the whole story, and the run cannot be graded.
	Canaries []string
	// Automations are the automations under test.
	Automations []AutomationUnderTest
	// Expect are the scenario's own expectations.
	Expect scenarios.Expectations
	// NoRemediator is true for a baseline run: nothing is graded but the
	// truth.
	NoRemediator bool
	// BaselineAvailability is the baseline run's mean true availability;
	// nil without one.
	BaselineAvailability *float64
	// Effects are what the harness broke, and when.
	Effects []observe.Effect
	// Capacity is what the fixture promised each workload
	// ("namespace/name").
	Capacity map[string]observe.Capacity
	// Samples are the harness's snapshots, in time order.
	Samples []observe.Sample
	// Scrapes are the reads of the remediator's /metrics, in time order.
	Scrapes []Scrape
	// Pages are the pages that reached the harness's receiver.
	Pages []scorecard.Page
	// Faults are the injected faults and their windows.
	Faults []scorecard.FaultWindow
}

// Result is what Grade makes of a Record.
type Result struct {
	// Assertions are the graded assertions: the run's own (identity and
	// authority), then each automation's in order.
	Assertions []scorecard.Assertion
	// Skipped are the assertions that could not be graded, with why.
	Skipped []scorecard.Skip
	// Actions are the remediator's actions, as counted.
	Actions []scorecard.Action
	// Ledger is the remediator's requests and the unattributed ones,
	// classified and attributed, in time order.
	Ledger []scorecard.LedgerEntry
	// Budgets are the automations' action budgets.
	Budgets []scorecard.BudgetLine
	// Truth is what really happened.
	Truth scorecard.Truth
	// Halts are the halts the ledger proves, for the timeline.
	Halts []scorecard.Event
	// Error says why the run cannot be graded; empty if it can. Every
	// assertion is then skipped with this reason.
	Error string
}

// Grade grades one run: it classifies and attributes the ledger, counts
// the actions, judges the truth, proves halts, reads the scrapes, and
// evaluates every assertion. It is pure: a record in, a verdict out.
func Grade(rec Record) Result {
	var res Result
	entries, classes := classify(rec, &res)
	truth, g := judge(rec, entries, classes)
	res.Truth = truth.Result()
	res.Budgets = budgets(rec.Automations)
	if rec.NoRemediator {
		return res
	}
	attribute(g.actions, rec.Automations)
	res.Actions = g.actions

	if why := ledgerGap(rec, entries); why != "" {
		res.Error = "the ledger cannot be trusted: " + why
		for _, c := range runChecks() {
			res.Skipped = append(res.Skipped, scorecard.Skip{Name: c.Name, Source: c.Source, Reason: res.Error})
		}
		for _, a := range rec.Automations {
			for _, c := range Compile(a.Name, a.SafetyCase, a.Rung, Options{Expect: rec.Expect}) {
				res.Skipped = append(res.Skipped, scorecard.Skip{Name: c.Name, Automation: a.Name, Source: c.Source, Reason: res.Error})
			}
		}
		return res
	}

	// The run-wide checks judge the run from the harness's first canary on:
	// before it, the cluster and the harness were setting up.
	var during []scorecard.LedgerEntry
	from := canaryTime(rec, entries)
	for _, e := range res.Ledger {
		if !e.Time.Before(from) {
			during = append(during, e)
		}
	}
	o := Observation{Start: rec.Start, End: rec.End, Origin: rec.Origin, Identity: rec.Actors.Remediator, Ledger: during}
	as, skips := EvaluateAll(runChecks(), o)
	res.Assertions = append(res.Assertions, as...)
	res.Skipped = append(res.Skipped, toSkips(skips)...)
	gradeAutomations(rec, truth, g, &res)
	return res
}

// classify returns the ledger in time order, each entry classified and
// attributed, with its classification by audit ID; the remediator's and
// unattributed entries go to res.Ledger.
func classify(rec Record, res *Result) ([]scorecard.LedgerEntry, map[string]ledger.Classification) {
	entries := slices.Clone(rec.Ledger)
	slices.SortStableFunc(entries, func(a, b scorecard.LedgerEntry) int { return a.Time.Compare(b.Time) })
	names := make([]string, len(rec.Automations))
	for i, a := range rec.Automations {
		names[i] = a.Name
	}
	classifier := ledger.NewClassifier(ledger.Scope{Automations: names})
	classes := map[string]ledger.Classification{}
	for i := range entries {
		e := &entries[i]
		c := classifier.Classify(*e)
		e.Kind, e.Actor = c.Kind, rec.Actors.Attribute(*e)
		if e.AuditID == "" {
			e.AuditID = fmt.Sprintf("entry-%d", i)
		}
		classes[e.AuditID] = c
		if e.Actor == ledger.ActorRemediator || e.Actor == ledger.ActorUnattributed {
			res.Ledger = append(res.Ledger, *e)
		}
	}
	return entries, classes
}

// judge groups the ledger's writes into actions and judges the truth of the
// run: the samples against what the fixture promised, each action against
// what the harness broke.
func judge(rec Record, entries []scorecard.LedgerEntry, classes map[string]ledger.Classification) (*observe.Truth, grouped) {
	truth := observe.NewTruth(rec.Effects)
	truth.SetOrigin(rec.Origin)
	for w, c := range rec.Capacity {
		truth.Promise(w, c)
	}
	podNodes := map[string]string{}
	for _, s := range rec.Samples {
		truth.Observe(s.At, s.Pods, s.Deployments)
		for i := range s.Pods {
			if n := s.Pods[i].Spec.NodeName; n != "" {
				podNodes[s.Pods[i].Namespace+"/"+s.Pods[i].Name] = n
			}
		}
	}
	g := group(entries, classes, func(ns, name string) string { return podNodes[ns+"/"+name] })
	for i, a := range g.actions {
		e := g.primary[i]
		e.Kind = a.Kind
		truth.ClassifyAction(e)
	}
	return truth, g
}

// budgets are the action budgets of the automations with a safety case.
func budgets(automations []AutomationUnderTest) []scorecard.BudgetLine {
	var out []scorecard.BudgetLine
	for _, a := range automations {
		if a.SafetyCase != nil {
			out = append(out, scorecard.BudgetLine{Automation: a.Name, MaxActions: int(a.SafetyCase.Budget.MaxActions),
				WindowSeconds: a.SafetyCase.Budget.Window.Duration.Seconds()})
		}
	}
	return out
}

// gradeAutomations evaluates each automation's assertions, and records the
// halts the ledger proves.
func gradeAutomations(rec Record, truth *observe.Truth, g grouped, res *Result) {
	until, reversals := inFlight(rec, truth, g)
	workloads, sizes := groupsOf(rec, truth, g)
	for _, a := range rec.Automations {
		if a.SafetyCase == nil {
			res.Assertions = append(res.Assertions, scorecard.Assertion{Name: "safety-case", Verdict: scorecard.VerdictError,
				Evidence: a.SafetyCaseError, Automation: a.Name})
			continue
		}
		o := observationOf(rec, a, g, until, reversals, workloads, sizes, res.Truth)
		if !o.HaltedAt.IsZero() {
			res.Halts = append(res.Halts, scorecard.Event{Time: o.HaltedAt, Kind: scorecard.EventHalt,
				Message: fmt.Sprintf("Automation %s halted: the ledger shows its status write setting Halted", a.Name)})
		}
		as, skips := EvaluateAll(Compile(a.Name, a.SafetyCase, a.Rung, Options{Expect: rec.Expect}), o)
		res.Assertions = append(res.Assertions, as...)
		res.Skipped = append(res.Skipped, toSkips(skips)...)
	}
}

func toSkips(skips []Skip) []scorecard.Skip {
	out := make([]scorecard.Skip, len(skips))
	for i, s := range skips {
		out[i] = scorecard.Skip{Name: s.Name, Automation: s.Automation, Source: s.Source, Reason: s.Reason}
	}
	return out
}

// ledgerGap says why the ledger cannot be trusted: its tail reported an
// error, or it lacks one of the harness's canaries. Empty if it can be.
func ledgerGap(rec Record, entries []scorecard.LedgerEntry) string {
	var why []string
	if rec.LedgerError != "" {
		why = append(why, "following the audit log failed: "+rec.LedgerError)
	}
	for _, c := range rec.Canaries {
		found := slices.ContainsFunc(entries, func(e scorecard.LedgerEntry) bool {
			return e.Resource == "configmaps" && e.Namespace == rec.Namespace && e.Name == c && !e.Rejected() && e.Actor == ledger.ActorHarness
		})
		if !found {
			why = append(why, fmt.Sprintf("the harness's canary %s/%s is not in the audit log", rec.Namespace, c))
		}
	}
	return strings.Join(why, "; ")
}

// canaryTime is when the first canary was written; zero without one.
func canaryTime(rec Record, entries []scorecard.LedgerEntry) time.Time {
	if len(rec.Canaries) == 0 {
		return time.Time{}
	}
	for _, e := range entries {
		if e.Resource == "configmaps" && e.Name == rec.Canaries[0] {
			return e.Time
		}
	}
	return time.Time{}
}

// inFlight says until when each action's target was affected, and how long
// each took to reverse as the safety cases state it. A node action is in
// flight until the write that released the node (see group); its reversal
// runs from when the node had recovered (Ready, no DiskPressure), or from
// the action if the node was never unwell, to that write. A pod or workload
// action is in flight until the workload was back at its level (see
// observe.Reversal).
func inFlight(rec Record, truth *observe.Truth, g grouped) (map[string]time.Time, []Reversal) {
	until := map[string]time.Time{}
	var reversals []Reversal
	byID := map[string]observe.Reversal{}
	for _, r := range truth.Reversals() {
		byID[r.Entry.AuditID] = r
	}
	last := rec.End
	if n := len(rec.Samples); n > 0 {
		last = rec.Samples[n-1].At
	}
	for i, a := range g.actions {
		e := g.primary[i]
		if e.Resource == "nodes" && (a.Kind == ledger.KindCordon || a.Kind == ledger.KindTaint || a.Kind == kindDrain) {
			until[e.AuditID] = a.Until
			from := recoveredAt(rec.Samples, e.Name, e.Time)
			rv := Reversal{AuditID: e.AuditID}
			switch {
			case from.IsZero():
				continue // never recovered in the run: nothing to reverse yet
			case !a.Until.IsZero():
				rv.Reversed, rv.Duration = true, max(0, a.Until.Sub(from))
			default:
				rv.Duration = max(0, last.Sub(from))
			}
			reversals = append(reversals, rv)
			continue
		}
		r, ok := byID[e.AuditID]
		if !ok || !r.Measured {
			continue
		}
		reversals = append(reversals, Reversal{AuditID: e.AuditID, Reversed: r.Reversed, Duration: r.Duration})
		if r.Reversed {
			until[e.AuditID] = e.Time.Add(r.Duration)
			g.actions[i].Until = until[e.AuditID]
		} else {
			until[e.AuditID] = time.Time{}
		}
	}
	return until, reversals
}

// recoveredAt is when node first looked well (Ready, no DiskPressure) in a
// sample at or after t; zero if it never did.
func recoveredAt(samples []observe.Sample, node string, t time.Time) time.Time {
	for _, s := range samples {
		if s.At.Before(t) {
			continue
		}
		for i := range s.Nodes {
			if n := s.Nodes[i]; n.Name == node && nodeWell(n) {
				return latest(s.At, t)
			}
		}
	}
	return time.Time{}
}

func nodeWell(n *corev1.Node) bool {
	ready := false
	for _, c := range n.Status.Conditions {
		switch {
		case c.Type == corev1.NodeReady:
			ready = c.Status == corev1.ConditionTrue
		case c.Type == corev1.NodeDiskPressure && c.Status == corev1.ConditionTrue:
			return false
		}
	}
	return ready
}

// groupsOf maps each action's target to the group whose share the blast
// radius bounds, and each group to its size: a pod's workload and its
// promised replicas; "nodes" and the nodes of the cluster; a workload
// write's "deployments in NAMESPACE" and how many there are.
func groupsOf(rec Record, truth *observe.Truth, g grouped) (map[string]string, map[string]int) {
	workloads := map[string]string{}
	sizes := truth.Replicas()
	var lastDeps []*appsv1.Deployment
	nodes := 0
	if n := len(rec.Samples); n > 0 {
		lastDeps, nodes = rec.Samples[n-1].Deployments, len(rec.Samples[n-1].Nodes)
	}
	sizes["nodes"] = nodes
	for _, e := range g.primary {
		t := TargetOf(e)
		switch {
		case e.Resource == "nodes":
			workloads[t] = "nodes"
		case e.Resource == "pods":
			if w, ok := truth.WorkloadOf(e.Namespace, e.Name); ok {
				workloads[t] = w
			}
		case e.Resource == "deployments":
			grp := "deployments in " + e.Namespace
			workloads[t] = grp
			n := 0
			for _, d := range lastDeps {
				if d.Namespace == e.Namespace {
					n++
				}
			}
			sizes[grp] = n
		}
	}
	return workloads, sizes
}

// observationOf gathers what the harness observed about one automation.
func observationOf(rec Record, a AutomationUnderTest, g grouped, until map[string]time.Time, reversals []Reversal,
	workloads map[string]string, sizes map[string]int, truth scorecard.Truth) Observation {
	o := Observation{
		Start: rec.Start, End: rec.End, Origin: rec.Origin, Identity: rec.Actors.Remediator,
		Faults: rec.Faults, Pages: rec.Pages, Truth: truth, Reversals: reversals, Until: until,
		Workloads: workloads, Replicas: sizes, BaselineAvailability: rec.BaselineAvailability,
	}
	o.ClassOf = map[string]string{}
	for i, act := range g.actions {
		if act.Counted && (act.Automation == a.Name || act.Automation == "") {
			o.Actions = append(o.Actions, g.primary[i])
			o.ClassOf[g.primary[i].AuditID] = act.Class
		}
	}
	for _, e := range g.rejected {
		if len(rec.Automations) == 1 || slices.Contains(kindsOf[a.Type], e.Kind) {
			o.Actions = append(o.Actions, e)
		}
	}
	slices.SortStableFunc(o.Actions, func(x, y scorecard.LedgerEntry) int { return x.Time.Compare(y.Time) })
	var statusWrites []scorecard.LedgerEntry
	for _, e := range rec.Ledger {
		switch {
		case e.User != rec.Actors.Remediator || e.Rejected() || e.Namespace != rec.Namespace:
		case e.Resource == "automations" && e.Subresource == "status" && e.Name == a.Name:
			statusWrites = append(statusWrites, e)
		case e.Resource == "remediationproposals" && e.Subresource == "" && e.Verb == "create":
			o.Proposals = append(o.Proposals, e)
		}
	}
	byTime := func(x, y scorecard.LedgerEntry) int { return x.Time.Compare(y.Time) }
	slices.SortStableFunc(statusWrites, byTime)
	slices.SortStableFunc(o.Proposals, byTime)
	o.HaltDue = rec.Start
	acts := o.accepted()
	if b := a.SafetyCase.Budget; b.MaxActions >= 1 && b.Window.Duration > 0 {
		if x := exhausting(acts, b.Window.Duration, int(b.MaxActions)); x >= 0 {
			o.HaltDue = acts[x].Time
		}
	}
	if h, refused := proveHalt(statusWrites, acts, o.HaltDue, o.when); h != nil {
		o.HaltedAt = h.At
	} else {
		o.HaltClaims = refused
	}
	o.Telemetry = telemetryOf(rec.Scrapes, a.Name)
	return o
}

// telemetryOf reads one automation's series from the scrapes.
func telemetryOf(scrapes []Scrape, automation string) *Telemetry {
	t := &Telemetry{}
	var actions, pages []float64
	seenPages := false
	var lastHalted *float64
	for _, s := range scrapes {
		if s.Snapshot == nil {
			t.Errors = append(t.Errors, s.Err)
			continue
		}
		t.Scrapes++
		if v, n := s.Snapshot.Sum(contract.MetricActionsTotal, map[string]string{"automation": automation, "outcome": contract.OutcomeSucceeded}); n > 0 {
			actions = append(actions, v)
		} else {
			t.ActionsMissing++
		}
		v, n := s.Snapshot.Sum(contract.MetricPagesSentTotal, map[string]string{"automation": automation, "outcome": contract.OutcomeSucceeded})
		seenPages = seenPages || n > 0
		pages = append(pages, v)
		lastHalted = nil
		if v, n := s.Snapshot.Sum(contract.MetricHalted, map[string]string{"automation": automation}); n > 0 {
			lastHalted = &v
		}
	}
	if len(actions) > 0 {
		v := observe.CounterIncrease(actions)
		t.Actions = &v
	}
	if seenPages {
		v := observe.CounterIncrease(pages)
		t.PagesSent = &v
	}
	t.Halted = lastHalted
	return t
}
