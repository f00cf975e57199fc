package promote

import (
	"fmt"
	"slices"
	"strings"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/scenarios"
)

// windowUnmet checks the runs, passed, graded and real-cluster conditions
// for scenario s on window, its last d.Runs nightly runs with the current
// safety case; stale is how many of its other nightly runs ran with
// another safety case.
func windowUnmet(in Input, d *Decision, s string, window []history.Record, stale int) []Condition {
	var out []Condition
	if len(window) < d.Runs {
		extra := ""
		if stale > 0 {
			extra = fmt.Sprintf("; %d other nightly run(s) ran with another safety case and do not count", stale)
		}
		out = append(out, unmet(ConditionRuns, "scenario %s: only %d of %d nightly run(s) with the current safety case (%s) are on record%s",
			s, len(window), d.Runs, short(d.SafetyCaseDigest), extra))
	}
	for _, r := range window {
		if !r.Passed() {
			out = append(out, unmet(ConditionPassed, "scenario %s: nightly run %s %s (%s)", s, r.ID, failedWord(r.Verdict), notPassed(&r)))
		}
		for _, why := range ungraded(&r, in.Automation, in.Target) {
			out = append(out, unmet(ConditionGraded, "scenario %s: nightly run %s %s, which %s needs", s, r.ID, why, in.Target))
		}
	}
	if c, ok := realClusterUnmet(in.Target, s, window, d.Runs); !ok {
		out = append(out, c)
	}
	return out
}

// realClusterUnmet checks the real-cluster condition for scenario s on
// window, its last k nightly runs: ok reports whether it is met.
func realClusterUnmet(target v1alpha1.Rung, s string, window []history.Record, k int) (c Condition, ok bool) {
	realProviders := []string{history.ProviderEmbedded, history.ProviderKind}
	if target == v1alpha1.RungUnsupervised {
		realProviders = []string{history.ProviderKind}
	}
	if slices.ContainsFunc(window, func(r history.Record) bool { return slices.Contains(realProviders, r.Provider) }) {
		return Condition{}, true
	}
	ran := "none are on record"
	if len(window) > 0 {
		ran = "they ran on " + providers(window) + " only"
	}
	if target == v1alpha1.RungUnsupervised {
		return unmet(ConditionRealCluster, "scenario %s: promotion to unsupervised needs at least one of its last %d nightly run(s) on kind (the embedded cluster counts only up to supervised); %s",
			s, k, ran), false
	}
	return unmet(ConditionRealCluster, "scenario %s: none of its last %d nightly run(s) ran on a real cluster (embedded or kind); %s",
		s, k, ran), false
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
