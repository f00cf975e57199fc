package scale

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/safetycases"
)

// Automation figures.
const (
	// AutomationName names the unhealthy-workload automation under test.
	AutomationName = "unhealthy-workload"
	// Hold is its trigger's `for`.
	Hold = 2 * time.Second
)

// SafetyCase is the shipped unhealthy-workload safety case with a budget
// and blast radius that allow every restart a benchmark triggers: a short
// hold, thousands of actions per window, one per pod, many in flight, and a
// short time to reverse.
func SafetyCase() (*v1alpha1.SafetyCaseSpec, error) {
	sc, err := safetycases.Get(string(v1alpha1.UnhealthyWorkload))
	if err != nil {
		return nil, fmt.Errorf("failed to read the shipped safety case: %w", err)
	}
	spec := sc.Spec.DeepCopy()
	spec.Trigger.For = metav1.Duration{Duration: Hold}
	spec.Budget.MaxActions = 5000
	spec.Budget.PerTarget = ptr.To[int32](1)
	spec.Budget.Window = metav1.Duration{Duration: time.Hour}
	spec.BlastRadius.MaxInFlight = 100
	spec.BlastRadius.MaxUnavailablePercent = 50
	spec.Reversal.TimeToReverse = metav1.Duration{Duration: 2 * time.Second}
	return spec, nil
}

// InstallAutomation creates the unhealthy-workload Automation, unsupervised,
// over the fixture's namespace, with SafetyCase inline.
func InstallAutomation(ctx context.Context, c client.Client) error {
	sc, err := SafetyCase()
	if err != nil {
		return err
	}
	a := &v1alpha1.Automation{
		ObjectMeta: metav1.ObjectMeta{Name: AutomationName, Namespace: contract.Namespace},
		Spec: v1alpha1.AutomationSpec{
			Type: v1alpha1.UnhealthyWorkload, Rung: string(v1alpha1.RungUnsupervised),
			Namespaces: []string{Namespace}, SafetyCase: sc,
			Runbook: "https://runbooks.example/" + AutomationName,
		},
	}
	if err := c.Create(ctx, a); err != nil {
		return fmt.Errorf("failed to create automation %s: %w", AutomationName, err)
	}
	return nil
}
