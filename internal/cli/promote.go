package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/promote"
	"github.com/interlock-dev/interlock/safetycases"
	"github.com/interlock-dev/interlock/scenarios"
)

func init() {
	register(newPromoteCommand)
	register(newDemoteCommand)
}

func newPromoteCommand(streams Streams) *cobra.Command {
	var o ladderOptions
	cmd := &cobra.Command{
		Use:               "promote AUTOMATION --to RUNG --owner NAME",
		Short:             "Move an automation up the ladder when its nightly runs allow it",
		Long:              promoteLong(),
		Example:           promoteExample,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeAutomationArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.promote(cmd.Context(), streams, args[0])
		},
	}
	o.register(cmd, false)
	return cmd
}

func promoteLong() string {
	return `Move an automation up the ladder (` + strings.ReplaceAll(rungNames(), ", ", " → ") + `)
when the evidence allows it, under a named owner. AUTOMATION is a built-in
automation type, which is also the name of its shipped safety case:
` + strings.Join(safetycases.Names(), ", ") + `.

The promotion is refused unless every condition holds:

` + promoteConditionsHelp() + `

Only runs recorded with suite "` + history.SuiteNightly + `" count; baseline runs, runs by hand
and runs with an older safety case do not.

` + fmt.Sprintf(ladderHelp, "the evidence\n(the IDs of the runs weighed)") + `

With --dry-run, the decision is printed and nothing is recorded or changed.

Exit codes:
  0  promoted
  1  refused: every unmet condition is printed (also with --dry-run)
  2  bad input (unknown automation or rung, --to not above the current rung,
     no --owner), a history file that is not a valid record, or a cluster error`
}

// promoteConditionsHelp lists the conditions of a promotion, its figures
// (K per rung, the assertions each rung needs, the clusters that count)
// taken from promote's policy, so the help says what Decide does.
func promoteConditionsHelp() string {
	targets := v1alpha1.Rungs[1:] // the alert rung needs no evidence
	var ks, needs []string
	for _, r := range targets {
		ks = append(ks, fmt.Sprintf("%d for %s", promote.DefaultRuns[r], r))
	}
	for i, r := range targets {
		added := promote.RequiredAssertions[r]
		if i > 0 {
			below := promote.RequiredAssertions[targets[i-1]]
			added = slices.DeleteFunc(slices.Clone(added), func(a string) bool { return slices.Contains(below, a) })
			needs = append(needs, fmt.Sprintf("%s adds %s", r, strings.Join(added, ", ")))
			continue
		}
		needs = append(needs, fmt.Sprintf("%s needs %s", r, strings.Join(added, ", ")))
	}
	rows := [][2]string{
		{promote.ConditionLadder, "--to is above the current rung"},
		{promote.ConditionSafetyCase, "the safety case is complete and lints clean"},
		{promote.ConditionPosture, "--to is not above the posture of the safety case's action class (interlock safetycase list shows each class's highest rung)"},
		{promote.ConditionScenarios, "at least one shipped scenario exercises the automation (has an automation of its type)"},
		{promote.ConditionRuns, "each such scenario has at least K nightly runs on record, of the built-in remediator, with the current safety case (the same digest): K is " + joinAnd(ks)},
		{promote.ConditionPassed, "the last K of them all passed; a failing run is named"},
		{promote.ConditionGraded, "each of those K runs graded, not skipped, every assertion --to needs: " + strings.Join(needs, "; ")},
		{promote.ConditionRealCluster, fmt.Sprintf("at least one of those K ran on a real cluster: %s or %s up to %s; %s needs a run on %s",
			history.ProviderEmbedded, history.ProviderKind, v1alpha1.RungSupervised, v1alpha1.RungUnsupervised, history.ProviderKind)},
	}
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	indent := strings.Repeat(" ", 2+width+2)
	var b strings.Builder
	for _, r := range rows {
		text := wrap(r[1], indent, 80)
		b.WriteString("  " + r[0] + text[2+len(r[0]):])
	}
	return strings.TrimRight(b.String(), "\n")
}

// joinAnd joins "a", "b" and "c" as "a, b and c".
func joinAnd(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

const promoteExample = `  # What is missing before unhealthy-workload may act under supervision?
  interlock promote unhealthy-workload --to supervised --owner alice --dry-run

  # Promote the Automation in a cluster, recording the evidence
  interlock promote unhealthy-workload --to supervised --owner alice --kubeconfig ~/.kube/prod

  # The decision as JSON, from another history directory
  interlock promote node-loss --to runbook --owner sre-team --history /var/lib/interlock/history -o json`

// promote moves the automation up to --to if promote.Decide allows it,
// and prints the decision.
func (o *ladderOptions) promote(ctx context.Context, streams Streams, automation string) error {
	to, err := o.validate(automation)
	if err != nil {
		return err
	}
	store := historyStore(o.dir)
	st, err := o.state(ctx, automation, store)
	if err != nil {
		return err
	}
	if to.Level() <= st.current.Level() {
		return fmt.Errorf("%s is at %s (%s): promote moves up the ladder; use interlock demote to move down", automation, st.current, st.source)
	}
	now := time.Now().UTC()
	d, err := decidePromotion(store, st, to, now)
	if err != nil {
		return err
	}
	report := ladderReport{
		Action: history.Promote, Automation: automation, Object: st.object(), From: st.current, FromSource: st.source, To: to,
		Allowed: d.Allowed, Unmet: d.Unmet, Evidence: d.Evidence, RunsRequired: d.Runs, SafetyCaseDigest: d.SafetyCaseDigest,
	}
	if !d.Allowed {
		if err := printLadder(streams.Out, &o.out, report); err != nil {
			return err
		}
		return failed(fmt.Errorf("promotion of %s to %s refused: %d condition(s) unmet", automation, to, len(d.Unmet)))
	}
	if o.dryRun {
		report.DryRun = true
		return printLadder(streams.Out, &o.out, report)
	}
	p := history.Promotion{
		ID: history.NewID(now, automation), Action: history.Promote, Automation: automation,
		From: st.current, To: to, Owner: strings.TrimSpace(o.owner), Time: now,
		Evidence: d.Evidence, RunsRequired: d.Runs, SafetyCaseDigest: d.SafetyCaseDigest,
	}
	p, patched, err := st.move(ctx, store, p)
	if err != nil {
		return err
	}
	report.Record, report.Patched = &p, patched
	return printLadder(streams.Out, &o.out, report)
}

// decidePromotion weighs the nightly runs in store and the shipped
// scenarios for a move of st's automation to the rung to.
func decidePromotion(store history.Reader, st *ladderState, to v1alpha1.Rung, now time.Time) (promote.Decision, error) {
	records, err := store.List(history.Filter{Suite: history.SuiteNightly})
	if err != nil {
		return promote.Decision{}, err
	}
	all, err := scenarios.All()
	if err != nil {
		return promote.Decision{}, fmt.Errorf("failed to load the shipped scenarios: %w", err)
	}
	return promote.Decide(promote.Input{
		Automation: v1alpha1.AutomationType(st.automation), Current: st.current, Target: to,
		SafetyCase: st.spec, Records: records, Scenarios: all, Now: now,
	}, promote.Options{}), nil
}

func newDemoteCommand(streams Streams) *cobra.Command {
	var o ladderOptions
	cmd := &cobra.Command{
		Use:               "demote AUTOMATION --to RUNG --owner NAME --reason TEXT",
		Short:             "Move an automation down the ladder, recording who and why",
		Long:              demoteLong(),
		Example:           demoteExample,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeAutomationArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.demote(cmd.Context(), streams, args[0])
		},
	}
	o.register(cmd, true)
	return cmd
}

func demoteLong() string {
	return `Move an automation down the ladder, under a named owner and for a stated
reason. Moving down needs no evidence: it is always allowed. AUTOMATION is a
built-in automation type:
` + strings.Join(safetycases.Names(), ", ") + `.

` + fmt.Sprintf(ladderHelp, "the reason") + `

Exit codes:
  0  demoted
  2  bad input (unknown automation or rung, --to not below the current rung,
     no --owner or --reason), a history file that is not a valid record, or a
     cluster error`
}

const demoteExample = `  # Back to proposals while a false positive is investigated
  interlock demote unhealthy-workload --to supervised --owner bob \
    --reason "restarted healthy pods during the 2026-09-12 deploy" --kubeconfig ~/.kube/prod`

// demote moves the automation down to --to, which needs no evidence, and
// prints the record.
func (o *ladderOptions) demote(ctx context.Context, streams Streams, automation string) error {
	to, err := o.validate(automation)
	if err != nil {
		return err
	}
	if strings.TrimSpace(o.reason) == "" {
		return errors.New("--reason is required: say why the automation is demoted")
	}
	store := historyStore(o.dir)
	st, err := o.state(ctx, automation, store)
	if err != nil {
		return err
	}
	if to.Level() >= st.current.Level() {
		return fmt.Errorf("%s is at %s (%s): demote moves down the ladder; use interlock promote to move up", automation, st.current, st.source)
	}
	now := time.Now().UTC()
	p := history.Promotion{
		ID: history.NewID(now, automation), Action: history.Demote, Automation: automation,
		From: st.current, To: to, Owner: strings.TrimSpace(o.owner), Time: now, Reason: strings.TrimSpace(o.reason),
	}
	if st.spec != nil {
		p.SafetyCaseDigest = history.Digest(*st.spec)
	}
	p, patched, err := st.move(ctx, store, p)
	if err != nil {
		return err
	}
	return printLadder(streams.Out, &o.out, ladderReport{
		Action: history.Demote, Automation: automation, Object: st.object(), From: st.current, FromSource: st.source, To: to,
		Allowed: true, Unmet: []promote.Condition{}, Evidence: []string{}, SafetyCaseDigest: p.SafetyCaseDigest,
		Record: &p, Patched: patched,
	})
}
