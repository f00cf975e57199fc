package history

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/api/v1alpha1"
)

// Ladder moves a Promotion records.
const (
	// Promote moves an automation up the ladder, on evidence.
	Promote = "promote"
	// Demote moves it down, for a stated reason; no evidence is needed.
	Demote = "demote"
)

// Promotion records one move of an automation on the ladder: who decided
// it, when, from and to which rung, and why (a demotion's reason, a
// promotion's evidence).
type Promotion struct {
	// ID identifies the record and names its file; see NewID.
	ID string `json:"id"`
	// Action is "promote" or "demote".
	Action string `json:"action"`
	// Automation is the automation moved: a built-in automation type,
	// such as "unhealthy-workload".
	Automation string `json:"automation"`
	// From is the rung it was at.
	From v1alpha1.Rung `json:"from"`
	// To is the rung it was moved to.
	To v1alpha1.Rung `json:"to"`
	// Owner is the named human accountable for the move.
	Owner string `json:"owner"`
	// Time is when the move was decided.
	Time time.Time `json:"time"`
	// Reason says why; required for a demotion.
	Reason string `json:"reason,omitempty"`
	// Evidence are the IDs of the runs a promotion was granted on.
	Evidence []string `json:"evidence,omitempty"`
	// RunsRequired is how many passing nightly runs per scenario the
	// promotion required.
	RunsRequired int `json:"runsRequired,omitempty"`
	// SafetyCaseDigest is the Digest of the safety case the move applies to.
	SafetyCaseDigest string `json:"safetyCaseDigest,omitempty"`
	// Object is the Automation object patched, as namespace/name; empty if
	// no cluster was changed.
	Object string `json:"object,omitempty"`
	// APIUser is who the API server authenticated when Object was patched.
	APIUser string `json:"apiUser,omitempty"`
}

// Validate reports what makes the record unfit to keep.
func (p *Promotion) Validate() error {
	var errs []error
	if !validID.MatchString(p.ID) {
		errs = append(errs, fmt.Errorf("id %q is not a record ID", p.ID))
	}
	if !slices.Contains([]string{Promote, Demote}, p.Action) {
		errs = append(errs, fmt.Errorf("action %q must be %s or %s", p.Action, Promote, Demote))
	}
	if strings.TrimSpace(p.Automation) == "" {
		errs = append(errs, errors.New("automation is missing"))
	}
	if strings.TrimSpace(p.Owner) == "" {
		errs = append(errs, errors.New("owner is missing: name the accountable person"))
	}
	if p.Time.IsZero() {
		errs = append(errs, errors.New("time is missing"))
	}
	switch {
	case !p.From.Valid():
		errs = append(errs, fmt.Errorf("from: unknown rung %q", p.From))
	case !p.To.Valid():
		errs = append(errs, fmt.Errorf("to: unknown rung %q", p.To))
	case p.Action == Promote && p.To.Level() <= p.From.Level():
		errs = append(errs, fmt.Errorf("a promotion goes up the ladder, not from %s to %s", p.From, p.To))
	case p.Action == Demote && p.To.Level() >= p.From.Level():
		errs = append(errs, fmt.Errorf("a demotion goes down the ladder, not from %s to %s", p.From, p.To))
	}
	if p.Action == Demote && strings.TrimSpace(p.Reason) == "" {
		errs = append(errs, errors.New("reason is missing: a demotion says why"))
	}
	return errors.Join(errs...)
}
