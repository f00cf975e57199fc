package scenarios

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/api/v1alpha1/validation"
)

// UseSafetyCaseFile replaces the safety cases of the scenario's automations
// with those in a safety-case file (see validation.LoadFile), so
// that an external remediator is graded against its own safety case. Each
// SafetyCase in the file replaces the safety case of the automation whose
// name, or else whose type, is its metadata.name; a file with one SafetyCase
// and a scenario with one automation go together whatever the names.
//
// Nothing changes unless every SafetyCase in the file is complete
// (validation.Validate) and applies to an automation, and the scenario is
// still valid afterwards (a rung must stay within the posture of the new
// safety case's action class); the error says what is wrong, with the file
// and field path.
func (s *Scenario) UseSafetyCaseFile(path string) error {
	docs, err := validation.LoadFile(path)
	if err != nil {
		return fmt.Errorf("failed to load safety case: %w", err)
	}
	var cases []*v1alpha1.SafetyCase
	var errs []string
	for _, d := range docs {
		if d.SafetyCase == nil {
			errs = append(errs, fmt.Sprintf("%s: document %d is a %s: want SafetyCase documents", path, d.Index, d.Kind))
			continue
		}
		for _, e := range validation.Validate(&d.SafetyCase.Spec, field.NewPath("spec")) {
			errs = append(errs, fmt.Sprintf("%s: %s", path, e.Error()))
		}
		cases = append(cases, d.SafetyCase)
	}
	if len(cases) == 0 && len(errs) == 0 {
		errs = append(errs, path+": no SafetyCase in the file")
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}

	next := s.Spec.Automations
	s.Spec.Automations = make([]Automation, len(next))
	copy(s.Spec.Automations, next)
	defer func() {
		if len(errs) > 0 {
			s.Spec.Automations = next
		}
	}()
	for _, sc := range cases {
		i := s.automationFor(sc.Name, len(cases) == 1)
		if i < 0 {
			errs = append(errs, fmt.Sprintf("%s: metadata.name: safety case %q is for no automation of the scenario: name it after one of %s", path, sc.Name, strings.Join(s.automationNames(), ", ")))
			continue
		}
		a := &s.Spec.Automations[i]
		a.SafetyCase, a.SafetyCaseSpec = "", sc.Spec.DeepCopy()
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	if err := Validate(s); err != nil {
		errs = append(errs, err.Error())
		return fmt.Errorf("scenario invalid with the safety case of %s: %w", path, err)
	}
	return nil
}

// automationFor returns the index of the automation a safety case named
// name applies to, or -1. alone says the file holds only this safety case.
func (s *Scenario) automationFor(name string, alone bool) int {
	for i, a := range s.Spec.Automations {
		if a.Name == name {
			return i
		}
	}
	for i, a := range s.Spec.Automations {
		if string(a.Type) == name {
			return i
		}
	}
	if alone && len(s.Spec.Automations) == 1 {
		return 0
	}
	return -1
}

func (s *Scenario) automationNames() []string {
	names := make([]string, len(s.Spec.Automations))
	for i, a := range s.Spec.Automations {
		names[i] = a.Name
	}
	return names
}
