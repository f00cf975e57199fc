package validation_test

import (
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
)

// automation returns an unsupervised unhealthy-workload Automation with a
// complete inline safety case, modified by mods.
func automation(mods ...func(*v1alpha1.Automation)) *v1alpha1.Automation {
	a := &v1alpha1.Automation{
		ObjectMeta: metav1.ObjectMeta{Name: "restart-crashloop", Namespace: "shop"},
		Spec: v1alpha1.AutomationSpec{
			Type:       v1alpha1.UnhealthyWorkload,
			Rung:       "unsupervised",
			SafetyCase: completeSpec(),
		},
	}
	for _, mod := range mods {
		mod(a)
	}
	return a
}

func withRef(name string) func(*v1alpha1.Automation) {
	return func(a *v1alpha1.Automation) {
		a.Spec.SafetyCase = nil
		a.Spec.SafetyCaseRef = &v1alpha1.LocalObjectReference{Name: name}
	}
}

func withRung(rung string) func(*v1alpha1.Automation) {
	return func(a *v1alpha1.Automation) { a.Spec.Rung = rung }
}

func withCase(mods ...func(*v1alpha1.SafetyCaseSpec)) func(*v1alpha1.Automation) {
	return func(a *v1alpha1.Automation) { a.Spec.SafetyCase = completeSpec(mods...) }
}

// resolvable are the safety cases resolve finds by name.
var resolvable = map[string]*v1alpha1.SafetyCaseSpec{
	"complete":   completeSpec(),
	"incomplete": completeSpec(func(s *v1alpha1.SafetyCaseSpec) { s.Budget.MaxActions = 0; s.Budget.PerTarget = nil }),
	"destructive": completeSpec(func(s *v1alpha1.SafetyCaseSpec) {
		s.Action.Class = "destructive"
	}),
}

// resolve resolves a reference to one of resolvable.
func resolve(name string) (*v1alpha1.SafetyCaseSpec, error) {
	if s, ok := resolvable[name]; ok {
		return s, nil
	}
	return nil, errors.New("not found")
}

// automationCases are Automations and what ValidateAutomation reports of each,
// resolving references with resolve unless noResolver is set.
var automationCases = map[string]struct {
	automation *v1alpha1.Automation
	noResolver bool
	want       []fieldErr
	wantDetail string
}{
	"complete inline": {
		automation: automation(),
	},
	"complete reference": {
		automation: automation(withRef("complete")),
	},
	"inline and reference both set": {
		automation: automation(func(a *v1alpha1.Automation) {
			a.Spec.SafetyCaseRef = &v1alpha1.LocalObjectReference{Name: "complete"}
		}),
		want:       []fieldErr{{field.ErrorTypeDuplicate, "spec.safetyCaseRef"}},
		wantDetail: "safety case must not be duplicated",
	},
	"no safety case": {
		automation: automation(func(a *v1alpha1.Automation) { a.Spec.SafetyCase = nil }),
		want:       []fieldErr{{field.ErrorTypeRequired, "spec.safetyCase"}},
	},
	"certificate expiry without a look-ahead": {
		automation: automation(withRung("supervised"), func(a *v1alpha1.Automation) {
			a.Spec.Type = v1alpha1.CertificateExpiry
			a.Spec.SafetyCase.Action.Class = "destructive"
		}),
		want:       []fieldErr{{field.ErrorTypeRequired, "spec.safetyCase.trigger.within"}},
		wantDetail: "how far ahead",
	},
	"no safety case at the alert rung": {
		automation: automation(withRung("alert"), func(a *v1alpha1.Automation) { a.Spec.SafetyCase = nil }),
		want:       []fieldErr{{field.ErrorTypeRequired, "spec.safetyCase"}},
	},
	"reference without a name": {
		automation: automation(withRef("")),
		want:       []fieldErr{{field.ErrorTypeRequired, "spec.safetyCaseRef.name"}},
	},
	"reference not found": {
		automation: automation(withRef("missing")),
		want:       []fieldErr{{field.ErrorTypeNotFound, "spec.safetyCaseRef.name"}},
		wantDetail: `failed to find safety case "missing": not found`,
	},
	"reference without a resolver": {
		automation: automation(withRef("complete")),
		noResolver: true,
		want:       []fieldErr{{field.ErrorTypeInvalid, "spec.safetyCaseRef.name"}},
	},
	"type missing": {
		automation: automation(func(a *v1alpha1.Automation) { a.Spec.Type = "" }),
		want:       []fieldErr{{field.ErrorTypeRequired, "spec.type"}},
	},
	"type unknown": {
		automation: automation(func(a *v1alpha1.Automation) { a.Spec.Type = "reboot-everything" }),
		want:       []fieldErr{{field.ErrorTypeInvalid, "spec.type"}},
	},
	"rung missing": {
		automation: automation(withRung("")),
		want:       []fieldErr{{field.ErrorTypeRequired, "spec.rung"}},
	},
	"rung unknown": {
		automation: automation(withRung("autonomous")),
		want:       []fieldErr{{field.ErrorTypeInvalid, "spec.rung"}},
	},
	"rung exceeds the posture of a destructive action": {
		automation: automation(withCase(func(s *v1alpha1.SafetyCaseSpec) { s.Action.Class = "destructive" })),
		want:       []fieldErr{{field.ErrorTypeInvalid, "spec.rung"}},
		wantDetail: `rung "unsupervised" exceeds the posture of class "destructive"`,
	},
	"rung exceeds the posture of a referenced destructive action": {
		automation: automation(withRef("destructive")),
		want:       []fieldErr{{field.ErrorTypeInvalid, "spec.rung"}},
	},
	"destructive action supervised": {
		automation: automation(withRung("supervised"), withCase(func(s *v1alpha1.SafetyCaseSpec) { s.Action.Class = "destructive" })),
	},
	"rollback unsupervised without a health gate": {
		automation: automation(withCase(func(s *v1alpha1.SafetyCaseSpec) { s.Action.Class = "rollback" })),
		want:       []fieldErr{{field.ErrorTypeRequired, "spec.safetyCase.healthGate"}},
	},
	"incomplete inline case at the alert rung": {
		automation: automation(withRung("alert"), withCase(func(s *v1alpha1.SafetyCaseSpec) { s.Owner = ""; s.Telemetry = nil })),
	},
	"incomplete inline case at the runbook rung": {
		automation: automation(withRung("runbook"), withCase(func(s *v1alpha1.SafetyCaseSpec) { s.Owner = ""; s.Telemetry = nil })),
		want: []fieldErr{
			{field.ErrorTypeRequired, "spec.safetyCase.owner"},
			{field.ErrorTypeRequired, "spec.safetyCase.telemetry"},
		},
	},
	"incomplete referenced case": {
		automation: automation(withRef("incomplete")),
		want:       []fieldErr{{field.ErrorTypeRequired, "spec.safetyCaseRef[incomplete].budget.maxActions"}},
	},
	"incomplete referenced case at the alert rung": {
		automation: automation(withRung("alert"), withRef("incomplete")),
	},
	"unknown class at the alert rung is not checked": {
		automation: automation(withRung("alert"), withCase(func(s *v1alpha1.SafetyCaseSpec) { s.Action.Class = "" })),
	},
	"several problems at once": {
		automation: automation(withRung("unsupervised"), func(a *v1alpha1.Automation) { a.Spec.Type = "" },
			withCase(func(s *v1alpha1.SafetyCaseSpec) { s.Action.Class = "failover"; s.Owner = "" })),
		want: []fieldErr{
			{field.ErrorTypeRequired, "spec.type"},
			{field.ErrorTypeInvalid, "spec.rung"},
			{field.ErrorTypeRequired, "spec.safetyCase.owner"},
		},
	},
}

func TestValidateAutomation(t *testing.T) {
	for name, tc := range automationCases {
		t.Run(name, func(t *testing.T) {
			r := resolve
			if tc.noResolver {
				r = nil
			}
			errs := validation.ValidateAutomation(tc.automation, r)
			checkErrs(t, errs, tc.want)
			if tc.wantDetail != "" && (len(errs) == 0 || !strings.Contains(errs[0].Detail, tc.wantDetail)) {
				t.Errorf("first error = %v, want its detail to contain %q", errs, tc.wantDetail)
			}
		})
	}
}

func TestValidateAutomationNil(t *testing.T) {
	checkErrs(t, validation.ValidateAutomation(nil, nil), []fieldErr{{field.ErrorTypeRequired, "spec"}})
}
