package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/policy"
)

// AutomationLabel names, on a proposal, the automation that filed it.
const AutomationLabel = "interlock.dev/automation"

// ProposalName is the deterministic name of the proposal for a target.
func ProposalName(automation, target string) string {
	sum := sha256.Sum256([]byte(target))
	name := automation + "-" + hex.EncodeToString(sum[:5])
	return strings.TrimPrefix(name, "-")
}

func (e *Engine) proposalFor(ctx context.Context, automation, target string) (*v1alpha1.RemediationProposal, error) {
	var p v1alpha1.RemediationProposal
	err := e.Client.Get(ctx, client.ObjectKey{Namespace: e.Namespace, Name: ProposalName(automation, target)}, &p)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("failed to get proposal: %w", err)
	}
	return &p, nil
}

// propose files a proposal for a human, once per target.
func (e *Engine) propose(ctx context.Context, r *Resolved, c Candidate, d policy.Decision) error {
	p := &v1alpha1.RemediationProposal{
		ObjectMeta: metav1.ObjectMeta{
			Name: ProposalName(r.Name, c.Target), Namespace: e.Namespace,
			Labels: map[string]string{AutomationLabel: r.Name},
		},
		Spec: v1alpha1.RemediationProposalSpec{
			Automation: r.Name, Class: r.SafetyCase.Action.Class, Verb: c.Verb, Target: c.Target,
			Reason: c.Why, Runbook: r.Spec.Runbook, Owner: r.SafetyCase.Owner,
		},
	}
	if err := e.Client.Create(ctx, p); err != nil {
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return fmt.Errorf("failed to file proposal for %s: %w", c.Target, err)
	}
	p.Status.Phase = v1alpha1.ProposalPending
	p.Status.Message = d.Message
	if err := e.Client.Status().Update(ctx, p); err != nil {
		return fmt.Errorf("failed to set proposal status: %w", err)
	}
	e.Recorder.Eventf(r.Automation, nil, corev1.EventTypeWarning, "ProposalFiled", c.Verb,
		"%s %s needs approval by a named human (owner %s): proposal %s", c.Verb, c.Target, r.SafetyCase.Owner, p.Name)
	return nil
}

func (e *Engine) markProposal(ctx context.Context, p *v1alpha1.RemediationProposal, phase v1alpha1.ProposalPhase, msg string) {
	_ = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var cur v1alpha1.RemediationProposal
		if err := e.Client.Get(ctx, client.ObjectKeyFromObject(p), &cur); err != nil {
			return err
		}
		cur.Status.Phase = phase
		cur.Status.Message = msg
		if phase == v1alpha1.ProposalExecuted {
			cur.Status.ExecutedAt = &metav1.Time{Time: e.Clock.Now()}
		}
		return e.Client.Status().Update(ctx, &cur)
	})
}
