package ledger

import (
	"strings"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// Actors, as Attribute names them.
const (
	// ActorRemediator: the remediator under test, under its own identity.
	ActorRemediator = "remediator"
	// ActorHarness: the harness itself (fixture, faults, load, canaries).
	ActorHarness = "harness"
	// ActorComponent: the cluster's own components (API server,
	// controllers, scheduler, the simulated kubelets, the fault injector).
	ActorComponent = "component"
	// ActorUnattributed: anyone else. During a run nobody else writes, so
	// such a write is the remediator, or something acting for it, hiding
	// behind another identity.
	ActorUnattributed = "unattributed"
)

// HarnessUserAgent is the product name in the user agent the harness sends
// with its own requests ("interlock-harness/VERSION"), which tells them
// from the components that share its admin identity on the embedded
// cluster.
const HarnessUserAgent = "interlock-harness"

// Actors says who is who in a run's audit log.
type Actors struct {
	// Remediator is the remediator's user, such as
	// "system:serviceaccount:interlock-system:remediator".
	Remediator string
	// Admin is the cluster's admin user, which the harness writes as (with
	// HarnessUserAgent) and, on the embedded cluster, the components that
	// kwokctl starts with the admin kubeconfig (told apart by
	// AdminComponentAgents).
	Admin string
	// AdminComponentAgents are the user-agent prefixes of the components
	// that write as Admin.
	AdminComponentAgents []string
	// Components are the users, or user prefixes ending in ":", of the
	// cluster's own components. "system:" users of the control plane are
	// always components (see IsComponentUser); these add others, such as a
	// fault injector's service account.
	Components []string
}

// DefaultAdminComponentAgents are the components kwokctl's binary runtime
// starts with the admin kubeconfig.
var DefaultAdminComponentAgents = []string{"kube-controller-manager/", "kube-scheduler/", "kwok-controller/", "kwokctl/", "kube-apiserver/"}

// IsComponentUser reports whether user is one of the control plane's own
// identities: the API server itself, a controller or scheduler with its
// own certificate, a node (kubelet), or a service account in kube-system
// (the controllers of kube-controller-manager each act as one).
func IsComponentUser(user string) bool {
	switch {
	case user == "system:apiserver", strings.HasPrefix(user, "system:kube-"),
		strings.HasPrefix(user, "system:node:"), strings.HasPrefix(user, "system:serviceaccount:kube-system:"):
		return true
	}
	return false
}

// Attribute says who made e: one of the Actor constants. The remediator is
// named by its identity only; the harness by the admin identity and its
// user agent; a component by its own identity, or the admin identity and a
// component's user agent. Anything else is unattributed, and so is every
// request made with impersonation but the harness's own: during a run
// nobody else has a reason to act as someone else.
func (a Actors) Attribute(e scorecard.LedgerEntry) string {
	switch {
	case e.ImpersonatedBy != "":
		if a.Admin != "" && e.ImpersonatedBy == a.Admin && strings.HasPrefix(e.UserAgent, HarnessUserAgent+"/") {
			return ActorHarness
		}
		return ActorUnattributed
	case a.Remediator != "" && e.User == a.Remediator:
		return ActorRemediator
	case a.Admin != "" && e.User == a.Admin:
		if strings.HasPrefix(e.UserAgent, HarnessUserAgent+"/") {
			return ActorHarness
		}
		for _, p := range a.AdminComponentAgents {
			if strings.HasPrefix(e.UserAgent, p) {
				return ActorComponent
			}
		}
		return ActorUnattributed
	case IsComponentUser(e.User):
		return ActorComponent
	}
	for _, c := range a.Components {
		if e.User == c || (strings.HasSuffix(c, ":") && strings.HasPrefix(e.User, c)) {
			return ActorComponent
		}
	}
	return ActorUnattributed
}
