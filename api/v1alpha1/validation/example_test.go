package validation_test

import (
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
)

func ExampleValidate() {
	spec := completeSpec()
	spec.Owner = ""
	spec.Budget.PerTarget = ptr[int32](10)
	spec.Reversal.TimeToReverse = metav1.Duration{}
	for _, err := range validation.Validate(spec, field.NewPath("spec")) {
		fmt.Printf("%s: %s\n", err.Field, err.Detail)
	}
	// Output:
	// spec.owner: owner is missing: name the accountable person or team
	// spec.reversal.timeToReverse: time to reverse is missing: state how long undoing the action takes
	// spec.budget.perTarget: per-target budget of 10 exceeds the overall budget of 5
}

func ExampleValidateAutomation() {
	a := &v1alpha1.Automation{
		Spec: v1alpha1.AutomationSpec{
			Type: v1alpha1.CertificateExpiry,
			Rung: "unsupervised",
			SafetyCase: completeSpec(func(s *v1alpha1.SafetyCaseSpec) {
				s.Action.Class = "destructive"
				s.Budget.Window = metav1.Duration{Duration: 24 * time.Hour}
				s.Trigger.Within = &metav1.Duration{Duration: 14 * 24 * time.Hour}
			}),
		},
	}
	for _, err := range validation.ValidateAutomation(a, nil) {
		fmt.Printf("%s: %s\n", err.Field, err.Detail)
	}
	// Output:
	// spec.rung: rung "unsupervised" exceeds the posture of class "destructive" (highest allowed: "supervised")
}
