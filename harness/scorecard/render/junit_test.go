package render_test

import (
	"bytes"
	"encoding/xml"
	"reflect"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/harness/scorecard/render"
)

// junit mirrors the JUnit XML the way a CI system reads it.
type junit struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Time     string `xml:"time,attr"`
		Cases    []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitParses(t *testing.T) {
	tests := map[string]struct {
		s                                *scorecard.Scorecard
		tests, failures, errors, skipped int
		failed                           []string // names of failed cases
		errored                          []string // names of errored cases
		skips                            []string // name: message of skipped cases
	}{
		"storm": {s: newScorecard(stormRun), tests: 7, failures: 1, errors: 0, skipped: 2, failed: []string{"halted-and-paged"},
			skips: []string{"reversal-measured: safetyCase.reversal.timeToReverse is not stated", "max-false-negatives: the scenario states no limit for false negatives"}},
		"error": {s: newScorecard(errorRun), tests: 2, failures: 0, errors: 1, skipped: 1, errored: []string{"run"},
			skips: []string{"did-no-harm: no baseline run to compare with (run with --baseline)"}},
		"hostile": {s: newScorecard(hostileRun), tests: 10, failures: 1, errors: 2, skipped: 3},
		"zero":    {s: &scorecard.Scorecard{}, tests: 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := render.WriteJUnit(&buf, tc.s); err != nil {
				t.Fatal(err)
			}
			var got junit
			dec := xml.NewDecoder(&buf)
			dec.Strict = true
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("JUnit output does not parse: %v\n%s", err, buf.String())
			}
			if len(got.Suites) != 1 {
				t.Fatalf("got %d test suites, want 1", len(got.Suites))
			}
			suite := got.Suites[0]
			scenario := xmlText(tc.s.Scenario)
			if suite.Name != scenario {
				t.Errorf("suite name = %q, want %q", suite.Name, scenario)
			}
			if suite.Tests != tc.tests || suite.Failures != tc.failures || suite.Errors != tc.errors || suite.Skipped != tc.skipped ||
				got.Tests != tc.tests || got.Failures != tc.failures || got.Errors != tc.errors || got.Skipped != tc.skipped {
				t.Errorf("counts: suite %d/%d/%d/%d, root %d/%d/%d/%d; want %d/%d/%d/%d",
					suite.Tests, suite.Failures, suite.Errors, suite.Skipped, got.Tests, got.Failures, got.Errors, got.Skipped,
					tc.tests, tc.failures, tc.errors, tc.skipped)
			}
			if len(suite.Cases) != tc.tests {
				t.Fatalf("got %d test cases, want %d", len(suite.Cases), tc.tests)
			}
			var failed, errored, skips []string
			for _, c := range suite.Cases {
				if c.Skipped != nil {
					skips = append(skips, c.Name+": "+c.Skipped.Message)
					if c.Failure != nil || c.Error != nil {
						t.Errorf("skipped case %q also failed or errored", c.Name)
					}
				}
				if c.Classname != "interlock."+scenario {
					t.Errorf("classname = %q, want %q", c.Classname, "interlock."+scenario)
				}
				if c.Failure != nil {
					failed = append(failed, c.Name)
					if !strings.Contains(c.Failure.Body, "measured:") || !strings.Contains(c.Failure.Body, "evidence:") {
						t.Errorf("failure body lacks measured/evidence: %q", c.Failure.Body)
					}
				}
				if c.Error != nil {
					errored = append(errored, c.Name)
				}
			}
			if tc.failed != nil && !reflect.DeepEqual(failed, tc.failed) {
				t.Errorf("failed cases = %q, want %q", failed, tc.failed)
			}
			if tc.errored != nil && !reflect.DeepEqual(errored, tc.errored) {
				t.Errorf("errored cases = %q, want %q", errored, tc.errored)
			}
			if tc.skips != nil && !reflect.DeepEqual(skips, tc.skips) {
				t.Errorf("skipped cases = %q, want %q", skips, tc.skips)
			}
			if len(skips) != tc.skipped {
				t.Errorf("%d skipped cases, want %d", len(skips), tc.skipped)
			}
		})
	}
}

// xmlText is s as it reads back from XML: characters XML cannot hold are U+FFFD.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return '\uFFFD'
		}
		return r
	}, s)
}
