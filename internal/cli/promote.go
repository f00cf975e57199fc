package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/promote"
	"github.com/interlock-dev/interlock/remediator"
	"github.com/interlock-dev/interlock/safetycases"
	"github.com/interlock-dev/interlock/scenarios"
)

func init() {
	register(newPromoteCommand)
	register(newDemoteCommand)
}

// AnnotationPromotion, on an Automation, is the ID of the promotion or
// demotion record that last set its rung.
const AnnotationPromotion = "interlock.dev/promotion"

// ladderOptions are the flags of promote and demote.
type ladderOptions struct {
	to, owner, reason string
	dryRun            bool
	dir               string
	kube              kubeFlags
	object            string
	out               outputFlag
}

func (o *ladderOptions) register(cmd *cobra.Command, demote bool) {
	o.out = outputFlag{allowed: []string{"text", "json", "yaml"}, value: "text"}
	o.out.register(cmd)
	cmd.Flags().StringVar(&o.to, "to", "", "the rung to move to: "+rungNames())
	cmd.Flags().StringVar(&o.owner, "owner", "", "the named human accountable for the move (required)")
	if demote {
		cmd.Flags().StringVar(&o.reason, "reason", "", "why the automation is demoted (required)")
	} else {
		cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "decide and print the decision, but record nothing and change no cluster")
	}
	cmd.Flags().StringVar(&o.dir, "dir", "", historyDirHelp)
	cmd.Flags().StringVar(&o.kube.kubeconfig, "kubeconfig", "", "read the current rung from the cluster's Automation object and patch it; without it, nothing in a cluster changes")
	cmd.Flags().StringVarP(&o.kube.namespace, "namespace", "n", "interlock-system", "the namespace of the Automation object (with --kubeconfig)")
	cmd.Flags().StringVar(&o.object, "object", "", "the Automation object's name (with --kubeconfig; default: AUTOMATION)")
}

// ladderReport is what promote and demote print with -o json or yaml.
type ladderReport struct {
	// Action is promote or demote.
	Action string `json:"action"`
	// Automation is the automation type.
	Automation string `json:"automation"`
	// Object is the Automation object, namespace/name, with --kubeconfig.
	Object string `json:"object,omitempty"`
	// From is the current rung and where it was read from.
	From       v1alpha1.Rung `json:"from"`
	FromSource string        `json:"fromSource"`
	// To is the rung asked for.
	To v1alpha1.Rung `json:"to"`
	// Allowed says whether the move is allowed; it was made unless DryRun.
	Allowed bool `json:"allowed"`
	// DryRun is true when nothing was recorded or changed (--dry-run).
	DryRun bool `json:"dryRun,omitempty"`
	// Unmet are the conditions a refused promotion did not meet.
	Unmet []promote.Condition `json:"unmet"`
	// Evidence are the runs a promotion weighed.
	Evidence []string `json:"evidence"`
	// RunsRequired is K, the passing nightly runs each scenario needed.
	RunsRequired int `json:"runsRequired,omitempty"`
	// SafetyCaseDigest is the digest of the safety case the move applies to.
	SafetyCaseDigest string `json:"safetyCaseDigest,omitempty"`
	// Record is the promotion or demotion record written.
	Record *history.Promotion `json:"record,omitempty"`
	// Patched is true when the Automation object's rung was patched.
	Patched bool `json:"patched"`
}

// ladderState is where an automation stands before a move.
type ladderState struct {
	automation string
	current    v1alpha1.Rung
	source     string
	spec       *v1alpha1.SafetyCaseSpec
	// With --kubeconfig:
	c   client.Client
	obj *v1alpha1.Automation
	who string
}

// validate checks the flags and arguments shared by promote and demote.
func (o *ladderOptions) validate(automation string) (v1alpha1.Rung, error) {
	if err := o.out.validate(); err != nil {
		return "", err
	}
	if !slices.Contains(safetycases.Names(), automation) {
		return "", fmt.Errorf("unknown automation %q: must be a built-in automation type: %s", automation, strings.Join(safetycases.Names(), ", "))
	}
	to := v1alpha1.Rung(o.to)
	switch {
	case o.to == "":
		return "", fmt.Errorf("--to is required: one of %s", rungNames())
	case !to.Valid():
		return "", fmt.Errorf("unknown rung %q for --to: must be one of %s", o.to, rungNames())
	case strings.TrimSpace(o.owner) == "":
		return "", errors.New("--owner is required: name the human accountable for the move")
	case o.kube.kubeconfig == "" && o.object != "":
		return "", errors.New("--object names an Automation in a cluster: give --kubeconfig too")
	}
	return to, nil
}

// state reads where the automation stands: from its Automation object with
// --kubeconfig, else from the latest ladder record (else alert) and its
// shipped safety case.
func (o *ladderOptions) state(ctx context.Context, automation string, store history.Reader) (*ladderState, error) {
	st := &ladderState{automation: automation}
	if o.kube.kubeconfig == "" {
		sc, err := safetycases.Get(automation)
		if err != nil {
			return nil, err
		}
		st.spec = &sc.Spec
		moves, err := store.Promotions(automation)
		if err != nil {
			return nil, err
		}
		st.current, st.source = v1alpha1.RungAlert, "default: no promotion on record"
		if n := len(moves); n > 0 {
			st.current, st.source = moves[n-1].To, "promotion record "+moves[n-1].ID
		}
		return st, nil
	}
	c, cfg, err := o.kube.client()
	if err != nil {
		return nil, err
	}
	name := o.object
	if name == "" {
		name = automation
	}
	key := client.ObjectKey{Namespace: o.kube.namespace, Name: name}
	var a v1alpha1.Automation
	if err := c.Get(ctx, key, &a); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("no Automation %s in the cluster: name it with --object and --namespace", key)
		}
		return nil, fmt.Errorf("failed to get Automation %s: %w", key, err)
	}
	if string(a.Spec.Type) != automation {
		return nil, fmt.Errorf("the Automation %s is of type %s, not %s", key, a.Spec.Type, automation)
	}
	st.current, st.source = v1alpha1.Rung(a.Spec.Rung), "Automation "+key.String()
	if !st.current.Valid() {
		return nil, fmt.Errorf("the Automation %s has rung %q, which is not on the ladder (%s)", key, a.Spec.Rung, rungNames())
	}
	switch {
	case a.Spec.SafetyCase != nil:
		st.spec = a.Spec.SafetyCase
	case a.Spec.SafetyCaseRef != nil:
		var sc v1alpha1.SafetyCase
		scKey := client.ObjectKey{Namespace: a.Namespace, Name: a.Spec.SafetyCaseRef.Name}
		if err := c.Get(ctx, scKey, &sc); err != nil {
			return nil, fmt.Errorf("failed to get SafetyCase %s, which Automation %s refers to: %w", scKey, key, err)
		}
		st.spec = &sc.Spec
	}
	if st.who, err = remediator.WhoAmI(ctx, cfg); err != nil {
		return nil, err
	}
	st.c, st.obj = c, &a
	return st, nil
}

// patch sets the Automation's rung and annotates it with the record's ID,
// only if its spec has not changed since it was read (its generation).
func (st *ladderState) patch(ctx context.Context, to v1alpha1.Rung, recordID string, dryRun bool) error {
	ops := []map[string]any{
		{"op": "test", "path": "/metadata/generation", "value": st.obj.Generation},
		{"op": "replace", "path": "/spec/rung", "value": string(to)},
	}
	if st.obj.Annotations == nil {
		ops = append(ops, map[string]any{"op": "add", "path": "/metadata/annotations", "value": map[string]string{AnnotationPromotion: recordID}})
	} else {
		ops = append(ops, map[string]any{"op": "add", "path": "/metadata/annotations/" + strings.ReplaceAll(AnnotationPromotion, "/", "~1"), "value": recordID})
	}
	data, err := json.Marshal(ops)
	if err != nil {
		return fmt.Errorf("failed to encode the patch: %w", err)
	}
	var opts []client.PatchOption
	if dryRun {
		opts = append(opts, client.DryRunAll)
	}
	if err := st.c.Patch(ctx, st.obj.DeepCopy(), client.RawPatch(types.JSONPatchType, data), opts...); err != nil {
		return fmt.Errorf("failed to patch Automation %s/%s (its spec may have changed since it was read; run the command again): %w",
			st.obj.Namespace, st.obj.Name, err)
	}
	return nil
}

func (st *ladderState) object() string {
	if st.obj == nil {
		return ""
	}
	return st.obj.Namespace + "/" + st.obj.Name
}

// move records a decided move and, with a cluster, patches the Automation:
// a dry run first, so that a patch the API server would refuse leaves no
// record behind, then the record, then the patch.
// It returns the record as written and whether the cluster was patched.
func (st *ladderState) move(ctx context.Context, store history.Recorder, p history.Promotion) (history.Promotion, bool, error) {
	if st.obj != nil {
		if err := st.patch(ctx, p.To, p.ID, true); err != nil {
			return p, false, err
		}
		p.Object, p.APIUser = st.object(), st.who
	}
	if err := store.AppendPromotion(p); err != nil {
		return p, false, err
	}
	if st.obj == nil {
		return p, false, nil
	}
	if err := st.patch(ctx, p.To, p.ID, false); err != nil {
		return p, false, fmt.Errorf("%s record %s was written, but the cluster was not changed: %w", p.Action, p.ID, err)
	}
	return p, true, nil
}

const ladderHelp = `The current rung, and the safety case the move applies to, come from the
Automation object named AUTOMATION (or --object) in --namespace when
--kubeconfig is given; otherwise from the latest promotion or demotion record
in the history (alert if there is none) and the shipped safety case.

The move is recorded in DIR/promotions/ (--dir, default $` + history.DirEnv + `,
then ` + history.DefaultDir + `) with the owner, the time, the rungs and %s.
With --kubeconfig, the Automation's spec.rung is then patched, provided its
spec has not changed since it was read, and annotated
` + AnnotationPromotion + `=RECORD-ID.`

func newPromoteCommand(streams Streams) *cobra.Command {
	var o ladderOptions
	cmd := &cobra.Command{
		Use:   "promote AUTOMATION --to RUNG --owner NAME",
		Short: "Move an automation up the ladder when its nightly runs allow it",
		Long: `Move an automation up the ladder (alert → runbook → supervised → unsupervised)
when the evidence allows it, under a named owner. AUTOMATION is a built-in
automation type, which is also the name of its shipped safety case:
` + strings.Join(safetycases.Names(), ", ") + `.

The promotion is refused unless every condition holds:

  ladder        --to is above the current rung
  safety-case   the safety case is complete and lints clean
  posture       --to is not above the posture of the safety case's action
                class (interlock safetycase list shows each class's highest rung)
  scenarios     at least one shipped scenario exercises the automation (has an
                automation of its type)
  runs          each such scenario has at least K nightly runs on record, of
                the built-in remediator, with the current safety case (the
                same digest): K is 1 for runbook, 3 for supervised and 5 for
                unsupervised
  passed        the last K of them all passed; a failing run is named
  real-cluster  at least one of those K ran on a real cluster: embedded or
                kind up to supervised; unsupervised needs a run on kind

Only runs recorded with suite "nightly" count; baseline runs, runs by hand
and runs with an older safety case do not.

` + fmt.Sprintf(ladderHelp, "the evidence\n(the IDs of the runs weighed)") + `

With --dry-run, the decision is printed and nothing is recorded or changed.

Exit codes:
  0  promoted
  1  refused: every unmet condition is printed (also with --dry-run)
  2  bad input (unknown automation or rung, --to not above the current rung,
     no --owner), a history file that is not a valid record, or a cluster error`,
		Example: `  # What is missing before unhealthy-workload may act under supervision?
  interlock promote unhealthy-workload --to supervised --owner alice --dry-run

  # Promote the Automation in a cluster, recording the evidence
  interlock promote unhealthy-workload --to supervised --owner alice --kubeconfig ~/.kube/prod

  # The decision as JSON, from another history directory
  interlock promote node-loss --to runbook --owner sre-team --dir /var/lib/interlock/history -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			automation := args[0]
			to, err := o.validate(automation)
			if err != nil {
				return err
			}
			store := historyStore(o.dir)
			st, err := o.state(cmd.Context(), automation, store)
			if err != nil {
				return err
			}
			if to.Level() <= st.current.Level() {
				return fmt.Errorf("%s is at %s (%s): promote moves up the ladder; use interlock demote to move down", automation, st.current, st.source)
			}
			records, err := store.List(history.Filter{Suite: history.SuiteNightly})
			if err != nil {
				return err
			}
			all, err := scenarios.All()
			if err != nil {
				return fmt.Errorf("failed to load the shipped scenarios: %w", err)
			}
			now := time.Now().UTC()
			d := promote.Decide(promote.Input{
				Automation: v1alpha1.AutomationType(automation), Current: st.current, Target: to,
				SafetyCase: st.spec, Records: records, Scenarios: all, Now: now,
			}, promote.Options{})
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
			p, patched, err := st.move(cmd.Context(), store, p)
			if err != nil {
				return err
			}
			report.Record, report.Patched = &p, patched
			return printLadder(streams.Out, &o.out, report)
		},
	}
	o.register(cmd, false)
	return cmd
}

func newDemoteCommand(streams Streams) *cobra.Command {
	var o ladderOptions
	cmd := &cobra.Command{
		Use:   "demote AUTOMATION --to RUNG --owner NAME --reason TEXT",
		Short: "Move an automation down the ladder, recording who and why",
		Long: `Move an automation down the ladder, under a named owner and for a stated
reason. Moving down needs no evidence: it is always allowed. AUTOMATION is a
built-in automation type:
` + strings.Join(safetycases.Names(), ", ") + `.

` + fmt.Sprintf(ladderHelp, "the reason") + `

Exit codes:
  0  demoted
  2  bad input (unknown automation or rung, --to not below the current rung,
     no --owner or --reason), a history file that is not a valid record, or a
     cluster error`,
		Example: `  # Back to proposals while a false positive is investigated
  interlock demote unhealthy-workload --to supervised --owner bob \
    --reason "restarted healthy pods during the 2026-09-12 deploy" --kubeconfig ~/.kube/prod`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			automation := args[0]
			to, err := o.validate(automation)
			if err != nil {
				return err
			}
			if strings.TrimSpace(o.reason) == "" {
				return errors.New("--reason is required: say why the automation is demoted")
			}
			store := historyStore(o.dir)
			st, err := o.state(cmd.Context(), automation, store)
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
			p, patched, err := st.move(cmd.Context(), store, p)
			if err != nil {
				return err
			}
			return printLadder(streams.Out, &o.out, ladderReport{
				Action: history.Demote, Automation: automation, Object: st.object(), From: st.current, FromSource: st.source, To: to,
				Allowed: true, Unmet: []promote.Condition{}, Evidence: []string{}, SafetyCaseDigest: p.SafetyCaseDigest,
				Record: &p, Patched: patched,
			})
		},
	}
	o.register(cmd, true)
	return cmd
}

// printLadder prints a promote or demote report.
func printLadder(w io.Writer, out *outputFlag, r ladderReport) error {
	if out.value != "text" {
		return out.print(w, r)
	}
	verb := map[string]string{history.Promote: "Promotion", history.Demote: "Demotion"}[r.Action]
	if !r.Allowed {
		fmt.Fprintf(w, "%s of %s from %s to %s refused:\n", verb, r.Automation, r.From, r.To)
		for _, c := range r.Unmet {
			fmt.Fprintf(w, "  %-13s %s\n", c.Name, c.Reason)
		}
		if len(r.Evidence) > 0 {
			fmt.Fprintf(w, "Runs weighed: %s\n", strings.Join(r.Evidence, ", "))
		}
		return nil
	}
	if r.DryRun {
		fmt.Fprintf(w, "%s of %s from %s to %s allowed (dry run: nothing recorded, no cluster changed).\n", verb, r.Automation, r.From, r.To)
		fmt.Fprintf(w, "  evidence: %d nightly run(s) per scenario passed with safety case %s: %s\n",
			r.RunsRequired, r.SafetyCaseDigest, strings.Join(r.Evidence, ", "))
		return nil
	}
	past := map[string]string{history.Promote: "Promoted", history.Demote: "Demoted"}[r.Action]
	fmt.Fprintf(w, "%s %s from %s to %s.\n", past, r.Automation, r.From, r.To)
	fmt.Fprintf(w, "  owner:    %s\n", r.Record.Owner)
	if r.Record.Reason != "" {
		fmt.Fprintf(w, "  reason:   %s\n", r.Record.Reason)
	}
	fmt.Fprintf(w, "  record:   %s\n", r.Record.ID)
	if r.Action == history.Promote {
		fmt.Fprintf(w, "  evidence: %d nightly run(s) per scenario passed with safety case %s: %s\n",
			r.RunsRequired, r.SafetyCaseDigest, strings.Join(r.Evidence, ", "))
	}
	if r.Patched {
		fmt.Fprintf(w, "  patched:  Automation %s spec.rung=%s (as %s)\n", r.Object, r.To, r.Record.APIUser)
	} else {
		fmt.Fprintln(w, "  cluster:  not changed (no --kubeconfig)")
	}
	return nil
}

func rungNames() string {
	names := make([]string, len(v1alpha1.Rungs))
	for i, r := range v1alpha1.Rungs {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
