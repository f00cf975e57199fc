package catalog_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/interlock-dev/interlock/catalog"
)

// pattern builds a minimal pattern listing the given scenarios.
func pattern(name string, incidents int, scenarios ...string) catalog.FailurePattern {
	p := catalog.FailurePattern{APIVersion: catalog.APIVersion, Kind: catalog.Kind}
	p.Metadata.Name = name
	p.Spec.Title = "Title of " + name
	p.Spec.Scenarios = scenarios
	for i := range incidents {
		p.Spec.Incidents = append(p.Spec.Incidents, catalog.Incident{
			Year: 2020 + i, Organization: "Org " + name, Summary: "Happened.", Source: "https://example.com/" + name,
		})
	}
	return p
}

// coveragePatterns are the patterns of coverageCases.
var coveragePatterns = []catalog.FailurePattern{
	pattern("storm", 2, "storm", "crash-mid-storm"),
	pattern("failover", 1, "node-loss"),
	pattern("unlisted", 1),
	pattern("declared-only", 1),
}

// coverageCases are scenarios, the patterns they declare, and the gaps
// Coverage finds between them and coveragePatterns.
var coverageCases = map[string]struct {
	scenarios map[string][]string
	wantGaps  []string
	check     func(t *testing.T, r catalog.Report)
}{
	"gaps of every kind": {
		scenarios: map[string][]string{
			"storm":      {"storm"},
			"node-loss":  nil, // listed by failover, declares nothing
			"bad-deploy": nil,
			"cert":       {"no-such-pattern", "declared-only"},
		},
		wantGaps: []string{
			`pattern "unlisted" has no existing scenario`,
			`pattern "storm" lists scenario "crash-mid-storm", which does not exist`,
			`scenario "bad-deploy" reproduces no pattern`,
			`scenario "cert" declares pattern "no-such-pattern", which is not in the catalog`,
		},
		check: func(t *testing.T, r catalog.Report) {
			var storm catalog.PatternCoverage
			for _, p := range r.Patterns {
				if p.Name == "storm" {
					storm = p
				}
			}
			want := []catalog.ScenarioRef{
				{Name: "crash-mid-storm", Exists: false, Listed: true},
				{Name: "storm", Exists: true, Listed: true, Declared: true},
			}
			if !slices.Equal(storm.Scenarios, want) {
				t.Errorf("storm scenarios = %+v, want %+v", storm.Scenarios, want)
			}
			if storm.Incidents != 2 {
				t.Errorf("storm incidents = %d, want 2", storm.Incidents)
			}
			names := []string{}
			for _, s := range r.Scenarios {
				names = append(names, s.Name)
			}
			if want := []string{"bad-deploy", "cert", "node-loss", "storm"}; !slices.Equal(names, want) {
				t.Errorf("scenarios = %v, want %v", names, want)
			}
			for _, s := range r.Scenarios {
				switch s.Name {
				case "node-loss":
					if !slices.Equal(s.Patterns, []string{"failover"}) || len(s.Incidents) != 1 || s.Incidents[0].Pattern != "failover" {
						t.Errorf("node-loss = %+v, want pattern failover with its one incident", s)
					}
				case "cert":
					if !slices.Equal(s.Patterns, []string{"declared-only"}) {
						t.Errorf("cert patterns = %v, want [declared-only]", s.Patterns)
					}
				case "storm":
					if len(s.Incidents) != 2 || s.Incidents[1].Year != 2021 || s.Incidents[0].Source != "https://example.com/storm" {
						t.Errorf("storm incidents = %+v", s.Incidents)
					}
				}
			}
		},
	},
	"complete coverage": {
		scenarios: map[string][]string{
			"storm":           {"storm"},
			"crash-mid-storm": nil,
			"node-loss":       {"failover"},
			"unlisted":        {"unlisted"},
			"declared":        {"declared-only"},
		},
		wantGaps: []string{},
	},
	"no scenarios at all": {
		scenarios: map[string][]string{},
		wantGaps: []string{
			`pattern "declared-only" has no existing scenario`,
			`pattern "failover" has no existing scenario`,
			`pattern "storm" has no existing scenario`,
			`pattern "unlisted" has no existing scenario`,
			`pattern "failover" lists scenario "node-loss", which does not exist`,
			`pattern "storm" lists scenario "crash-mid-storm", which does not exist`,
			`pattern "storm" lists scenario "storm", which does not exist`,
		},
	},
}

func TestCoverage(t *testing.T) {
	for name, tc := range coverageCases {
		t.Run(name, func(t *testing.T) {
			r := catalog.Coverage(coveragePatterns, tc.scenarios)
			if got := r.Gaps(); !slices.Equal(got, tc.wantGaps) {
				t.Errorf("Gaps() =\n%q\nwant\n%q", got, tc.wantGaps)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
			if _, err := json.Marshal(r); err != nil {
				t.Errorf("report does not encode as JSON: %v", err)
			}
		})
	}
}

// TestCoverageOfShippedCatalog checks the shipped catalog against the
// scenario names it lists itself: every pattern lists a scenario, so there
// is no gap.
func TestCoverageOfShippedCatalog(t *testing.T) {
	all, err := catalog.All()
	if err != nil {
		t.Fatal(err)
	}
	scenarios := map[string][]string{}
	for _, p := range all {
		for _, s := range p.Spec.Scenarios {
			scenarios[s] = append(scenarios[s], p.Name())
		}
	}
	r := catalog.Coverage(all, scenarios)
	if got := r.Gaps(); len(got) > 0 {
		t.Errorf("Gaps() = %q, want none", got)
	}
}
