package policy

// The kill switch and the per-automation halt stop an automation whatever
// its limits, so Decide checks them first. Both are state kept outside this
// package (Input.KillSwitch, Input.Halted); what this file adds is the rule
// for when the caller must set a halt.

// checkStops returns the refusal for an engaged kill switch or a halt.
func checkStops(in *Input) (Decision, bool) {
	switch {
	case in.KillSwitch:
		return Decision{Verdict: VerdictRefuse, Reason: ReasonKillSwitch,
			Message: "the global kill switch is on; no automation acts"}, true
	case in.Halted:
		return Decision{Verdict: VerdictRefuse, Reason: ReasonHalted,
			Message: "automation " + quote(in.Automation) + " is halted until a human resumes it"}, true
	}
	return Decision{}, false
}

// HaltAfter reports whether the caller must halt the automation once it has
// carried out d, and the reason to record: on VerdictHalt, and on VerdictAct
// when the action exhausts the budget (the N-th action is taken, then the
// automation halts before an N+1-th). A halt records a condition with the
// reason, emits an event and a metric, and pages; only a human resumes it.
//
// Resuming does not empty the window: while MaxActions actions remain in it,
// Decide halts again. A caller that wants a resume to grant a fresh budget
// passes only the actions taken since the resume.
func (d Decision) HaltAfter() (Reason, bool) {
	switch {
	case d.Verdict == VerdictHalt:
		return d.Reason, true
	case d.Verdict == VerdictAct && d.ExhaustsBudget:
		return ReasonBudgetExhausted, true
	}
	return "", false
}
