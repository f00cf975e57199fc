package catalog

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/interlock-dev/interlock/internal/manifest"
)

// Plausible incident years.
const (
	MinYear = 1990
	MaxYear = 2026
)

// safetyCasePaths are the safety-case field paths a defense may name. They
// follow the JSON names of the SafetyCaseSpec type in api/v1alpha1.
var safetyCasePaths = []string{
	"owner",
	"trigger.condition",
	"trigger.for",
	"trigger.falsePositiveModes",
	"trigger.falseNegativeModes",
	"action.class",
	"action.worstCaseBlastRadius",
	"reversal.procedure",
	"reversal.timeToReverse",
	"budget.maxActions",
	"budget.window",
	"budget.perTarget",
	"budget.pageWithin",
	"blastRadius.maxInFlight",
	"blastRadius.maxUnavailablePercent",
	"healthGate",
	"healthGate.progressDeadline",
	"healthGate.minAvailablePercent",
	"telemetry",
}

// SafetyCasePaths returns the safety-case field paths a Defense may name.
func SafetyCasePaths() []string { return slices.Clone(safetyCasePaths) }

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

// Validate checks a decoded entry and reports every problem, each prefixed
// with file and a field path, for example
// "patterns/storm.yaml: spec.incidents[1].source: must be an https URL".
// When file is not empty, metadata.name must equal its base name without
// ".yaml". The result is nil or a *manifest.Error with one line per problem.
func Validate(p *FailurePattern, file string) error {
	e := &manifest.Error{File: file}
	e.Add(validate(p, file)...)
	return e.Err()
}

// validate returns every problem in p.
func validate(p *FailurePattern, file string) field.ErrorList {
	v := &validator{errs: Format.Head(p.APIVersion, p.Kind)}
	v.metadata(p.Metadata.Name, file)
	s := &p.Spec
	v.oneLine("spec.title", s.Title)
	v.required("spec.description", s.Description)
	v.required("spec.arises.trigger", s.Arises.Trigger)
	v.required("spec.arises.sustainingEffect", s.Arises.SustainingEffect)
	v.defenses(s.Defenses)
	v.incidents(s.Incidents)
	v.scenarios(s.Scenarios)
	return v.errs
}

// validator collects every problem in one entry.
type validator struct {
	errs field.ErrorList
}

func (v *validator) addf(path, format string, args ...any) {
	v.errs = append(v.errs, &field.Error{Type: field.ErrorTypeInvalid, Field: path, BadValue: field.OmitValueType{}, Detail: fmt.Sprintf(format, args...)})
}

// required reports an empty value and returns whether s is set.
func (v *validator) required(path, s string) bool {
	if strings.TrimSpace(s) == "" {
		v.errs = append(v.errs, &field.Error{Type: field.ErrorTypeRequired, Field: path, BadValue: "", Detail: "required"})
		return false
	}
	return true
}

// oneLine reports a required value that is empty or spans several lines.
func (v *validator) oneLine(path, s string) {
	if v.required(path, s) && strings.ContainsAny(strings.TrimSpace(s), "\r\n") {
		v.addf(path, "must be one line")
	}
}

// metadata checks the entry's name: a DNS label, and its file's name.
func (v *validator) metadata(name, file string) {
	if !v.required("metadata.name", name) {
		return
	}
	if !dnsLabel.MatchString(name) {
		v.addf("metadata.name", "must be a DNS label (lower-case letters, digits and '-'), got %q", name)
	}
	if file != "" && fileName(file) != name {
		v.addf("metadata.name", "must match the file name %q, got %q", fileName(file)+".yaml", name)
	}
}

// defenses checks that there is a defense and that each names a distinct
// safety-case field and why it defends.
func (v *validator) defenses(defenses []Defense) {
	if len(defenses) == 0 {
		v.addf("spec.defenses", "at least one defense is required")
	}
	seenPath := map[string]int{}
	for i, d := range defenses {
		at := fmt.Sprintf("spec.defenses[%d]", i)
		if v.required(at+".path", d.Path) {
			switch j, dup := seenPath[d.Path]; {
			case !slices.Contains(safetyCasePaths, d.Path):
				v.addf(at+".path", "unknown safety-case field %q; must be one of %s", d.Path, strings.Join(safetyCasePaths, ", "))
			case dup:
				v.addf(at+".path", "duplicate of spec.defenses[%d]", j)
			default:
				seenPath[d.Path] = i
			}
		}
		v.oneLine(at+".why", d.Why)
	}
}

// incidents checks that there is an incident and that each is dated,
// summed up in one sentence and backed by its own public https source.
func (v *validator) incidents(incidents []Incident) {
	if len(incidents) == 0 {
		v.addf("spec.incidents", "at least one incident with a public source is required")
	}
	seenSource := map[string]int{}
	for i, inc := range incidents {
		at := fmt.Sprintf("spec.incidents[%d]", i)
		if inc.Year < MinYear || inc.Year > MaxYear {
			v.addf(at+".year", "must be between %d and %d, got %d", MinYear, MaxYear, inc.Year)
		}
		if inc.YearBasis != "" && inc.YearBasis != YearOfIncident && inc.YearBasis != YearOfPublication {
			v.addf(at+".yearBasis", "must be %q or %q, got %q", YearOfIncident, YearOfPublication, inc.YearBasis)
		}
		v.oneLine(at+".organization", inc.Organization)
		v.oneLine(at+".summary", inc.Summary)
		if sum := strings.TrimSpace(inc.Summary); sum != "" && !strings.HasSuffix(sum, ".") {
			v.addf(at+".summary", "must be one sentence ending with a period")
		}
		if !v.required(at+".source", inc.Source) {
			continue
		}
		if u, err := url.Parse(inc.Source); err != nil || u.Scheme != "https" || u.Host == "" {
			v.addf(at+".source", "must be an https URL, got %q", inc.Source)
		} else if j, dup := seenSource[inc.Source]; dup {
			v.addf(at+".source", "duplicate of spec.incidents[%d]", j)
		} else {
			seenSource[inc.Source] = i
		}
	}
}

// scenarios checks that each scenario named is a distinct DNS label.
func (v *validator) scenarios(names []string) {
	seen := map[string]int{}
	for i, name := range names {
		at := fmt.Sprintf("spec.scenarios[%d]", i)
		switch j, dup := seen[name]; {
		case !dnsLabel.MatchString(name):
			v.addf(at, "must be a scenario name, a DNS label (lower-case letters, digits and '-'), got %q", name)
		case dup:
			v.addf(at, "duplicate of spec.scenarios[%d]", j)
		default:
			seen[name] = i
		}
	}
}
