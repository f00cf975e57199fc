package engine

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
	"github.com/interlock-dev/interlock/remediator/policy"
)

// Resolved is an Automation with its safety case in hand.
type Resolved struct {
	*v1alpha1.Automation
	// SafetyCase is the automation's safety case, inline or referenced;
	// empty, never nil, when the reference names none.
	SafetyCase *v1alpha1.SafetyCaseSpec
	// Complete says whether the automation and its safety case are
	// complete, and if not what is missing.
	Complete policy.SafetyCaseStatus
}

// Resolve returns the automation's safety case, inline or referenced, and
// whether it is complete.
func (e *Engine) Resolve(ctx context.Context, a *v1alpha1.Automation) (*Resolved, error) {
	var sc *v1alpha1.SafetyCaseSpec
	switch {
	case a.Spec.SafetyCase != nil:
		sc = a.Spec.SafetyCase
	case a.Spec.SafetyCaseRef != nil:
		var ref v1alpha1.SafetyCase
		if err := e.Client.Get(ctx, client.ObjectKey{Namespace: a.Namespace, Name: a.Spec.SafetyCaseRef.Name}, &ref); err != nil {
			if !apierrors.IsNotFound(err) {
				return nil, fmt.Errorf("failed to get safety case %s: %w", a.Spec.SafetyCaseRef.Name, err)
			}
		} else {
			sc = &ref.Spec
		}
	}
	r := &Resolved{Automation: a, SafetyCase: sc}
	errs := validation.ValidateAutomation(a, func(string) (*v1alpha1.SafetyCaseSpec, error) {
		if sc == nil {
			return nil, fmt.Errorf("safety case %q not found", a.Spec.SafetyCaseRef.Name)
		}
		return sc, nil
	})
	if sc == nil {
		r.SafetyCase = &v1alpha1.SafetyCaseSpec{}
	}
	for _, e := range errs {
		r.Complete.Missing = append(r.Complete.Missing, e.Error())
	}
	r.Complete.Complete = len(errs) == 0
	return r, nil
}

// Class is the class of the automation's action.
func (r *Resolved) Class() v1alpha1.ActionClass {
	return v1alpha1.ActionClass(r.SafetyCase.Action.Class)
}

// Budget is the safety case's action budget.
func (r *Resolved) Budget() policy.Budget {
	b := policy.Budget{MaxActions: int(r.SafetyCase.Budget.MaxActions), Window: r.SafetyCase.Budget.Window.Duration}
	if r.SafetyCase.Budget.PerTarget != nil {
		b.PerTarget = int(*r.SafetyCase.Budget.PerTarget)
	}
	return b
}

// History is the automation's actions that count against its budget,
// oldest first.
func (r *Resolved) History() []policy.ActionEvent {
	var h []policy.ActionEvent
	for _, rec := range r.Status.Actions {
		// A human's resume grants a fresh budget: earlier actions stay on
		// record but no longer count.
		if r.Status.ResumedAt != nil && !rec.Time.After(r.Status.ResumedAt.Time) {
			continue
		}
		h = append(h, policy.ActionEvent{Target: rec.Target, At: rec.Time.Time})
	}
	policy.SortHistory(h)
	return h
}

// Halted says the automation is halted until a human resumes it.
func (r *Resolved) Halted() bool {
	return meta.IsStatusConditionTrue(r.Status.Conditions, v1alpha1.ConditionHalted)
}

// KillSwitchName is the ConfigMap, in the remediator's namespace, whose
// data key "enabled" set to "true" stops every action.
const KillSwitchName = "interlock-kill-switch"

// KillSwitch reports whether the global kill switch is on.
func (e *Engine) KillSwitch(ctx context.Context) bool {
	var cm corev1.ConfigMap
	if err := e.Client.Get(ctx, client.ObjectKey{Namespace: e.Namespace, Name: KillSwitchName}, &cm); err != nil {
		return false
	}
	return cm.Data["enabled"] == "true"
}
