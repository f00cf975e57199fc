package remediator

import (
	"context"
	"fmt"

	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/engine"
)

// WhoAmI asks the API server who the caller is (a SelfSubjectReview), so a
// human decision is recorded under the name the API server authenticated,
// not one the caller typed.
func WhoAmI(ctx context.Context, cfg *rest.Config) (string, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return "", fmt.Errorf("failed to create client: %w", err)
	}
	r, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("failed to ask the API server who you are: %w", err)
	}
	if r.Status.UserInfo.Username == "" {
		return "", fmt.Errorf("the API server did not name you; an anonymous user cannot resume or approve")
	}
	return r.Status.UserInfo.Username, nil
}

// Resume lifts an automation's halt, recording who did it and when. The
// actions before the resume stay on record but no longer count against the
// budget.
func Resume(ctx context.Context, c client.Client, clk clock.PassiveClock, key client.ObjectKey, by string) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var a v1alpha1.Automation
		if err := c.Get(ctx, key, &a); err != nil {
			return fmt.Errorf("failed to get automation %s: %w", key, err)
		}
		if !meta.IsStatusConditionTrue(a.Status.Conditions, v1alpha1.ConditionHalted) {
			return fmt.Errorf("automation %s is not halted", key.Name)
		}
		now := metav1.NewTime(clk.Now())
		meta.SetStatusCondition(&a.Status.Conditions, metav1.Condition{
			Type: v1alpha1.ConditionHalted, Status: metav1.ConditionFalse, Reason: v1alpha1.ReasonResumed,
			Message: "resumed by " + by, ObservedGeneration: a.Generation,
		})
		a.Status.ResumedBy = by
		a.Status.ResumedAt = &now
		return c.Status().Update(ctx, &a)
	})
}

// Approve records a named human's approval of a proposal. The remediator
// acts on it at its next look at the target.
func Approve(ctx context.Context, c client.Client, clk clock.PassiveClock, key client.ObjectKey, by string) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var p v1alpha1.RemediationProposal
		if err := c.Get(ctx, key, &p); err != nil {
			return fmt.Errorf("failed to get proposal %s: %w", key, err)
		}
		if p.Approval != nil {
			return fmt.Errorf("proposal %s was already approved by %s", key.Name, p.Approval.By)
		}
		if p.Status.Phase != "" && p.Status.Phase != v1alpha1.ProposalPending {
			return fmt.Errorf("proposal %s is %s, not Pending", key.Name, p.Status.Phase)
		}
		p.Approval = &v1alpha1.Approval{By: by, At: metav1.NewTime(clk.Now())}
		if err := c.Update(ctx, &p); err != nil {
			return err
		}
		p.Status.Phase = v1alpha1.ProposalApproved
		p.Status.Message = "approved by " + by
		return c.Status().Update(ctx, &p)
	})
}

// SetKillSwitch turns the global kill switch on or off.
func SetKillSwitch(ctx context.Context, c client.Client, namespace string, on bool) error {
	cm := &corev1.ConfigMap{}
	cm.Name, cm.Namespace = engine.KillSwitchName, namespace
	_, err := controllerutil.CreateOrUpdate(ctx, c, cm, func() error {
		if cm.Data == nil {
			cm.Data = map[string]string{}
		}
		cm.Data["enabled"] = fmt.Sprint(on)
		return nil
	})
	if err != nil {
		return fmt.Errorf("failed to set the kill switch: %w", err)
	}
	return nil
}
