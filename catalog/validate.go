package catalog

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
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

// fieldError is one problem in a catalog file, at a field path, on one line.
type fieldError struct {
	file, path, msg string
	cause           error
}

func (e *fieldError) Error() string {
	var b strings.Builder
	if e.file != "" {
		b.WriteString(e.file + ": ")
	}
	if e.path != "" {
		b.WriteString(e.path + ": ")
	}
	b.WriteString(e.msg)
	if e.cause != nil {
		// Decoder messages may span lines; keep one problem per line.
		b.WriteString(": " + strings.Join(strings.Fields(e.cause.Error()), " "))
	}
	return b.String()
}

func (e *fieldError) Unwrap() error { return e.cause }

// validator collects every problem in one file.
type validator struct {
	file string
	errs []error
}

func (v *validator) addf(path, format string, args ...any) {
	v.errs = append(v.errs, &fieldError{file: v.file, path: path, msg: fmt.Sprintf(format, args...)})
}

// required reports an empty value and returns whether s is set.
func (v *validator) required(path, s string) bool {
	if strings.TrimSpace(s) == "" {
		v.addf(path, "required")
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

// Validate checks a decoded entry and reports every problem, each prefixed
// with file and a field path, for example
// "patterns/storm.yaml: spec.incidents[1].source: must be an https URL".
// When file is not empty, metadata.name must equal its base name without
// ".yaml". The result is nil or joins one error per problem.
func Validate(p *FailurePattern, file string) error {
	v := &validator{file: file}
	if p.APIVersion != APIVersion {
		v.addf("apiVersion", "must be %q, got %q", APIVersion, p.APIVersion)
	}
	if p.Kind != Kind {
		v.addf("kind", "must be %q, got %q", Kind, p.Kind)
	}
	if name := p.Metadata.Name; v.required("metadata.name", name) {
		if !dnsLabel.MatchString(name) {
			v.addf("metadata.name", "must be a DNS label (lower-case letters, digits and '-'), got %q", name)
		}
		if file != "" && fileName(file) != name {
			v.addf("metadata.name", "must match the file name %q, got %q", fileName(file)+".yaml", name)
		}
	}
	s := &p.Spec
	v.oneLine("spec.title", s.Title)
	v.required("spec.description", s.Description)
	v.required("spec.arises.trigger", s.Arises.Trigger)
	v.required("spec.arises.sustainingEffect", s.Arises.SustainingEffect)

	if len(s.Defenses) == 0 {
		v.addf("spec.defenses", "at least one defense is required")
	}
	seenPath := map[string]int{}
	for i, d := range s.Defenses {
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

	if len(s.Incidents) == 0 {
		v.addf("spec.incidents", "at least one incident with a public source is required")
	}
	seenSource := map[string]int{}
	for i, inc := range s.Incidents {
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
		if v.required(at+".source", inc.Source) {
			if u, err := url.Parse(inc.Source); err != nil || u.Scheme != "https" || u.Host == "" {
				v.addf(at+".source", "must be an https URL, got %q", inc.Source)
			} else if j, dup := seenSource[inc.Source]; dup {
				v.addf(at+".source", "duplicate of spec.incidents[%d]", j)
			} else {
				seenSource[inc.Source] = i
			}
		}
	}

	seenScenario := map[string]int{}
	for i, name := range s.Scenarios {
		at := fmt.Sprintf("spec.scenarios[%d]", i)
		switch j, dup := seenScenario[name]; {
		case !dnsLabel.MatchString(name):
			v.addf(at, "must be a scenario name, a DNS label (lower-case letters, digits and '-'), got %q", name)
		case dup:
			v.addf(at, "duplicate of spec.scenarios[%d]", j)
		default:
			seenScenario[name] = i
		}
	}
	return errors.Join(v.errs...)
}

// decodeError turns a strict-decoding failure into errors with field paths
// where it can find them (unknown fields, wrong shapes), and otherwise
// reports the decoder's own message.
func decodeError(file string, data []byte, err error) error {
	var doc any
	if yaml.Unmarshal(data, &doc) == nil {
		v := &validator{file: file}
		checkShape(v, doc, reflect.TypeFor[FailurePattern](), "")
		if len(v.errs) > 0 {
			return errors.Join(v.errs...)
		}
	}
	return &fieldError{file: file, msg: "failed to decode", cause: err}
}

// checkShape walks a generic decoded document against the Go type it should
// decode into and reports unknown fields and values of the wrong shape.
func checkShape(v *validator, doc any, t reflect.Type, at string) {
	where := at
	if where == "" {
		where = "(document)"
	}
	if doc == nil {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := doc.(map[string]any)
		if !ok {
			v.addf(where, "must be a mapping")
			return
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			path := k
			if at != "" {
				path = at + "." + k
			}
			f, ok := jsonField(t, k)
			if !ok {
				v.addf(path, "unknown field")
				continue
			}
			checkShape(v, m[k], f.Type, path)
		}
	case reflect.Slice:
		l, ok := doc.([]any)
		if !ok {
			v.addf(where, "must be a list")
			return
		}
		for i, e := range l {
			checkShape(v, e, t.Elem(), fmt.Sprintf("%s[%d]", at, i))
		}
	case reflect.Int:
		if f, ok := doc.(float64); !ok || f != float64(int(f)) {
			v.addf(where, "must be an integer")
		}
	case reflect.String:
		switch doc.(type) {
		case map[string]any, []any:
			v.addf(where, "must be a string")
		}
	}
}

// jsonField finds the struct field that encoding/json would decode key into
// (exact JSON name first, then case-insensitively, as encoding/json does).
func jsonField(t reflect.Type, key string) (reflect.StructField, bool) {
	var fold *reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if name == key {
			return f, true
		}
		if fold == nil && strings.EqualFold(name, key) {
			fold = &f
		}
	}
	if fold != nil {
		return *fold, true
	}
	return reflect.StructField{}, false
}
