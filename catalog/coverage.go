package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Report says how well the scenarios cover the catalog and the catalog
// covers the scenarios. Links go both ways: a pattern lists the scenarios
// that reproduce it, and a scenario declares the patterns it reproduces; a
// link stated on either side counts.
type Report struct {
	// Patterns are the catalog entries with their scenarios, sorted by name.
	Patterns []PatternCoverage `json:"patterns"`
	// Scenarios are the existing scenarios with what they stand for, sorted by name.
	Scenarios []ScenarioCoverage `json:"scenarios"`
	// Uncovered are patterns that no existing scenario reproduces.
	Uncovered []string `json:"uncovered"`
	// MissingScenarios are scenarios a pattern lists that do not exist.
	MissingScenarios []Link `json:"missingScenarios"`
	// Orphans are existing scenarios that reproduce no known pattern.
	Orphans []string `json:"orphans"`
	// UnknownPatterns are patterns a scenario declares that are not in the catalog.
	UnknownPatterns []Link `json:"unknownPatterns"`
}

// Link pairs a pattern with a scenario.
type Link struct {
	// Pattern is the pattern's name.
	Pattern string `json:"pattern"`
	// Scenario is the scenario's name.
	Scenario string `json:"scenario"`
}

// PatternCoverage is one pattern and the scenarios linked to it.
type PatternCoverage struct {
	// Name is the pattern's name.
	Name string `json:"name"`
	// Title is the pattern's title.
	Title string `json:"title"`
	// Incidents is how many incidents the pattern cites.
	Incidents int `json:"incidents"`
	// Scenarios are the scenarios linked to the pattern, sorted by name.
	Scenarios []ScenarioRef `json:"scenarios"`
}

// ScenarioRef is a scenario as seen from a pattern.
type ScenarioRef struct {
	// Name is the scenario's name.
	Name string `json:"name"`
	// Exists says whether a scenario of that name exists.
	Exists bool `json:"exists"`
	// Listed says whether the pattern lists the scenario.
	Listed bool `json:"listed"`
	// Declared says whether the scenario declares the pattern.
	Declared bool `json:"declared"`
}

// ScenarioCoverage is one existing scenario and what it stands for.
type ScenarioCoverage struct {
	// Name is the scenario's name.
	Name string `json:"name"`
	// Patterns are the known patterns the scenario reproduces, sorted.
	Patterns []string `json:"patterns"`
	// Incidents are the incidents behind those patterns.
	Incidents []IncidentRef `json:"incidents"`
}

// IncidentRef is an incident cited by a pattern.
type IncidentRef struct {
	// Pattern is the pattern that cites the incident.
	Pattern string `json:"pattern"`
	// Year is the incident's Year.
	Year int `json:"year"`
	// Organization is the incident's Organization.
	Organization string `json:"organization"`
	// Source is the incident's Source.
	Source string `json:"source"`
}

// Coverage links patterns and scenarios. scenarios maps every existing
// scenario name to the pattern names it declares it reproduces (possibly
// none).
func Coverage(patterns []FailurePattern, scenarios map[string][]string) Report {
	r := Report{
		Patterns:         []PatternCoverage{},
		Scenarios:        []ScenarioCoverage{},
		Uncovered:        []string{},
		MissingScenarios: []Link{},
		Orphans:          []string{},
		UnknownPatterns:  []Link{},
	}
	byName := map[string]*FailurePattern{}
	for i := range patterns {
		byName[patterns[i].Name()] = &patterns[i]
	}
	// links[pattern][scenario] records which side states each link.
	links := map[string]map[string]*ScenarioRef{}
	link := func(pattern, scenario string) *ScenarioRef {
		if links[pattern] == nil {
			links[pattern] = map[string]*ScenarioRef{}
		}
		ref := links[pattern][scenario]
		if ref == nil {
			_, exists := scenarios[scenario]
			ref = &ScenarioRef{Name: scenario, Exists: exists}
			links[pattern][scenario] = ref
		}
		return ref
	}
	for _, p := range patterns {
		for _, s := range p.Spec.Scenarios {
			link(p.Name(), s).Listed = true
		}
	}
	for _, s := range slices.Sorted(maps.Keys(scenarios)) {
		for _, pn := range scenarios[s] {
			if byName[pn] == nil {
				r.UnknownPatterns = append(r.UnknownPatterns, Link{Pattern: pn, Scenario: s})
				continue
			}
			link(pn, s).Declared = true
		}
	}

	perScenario := map[string][]string{}
	for _, p := range sortedPatterns(patterns) {
		pc := PatternCoverage{Name: p.Name(), Title: p.Spec.Title, Incidents: len(p.Spec.Incidents), Scenarios: []ScenarioRef{}}
		covered := false
		for _, s := range slices.Sorted(maps.Keys(links[p.Name()])) {
			ref := *links[p.Name()][s]
			pc.Scenarios = append(pc.Scenarios, ref)
			if ref.Exists {
				covered = true
				perScenario[s] = append(perScenario[s], p.Name())
			} else {
				r.MissingScenarios = append(r.MissingScenarios, Link{Pattern: p.Name(), Scenario: s})
			}
		}
		if !covered {
			r.Uncovered = append(r.Uncovered, p.Name())
		}
		r.Patterns = append(r.Patterns, pc)
	}

	for _, s := range slices.Sorted(maps.Keys(scenarios)) {
		sc := ScenarioCoverage{Name: s, Patterns: []string{}, Incidents: []IncidentRef{}}
		for _, pn := range perScenario[s] {
			sc.Patterns = append(sc.Patterns, pn)
			for _, inc := range byName[pn].Spec.Incidents {
				sc.Incidents = append(sc.Incidents, IncidentRef{Pattern: pn, Year: inc.Year, Organization: inc.Organization, Source: inc.Source})
			}
		}
		if len(sc.Patterns) == 0 {
			r.Orphans = append(r.Orphans, s)
		}
		r.Scenarios = append(r.Scenarios, sc)
	}
	return r
}

// sortedPatterns returns patterns sorted by name without changing the caller's slice.
func sortedPatterns(patterns []FailurePattern) []FailurePattern {
	sorted := slices.Clone(patterns)
	slices.SortFunc(sorted, func(a, b FailurePattern) int { return strings.Compare(a.Name(), b.Name()) })
	return sorted
}

// Gaps describes every gap in the report, one line each: patterns no
// existing scenario reproduces, scenarios a pattern lists that do not exist,
// scenarios that reproduce no pattern, and patterns a scenario declares that
// are not in the catalog. It is empty when coverage is complete.
func (r Report) Gaps() []string {
	gaps := []string{}
	for _, p := range r.Uncovered {
		gaps = append(gaps, fmt.Sprintf("pattern %q has no existing scenario", p))
	}
	for _, l := range r.MissingScenarios {
		gaps = append(gaps, fmt.Sprintf("pattern %q lists scenario %q, which does not exist", l.Pattern, l.Scenario))
	}
	for _, s := range r.Orphans {
		gaps = append(gaps, fmt.Sprintf("scenario %q reproduces no pattern", s))
	}
	for _, l := range r.UnknownPatterns {
		gaps = append(gaps, fmt.Sprintf("scenario %q declares pattern %q, which is not in the catalog", l.Scenario, l.Pattern))
	}
	return gaps
}
