package render

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// junitSuites is the JUnit XML root as CI systems (Jenkins, GitLab, GitHub
// test reporters) read it.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  *junitText      `xml:"system-out"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitSkipped `xml:"skipped"`
}

// junitSkipped marks a test case that was not run, with the reason.
type junitSkipped struct {
	Message string `xml:"message,attr"`
	Body    string `xml:",cdata"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

type junitText struct {
	Body string `xml:",cdata"`
}

// junitRunCase is the name of the test case that carries a run-level error.
const junitRunCase = "run"

// WriteJUnit writes s as JUnit XML: a <testsuites> root holding one
// <testsuite> named after the scenario, with one <testcase> per assertion
// (classname "interlock.<scenario>"), a <failure> for each failed assertion
// and an <error> for each errored one. Each skipped assertion is a test case
// of its own holding <skipped message="REASON"> (its automation and source in
// the body), counted in the suite's
// skipped attribute. If the run reported an Error, or has no assertions, a
// test case named "run" carries it. Measured figure, limit
// and evidence are in the element's body, a CDATA section; the timeline is
// in <system-out>.
// Characters that XML cannot hold are replaced with U+FFFD. s is not modified.
func WriteJUnit(w io.Writer, s *scorecard.Scorecard) error {
	suite := newJUnitSuite(s)
	root := junitSuites{
		Name:     "interlock",
		Tests:    suite.Tests,
		Failures: suite.Failures,
		Errors:   suite.Errors,
		Skipped:  suite.Skipped,
		Time:     suite.Time,
		Suites:   []junitSuite{suite},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("failed to write JUnit XML: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return fmt.Errorf("failed to write JUnit XML: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("failed to write JUnit XML: %w", err)
	}
	return nil
}

// newJUnitSuite is the test suite of s: its properties, its test cases
// with their counts, and its timeline as <system-out>.
func newJUnitSuite(s *scorecard.Scorecard) junitSuite {
	suite := junitSuite{
		Name: s.Scenario,
		Time: junitSeconds(s.DurationSeconds),
		Properties: []junitProperty{
			{Name: "verdict", Value: string(s.Verdict)},
			{Name: "provider", Value: s.Provider},
			{Name: "remediator", Value: s.Remediator},
			{Name: "identity", Value: s.Identity},
			{Name: "baseline", Value: strconv.FormatBool(s.Baseline)},
		},
	}
	if s.Description != "" {
		suite.Properties = append(suite.Properties, junitProperty{Name: "description", Value: s.Description})
	}
	if !s.StartedAt.IsZero() {
		suite.Timestamp = s.StartedAt.UTC().Format("2006-01-02T15:04:05")
	}
	if c := s.Comparison; c != nil {
		suite.Properties = append(suite.Properties,
			junitProperty{Name: "availabilityWithout", Value: strconv.FormatFloat(c.AvailabilityWithout, 'f', -1, 64)},
			junitProperty{Name: "availabilityWith", Value: strconv.FormatFloat(c.AvailabilityWith, 'f', -1, 64)})
	}
	suite.addCases(s)
	if len(s.Timeline) > 0 {
		origin := s.Origin()
		var b strings.Builder
		for _, e := range s.Timeline {
			fmt.Fprintf(&b, "%s %-8s %s\n", formatOffset(e.Time, origin), e.Kind, e.Message)
		}
		suite.SystemOut = &junitText{Body: xmlSafe(b.String())}
	}
	return suite
}

// addCases adds a test case for each assertion, one for each skipped
// assertion, and one named "run" for a run error or a run with no
// assertions, and counts them.
func (suite *junitSuite) addCases(s *scorecard.Scorecard) {
	class := "interlock." + s.Scenario
	for _, a := range s.Assertions {
		tc := junitCase{Classname: class, Name: a.Name, Time: junitSeconds(0)}
		switch a.Verdict {
		case scorecard.VerdictPass:
		case scorecard.VerdictFail:
			tc.Failure = &junitProblem{Message: assertionMessage(a), Type: string(scorecard.VerdictFail), Body: xmlSafe(assertionBody(a))}
			suite.Failures++
		default:
			tc.Error = &junitProblem{Message: assertionMessage(a), Type: string(scorecard.VerdictError), Body: xmlSafe(assertionBody(a))}
			suite.Errors++
		}
		suite.Cases = append(suite.Cases, tc)
	}
	for _, k := range s.Skipped {
		suite.Cases = append(suite.Cases, junitCase{Classname: class, Name: k.Name, Time: junitSeconds(0),
			Skipped: &junitSkipped{Message: k.Reason, Body: xmlSafe(skipBody(k))}})
		suite.Skipped++
	}
	if s.Error != "" || len(s.Assertions) == 0 {
		tc := junitCase{Classname: class, Name: junitRunCase, Time: junitSeconds(s.DurationSeconds)}
		if s.Error != "" {
			tc.Error = &junitProblem{Message: firstLine(s.Error), Type: string(scorecard.VerdictError), Body: xmlSafe(s.Error)}
			suite.Errors++
		}
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Tests = len(suite.Cases)
}

// junitSeconds prints seconds as JUnit's time attribute expects.
func junitSeconds(f float64) string {
	return strconv.FormatFloat(seconds(f).Seconds(), 'f', 3, 64)
}

// assertionMessage is a one-line summary of an assertion's outcome.
func assertionMessage(a scorecard.Assertion) string {
	return fmt.Sprintf("measured %s, limit %s", orNone(a.Measured), orNone(a.Limit))
}

// skipBody names a skipped assertion's automation and the field its limit
// would come from, when known: a test case name alone cannot tell two
// automations' skips apart.
func skipBody(k scorecard.Skip) string {
	var b strings.Builder
	if k.Automation != "" {
		fmt.Fprintf(&b, "automation: %s\n", k.Automation)
	}
	if k.Source != "" {
		fmt.Fprintf(&b, "source:     %s\n", k.Source)
	}
	return b.String()
}

// assertionBody spells out an assertion for a CI log.
func assertionBody(a scorecard.Assertion) string {
	var b strings.Builder
	fmt.Fprintf(&b, "measured: %s\nlimit:    %s\nevidence: %s\n", a.Measured, a.Limit, a.Evidence)
	if a.Source != "" {
		fmt.Fprintf(&b, "source:   %s\n", a.Source)
	}
	if a.Automation != "" {
		fmt.Fprintf(&b, "automation: %s\n", a.Automation)
	}
	return b.String()
}

// xmlSafe replaces what XML cannot hold with U+FFFD. Character data and
// attributes are escaped by encoding/xml, but CDATA sections are not.
func xmlSafe(s string) string {
	return string(printable([]byte(s)))
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
