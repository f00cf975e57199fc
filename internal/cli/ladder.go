package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/harness/history"
	"github.com/interlock-dev/interlock/harness/promote"
	"github.com/interlock-dev/interlock/remediator"
	"github.com/interlock-dev/interlock/safetycases"
)

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
	o.out = dataOutput()
	o.out.register(cmd)
	cmd.Flags().StringVar(&o.to, "to", "", "the rung to move to: "+rungNames())
	_ = cmd.RegisterFlagCompletionFunc("to", completeRungs)
	cmd.Flags().StringVar(&o.owner, "owner", "", "the named human accountable for the move (required)")
	if demote {
		cmd.Flags().StringVar(&o.reason, "reason", "", "why the automation is demoted (required)")
	} else {
		cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "decide and print the decision, but record nothing and change no cluster")
	}
	historyFlag(cmd, &o.dir, "", historyDirHelp, true)
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
	if err := checkAutomation(automation); err != nil {
		return "", err
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

The move is recorded in DIR/promotions/ (--history, default $` + history.DirEnv + `,
then ` + history.DefaultDir + `) with the owner, the time, the rungs and %s.
With --kubeconfig, the Automation's spec.rung is then patched, provided its
spec has not changed since it was read, and annotated
` + AnnotationPromotion + `=RECORD-ID.`

// printLadder prints a promote or demote report.
func printLadder(w io.Writer, out *outputFlag, r ladderReport) error {
	if out.structured() {
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
