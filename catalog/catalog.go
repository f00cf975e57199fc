package catalog

import (
	"embed"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/interlock-dev/interlock/internal/manifest"
)

// APIVersion and Kind identify a catalog entry file.
const (
	APIVersion = "interlock.dev/v1alpha1"
	Kind       = "FailurePattern"
)

// ErrNotFound is returned by Get for a name that is not in the catalog.
var ErrNotFound = errors.New("no such failure pattern")

//go:embed patterns/*.yaml
var patternFiles embed.FS

// patterns is the set of embedded catalog entries.
var patterns = manifest.Set{FS: patternFiles, Dir: "patterns", NotFound: ErrNotFound, Noun: "patterns"}

// Format is the format of a catalog entry file: one FailurePattern document.
var Format = &manifest.Format{
	Want:  "a " + Kind + " of apiVersion " + APIVersion,
	Kinds: []manifest.Kind{{APIVersion: APIVersion, Kind: Kind, New: func() any { return &FailurePattern{} }}},
}

// FailurePattern is one catalog entry: a way automation goes wrong, the
// public incidents in which it did, the safety-case elements that defend
// against it, and the scenarios that reproduce it.
type FailurePattern struct {
	// APIVersion must be APIVersion.
	APIVersion string `json:"apiVersion"`
	// Kind must be Kind.
	Kind string `json:"kind"`
	// Metadata names the entry.
	Metadata Metadata `json:"metadata"`
	// Spec is the entry itself.
	Spec Spec `json:"spec"`
}

// Name returns the pattern's name, which is also its file name without ".yaml".
func (p *FailurePattern) Name() string { return p.Metadata.Name }

// Metadata names a catalog entry.
type Metadata struct {
	// Name is a DNS label, equal to the file name without ".yaml".
	Name string `json:"name"`
}

// Spec describes a failure pattern.
type Spec struct {
	// Title is a short human name, one line.
	Title string `json:"title"`
	// Description explains the pattern.
	Description string `json:"description"`
	// Arises says how the pattern starts and what keeps it going.
	Arises Arises `json:"arises"`
	// Defenses are the safety-case elements that defend against the pattern.
	Defenses []Defense `json:"defenses"`
	// Incidents are public incidents in which the pattern occurred. At least one is required.
	Incidents []Incident `json:"incidents"`
	// Scenarios name the scenario files that reproduce the pattern.
	Scenarios []string `json:"scenarios,omitempty"`
}

// Arises is how a pattern comes about, in the terms of metastable failures:
// a trigger pushes the system over, and a sustaining effect keeps it there
// after the trigger is gone.
type Arises struct {
	// Trigger is what starts the pattern.
	Trigger string `json:"trigger"`
	// SustainingEffect is what keeps it going.
	SustainingEffect string `json:"sustainingEffect"`
}

// Defense is one safety-case element that defends against a pattern.
type Defense struct {
	// Path is a safety-case field path, one of SafetyCasePaths.
	Path string `json:"path"`
	// Why says in one line how the element defends.
	Why string `json:"why"`
}

// Year bases for Incident.YearBasis.
const (
	// YearOfIncident means Year is when the incident happened (the default).
	YearOfIncident = "incident"
	// YearOfPublication means the source does not date the incident and Year
	// is when the source was published.
	YearOfPublication = "published"
)

// Incident is a public incident in which a pattern occurred.
type Incident struct {
	// Year is the year of the incident, or of its source when YearBasis is
	// YearOfPublication.
	Year int `json:"year"`
	// YearBasis says what Year dates: YearOfIncident (default when empty) or
	// YearOfPublication.
	YearBasis string `json:"yearBasis,omitempty"`
	// Organization is whose systems were involved.
	Organization string `json:"organization"`
	// Summary is one sentence, in the catalog's own words.
	Summary string `json:"summary"`
	// Source is an https link to the public account of the incident.
	Source string `json:"source"`
}

// All returns every embedded catalog entry, validated and sorted by name.
func All() ([]FailurePattern, error) {
	names := patterns.Names()
	if len(names) == 0 {
		return nil, errors.New("failed to load catalog: no patterns/*.yaml files")
	}
	var (
		all  []FailurePattern
		errs []error
	)
	for _, name := range names {
		p, err := Get(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		all = append(all, p)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("failed to load catalog: %w", err)
	}
	slices.SortFunc(all, func(a, b FailurePattern) int { return strings.Compare(a.Name(), b.Name()) })
	return all, nil
}

// Get returns the embedded catalog entry with the given name, validated.
// For an unknown name the error wraps ErrNotFound and names the known
// patterns.
func Get(name string) (FailurePattern, error) {
	file, data, err := patterns.Read(name)
	if err != nil {
		return FailurePattern{}, err
	}
	return Parse(file, data)
}

// Parse decodes one catalog entry strictly (see Format: unknown, duplicated
// or mistyped fields are errors) and validates it. file is the path used in
// error messages and the one whose base name must equal metadata.name, such
// as "patterns/storm.yaml". The error is a *manifest.Error with every
// problem, one per line: those of decoding, then those Validate finds.
func Parse(file string, data []byte) (FailurePattern, error) {
	docs, err := Format.Decode(file, data)
	if len(docs) == 0 {
		return FailurePattern{}, err
	}
	p := docs[0].Object.(*FailurePattern)
	e := &manifest.Error{File: file}
	e.Add(manifest.Fields(err)...)
	e.Add(validate(p, file)...)
	if err := e.Err(); err != nil {
		return FailurePattern{}, err
	}
	return *p, nil
}

// fileName returns the pattern name a file must carry: its base name without ".yaml".
func fileName(file string) string {
	return strings.TrimSuffix(path.Base(file), ".yaml")
}
