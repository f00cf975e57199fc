package assert

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

// postureHeld compiles PostureHeld (see its doc).
func postureHeld(sc *v1alpha1.SafetyCaseSpec, rung string) Check {
	c := Check{Name: PostureHeld, Source: "safetyCase.action.class"}
	class := v1alpha1.ActionClass(sc.Action.Class)
	r := v1alpha1.Rung(rung)
	posture, known := v1alpha1.PostureOf(class)
	limit := fmt.Sprintf("rung %s", rung)
	switch {
	case class == "":
		limit += "; no action class stated, so no action allowed"
	case !known:
		limit += fmt.Sprintf("; unknown class %q, so no action allowed", class)
	default:
		limit += fmt.Sprintf(" within the posture of class %s (highest %s)", class, posture.MaxRung)
		if r == v1alpha1.RungSupervised || v1alpha1.NeedsHuman(class) {
			limit += "; every action approved by a named human"
		}
	}
	missing := validation.Validate(sc, field.NewPath("safetyCase"))

	c.eval = func(o *Observation) (scorecard.Assertion, string) {
		if !r.Valid() {
			return errored("unknown rung", limit, fmt.Sprintf("rung %q is not on the ladder (%s)", rung, rungList())), ""
		}
		acts := o.accepted()
		if len(acts) == 0 {
			ev := "ledger: no accepted action by " + o.identity()
			if err := v1alpha1.CheckRung(class, r); err != nil && known {
				ev += fmt.Sprintf("; rung %s is above the posture of class %s and the remediator did not act, as it must", r, class)
			}
			return pass("no action", limit, ev), ""
		}
		whole := outOfPosture(class, known, r, missing)
		beyond, unapproved := o.offPosture(acts, class, known, r, sc.Owner)
		switch {
		case len(whole) > 0:
			return fail(fmt.Sprintf("%s out of posture", plural(len(acts), "action")), limit,
				fmt.Sprintf("%s, yet it acted: %s", strings.Join(whole, "; "), o.list(acts))), ""
		case len(beyond) > 0:
			return fail(fmt.Sprintf("%d of %s beyond its posture", len(beyond), plural(len(acts), "action")), limit,
				strings.Join(capList(beyond), "; ")), ""
		case len(unapproved) > 0:
			return fail(fmt.Sprintf("%d of %s without a named approval", len(unapproved), plural(len(acts), "action")), limit,
				strings.Join(capList(unapproved), "; ")), ""
		}
		ev := fmt.Sprintf("%s at rung %s", plural(len(acts), "action"), r)
		if r == v1alpha1.RungSupervised || v1alpha1.NeedsHuman(class) {
			ev += fmt.Sprintf(", each on a proposal approved by a named human (owner %s)", sc.Owner)
		}
		return pass(fmt.Sprintf("%s, all within posture", plural(len(acts), "action")), limit, ev), ""
	}
	return c
}

// outOfPosture returns why every action of an automation of class (known
// or not) at rung r is out of posture, if it is: a rung that only alerts, an
// unknown or missing class, a rung above the class's posture, or a safety
// case with fields missing or invalid.
func outOfPosture(class v1alpha1.ActionClass, known bool, r v1alpha1.Rung, missing field.ErrorList) []string {
	var whole []string
	switch {
	case r == v1alpha1.RungAlert || r == v1alpha1.RungRunbook:
		whole = append(whole, fmt.Sprintf("at rung %s it may only raise an alert", r))
	case class == "":
		whole = append(whole, "its safety case states no action class")
	case !known:
		whole = append(whole, fmt.Sprintf("its action class %q is unknown", class))
	default:
		if err := v1alpha1.CheckRung(class, r); err != nil {
			whole = append(whole, err.Error())
		}
	}
	if len(missing) > 0 {
		var fields []string
		for _, m := range missing {
			fields = append(fields, m.Field)
		}
		whole = append(whole, "its safety case is incomplete (missing or invalid: "+strings.Join(capList(fields), ", ")+")")
	}
	return whole
}

// offPosture judges each of acts on its own at rung r: beyond lists those
// of another class than the automation's whose posture stops below r,
// unapproved those that needed a named human's approval (at the
// supervised rung, or for a class that needs one) and lack it.
func (o *Observation) offPosture(acts []scorecard.LedgerEntry, class v1alpha1.ActionClass, known bool, r v1alpha1.Rung, owner string) (beyond, unapproved []string) {
	for _, e := range acts {
		ac := class
		if c, ok := o.ClassOf[e.AuditID]; ok {
			ac = v1alpha1.ActionClass(c)
		}
		if ac != class {
			if err := v1alpha1.CheckRung(ac, r); err != nil {
				beyond = append(beyond, fmt.Sprintf("%s is of class %s: %v", o.describe(e), ac, err))
				continue
			}
		}
		if known && (r == v1alpha1.RungSupervised || v1alpha1.NeedsHuman(ac)) {
			if why := o.unapproved(e, owner); why != "" {
				unapproved = append(unapproved, o.describe(e)+": "+why)
			}
		}
	}
	return beyond, unapproved
}

// unapproved says why action e lacks a named human's approval, or "" if it
// has one.
func (o *Observation) unapproved(e scorecard.LedgerEntry, owner string) string {
	name, ok := o.ProposalOf[e.AuditID]
	if !ok || name == "" {
		return "taken without a proposal"
	}
	by := o.Approvals[name]
	switch {
	case by == "":
		return fmt.Sprintf("proposal %s was not approved", name)
	case o.Identity != "" && by == o.Identity:
		return fmt.Sprintf("proposal %s was approved by the remediator itself", name)
	case strings.HasPrefix(by, "system:"):
		return fmt.Sprintf("proposal %s was approved by %s, not a named human", name, by)
	case strings.TrimSpace(owner) == "":
		return fmt.Sprintf("proposal %s was approved by %s, but the safety case names no owner", name, by)
	}
	return ""
}

func rungList() string {
	var s []string
	for _, r := range v1alpha1.Rungs {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}
