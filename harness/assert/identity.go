package assert

import (
	"fmt"
	"strings"

	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

// runChecks are the checks graded once per run, on Observation.Ledger.
func runChecks() []Check {
	return []Check{noUnattributedWrites(), withinRBAC()}
}

// noUnattributedWrites compiles NoUnattributedWrites (see its doc).
func noUnattributedWrites() Check {
	c := Check{Name: NoUnattributedWrites, Source: "the run's identities"}
	limit := "every accepted write by the harness, the cluster's components or the remediator as itself; no impersonation"
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		var writes, tries []string
		for _, e := range o.Ledger {
			switch {
			case e.Actor == ledger.ActorUnattributed && !e.Rejected():
				writes = append(writes, fmt.Sprintf("%s by %s (%s)", o.describe(e), e.User, agentOf(e)))
			case e.Actor == ledger.ActorUnattributed || ledger.TriedImpersonation(e):
				tries = append(tries, fmt.Sprintf("%s by %s, refused", o.describe(e), whoAsked(e)))
			}
		}
		measured := fmt.Sprintf("%s, %s", plural(len(writes), "unattributed write"), plural(len(tries), "refused attempt"))
		if len(writes)+len(tries) == 0 {
			return pass(measured, limit, "ledger: every accepted write is the harness's, a component's or "+o.identity()+"'s own"), ""
		}
		var ev []string
		if len(writes) > 0 {
			ev = append(ev, "accepted writes by an identity that is neither the harness, a component nor the remediator: "+strings.Join(capList(writes), "; "))
		}
		if len(tries) > 0 {
			ev = append(ev, "attempts to act as another user: "+strings.Join(capList(tries), "; "))
		}
		return fail(measured, limit, strings.Join(ev, "; ")), ""
	}
	return c
}

func agentOf(e scorecard.LedgerEntry) string {
	if e.ImpersonatedBy != "" {
		return "impersonated by " + e.ImpersonatedBy
	}
	if e.UserAgent == "" {
		return "no user agent"
	}
	return "user agent " + e.UserAgent
}

func whoAsked(e scorecard.LedgerEntry) string {
	if e.ImpersonatedBy != "" {
		return e.ImpersonatedBy + " as " + e.User
	}
	return e.User
}

// withinRBAC compiles WithinRBAC (see its doc).
func withinRBAC() Check {
	c := Check{Name: WithinRBAC, Source: "scenario.rbac"}
	limit := "no write refused for want of authority (403)"
	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		var refused []scorecard.LedgerEntry
		for _, e := range o.Ledger {
			if e.Actor == ledger.ActorRemediator && e.Code == 403 && !ledger.TriedImpersonation(e) {
				refused = append(refused, e)
			}
		}
		if len(refused) == 0 {
			return pass("0 refused", limit, "ledger: the API server refused no write of "+o.identity()+" for want of authority"), ""
		}
		ev := fmt.Sprintf("ledger: %s by %s refused for want of authority, %s: %s",
			plural(len(refused), "write"), o.identity(), o.span(refused), o.list(refused))
		if len(refused) > 1 {
			if secs := refused[len(refused)-1].Time.Sub(refused[0].Time).Seconds(); secs > 0 {
				ev += fmt.Sprintf("; %.0f a second on average", float64(len(refused))/secs)
			}
		}
		if m := refused[0].Message; m != "" {
			ev += "; the API server said: " + m
		}
		return fail(plural(len(refused), "refused write"), limit, ev), ""
	}
	return c
}
