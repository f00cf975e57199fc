package scorecard_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// writers are the renderers, keyed by the golden file suffix.
var writers = []struct {
	ext   string
	write func(io.Writer, *scorecard.Scorecard) error
}{
	{"json", scorecard.WriteJSON},
	{"xml", scorecard.WriteJUnit},
	{"md", scorecard.WriteMarkdown},
	{"html", scorecard.WriteHTML},
}

// fixtures are the golden scorecards.
var fixtures = map[string]func() *scorecard.Scorecard{
	"storm": func() *scorecard.Scorecard { return newScorecard(stormRun) },
	"error": func() *scorecard.Scorecard { return newScorecard(errorRun) },
}

func TestGolden(t *testing.T) {
	for name, fixture := range fixtures {
		for _, w := range writers {
			t.Run(name+"."+w.ext, func(t *testing.T) {
				var buf bytes.Buffer
				if err := w.write(&buf, fixture()); err != nil {
					t.Fatalf("failed to render: %v", err)
				}
				path := filepath.Join("testdata", name+"."+w.ext+".golden")
				if *update {
					if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("failed to read golden file (run with -update to create it): %v", err)
				}
				if got := buf.String(); got != string(want) {
					t.Errorf("%s differs from %s (run with -update to rewrite it):\n%s", w.ext, path, firstDiff(got, string(want)))
				}
			})
		}
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return "(no line differs)"
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestFinalize(t *testing.T) {
	pass := scorecard.Assertion{Name: "a", Verdict: scorecard.VerdictPass}
	fail := scorecard.Assertion{Name: "b", Verdict: scorecard.VerdictFail}
	errd := scorecard.Assertion{Name: "c", Verdict: scorecard.VerdictError}
	odd := scorecard.Assertion{Name: "d", Verdict: "maybe"}
	tests := map[string]struct {
		assertions []scorecard.Assertion
		err        string
		verdict    scorecard.Verdict
		exit       int
		wantErr    string
	}{
		"all pass":                {assertions: []scorecard.Assertion{pass, pass}, verdict: scorecard.VerdictPass, exit: 0},
		"one fails":               {assertions: []scorecard.Assertion{pass, fail}, verdict: scorecard.VerdictFail, exit: 1},
		"one errors":              {assertions: []scorecard.Assertion{pass, errd}, verdict: scorecard.VerdictError, exit: 2},
		"unknown verdict errors":  {assertions: []scorecard.Assertion{pass, odd}, verdict: scorecard.VerdictError, exit: 2},
		"run error":               {assertions: []scorecard.Assertion{pass}, err: "boom", verdict: scorecard.VerdictError, exit: 2, wantErr: "boom"},
		"fail beats error":        {assertions: []scorecard.Assertion{errd, fail}, err: "boom", verdict: scorecard.VerdictFail, exit: 1, wantErr: "boom"},
		"no assertions is error":  {verdict: scorecard.VerdictError, exit: 2, wantErr: scorecard.ErrNoAssertions},
		"run error, no assertion": {err: "boom", verdict: scorecard.VerdictError, exit: 2, wantErr: "boom"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := &scorecard.Scorecard{Assertions: tc.assertions, Error: tc.err, Verdict: scorecard.VerdictPass}
			s.Finalize()
			if s.Verdict != tc.verdict {
				t.Errorf("Verdict = %q, want %q", s.Verdict, tc.verdict)
			}
			if got := s.ExitCode(); got != tc.exit {
				t.Errorf("ExitCode() = %d, want %d", got, tc.exit)
			}
			if s.Error != tc.wantErr {
				t.Errorf("Error = %q, want %q", s.Error, tc.wantErr)
			}
		})
	}
}

func TestFinalizeSortsAndFillsLists(t *testing.T) {
	s := &scorecard.Scorecard{
		Assertions: []scorecard.Assertion{{Name: "a", Verdict: scorecard.VerdictPass}},
		Timeline:   []scorecard.Event{{Time: at(3), Message: "c"}, {Time: at(1), Message: "a"}, {Time: at(1), Message: "b"}},
		Ledger:     []scorecard.LedgerEntry{{Time: at(9), Name: "late"}, {Time: at(2), Name: "early"}},
		Pages:      []scorecard.Page{{Time: at(1)}},
	}
	s.Finalize()
	var msgs []string
	for _, e := range s.Timeline {
		msgs = append(msgs, e.Message)
	}
	if got := strings.Join(msgs, ","); got != "a,b,c" {
		t.Errorf("Timeline order = %s, want a,b,c (stable by time)", got)
	}
	if s.Ledger[0].Name != "early" {
		t.Errorf("Ledger[0] = %q, want early", s.Ledger[0].Name)
	}
	if s.Faults == nil || s.Truth.Samples == nil || s.Truth.FalsePositives == nil || s.Budgets == nil || s.Pages[0].Labels == nil {
		t.Error("Finalize left a nil list or map")
	}
	var buf bytes.Buffer
	if err := scorecard.WriteJSON(&buf, &scorecard.Scorecard{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "null") {
		t.Errorf("JSON of an empty scorecard holds null:\n%s", buf.String())
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for name, fixture := range fixtures {
		t.Run(name, func(t *testing.T) {
			s := fixture()
			var first bytes.Buffer
			if err := scorecard.WriteJSON(&first, s); err != nil {
				t.Fatal(err)
			}
			var back scorecard.Scorecard
			dec := json.NewDecoder(bytes.NewReader(first.Bytes()))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&back); err != nil {
				t.Fatalf("failed to decode: %v", err)
			}
			if !reflect.DeepEqual(&back, s) {
				t.Errorf("decoded scorecard differs from the original:\n got %+v\nwant %+v", back, *s)
			}
			var second bytes.Buffer
			if err := scorecard.WriteJSON(&second, &back); err != nil {
				t.Fatal(err)
			}
			if first.String() != second.String() {
				t.Errorf("JSON changed on a round trip:\n%s", firstDiff(second.String(), first.String()))
			}
		})
	}
}

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
			if err := scorecard.WriteJUnit(&buf, tc.s); err != nil {
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

// decodeXML checks that doc is well-formed XML and returns the number of
// elements named name.
func decodeXML(t *testing.T, doc, name string) int {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	dec.Strict = true
	n := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == name {
			n++
		}
	}
}

func TestHTMLStructure(t *testing.T) {
	tests := map[string]*scorecard.Scorecard{
		"storm":   newScorecard(stormRun),
		"error":   newScorecard(errorRun),
		"hostile": newScorecard(hostileRun),
		"zero":    {},
		"one instant": newScorecard(func(s *scorecard.Scorecard) {
			s.DurationSeconds = 0
			s.Assertions = []scorecard.Assertion{{Name: "a", Verdict: scorecard.VerdictPass}}
			s.Ledger = []scorecard.LedgerEntry{{Time: t0, User: remediatorUser, Verb: "delete", Resource: "pods", Name: "p", Code: 200}}
			s.Truth.Samples = []scorecard.AvailabilitySample{{Time: t0, Availability: 1}}
			s.Faults = []scorecard.FaultWindow{{Name: "never-ended", Start: t0}}
			s.Pages = []scorecard.Page{{Time: t0}}
		}),
	}
	for name, s := range tests {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := scorecard.WriteHTML(&buf, s); err != nil {
				t.Fatal(err)
			}
			doc := buf.String()
			if !strings.HasPrefix(doc, "<!DOCTYPE html>") {
				t.Error("document does not start with <!DOCTYPE html>")
			}
			if n := decodeXML(t, doc, "svg"); n != 1 {
				t.Errorf("document holds %d <svg> elements, want 1", n)
			}
			start, end := strings.Index(doc, "<svg"), strings.LastIndex(doc, "</svg>")
			if start < 0 || end < start {
				t.Fatal("no <svg>...</svg> in the document")
			}
			svg := doc[start : end+len("</svg>")]
			if decodeXML(t, svg, "svg") != 1 {
				t.Error("the <svg> element does not decode on its own")
			}
			for _, bad := range []string{"NaN", "Inf"} {
				if strings.Contains(svg, bad) {
					t.Errorf("SVG holds %q", bad)
				}
			}
		})
	}
}

// TestHTMLSelfContained checks that the page loads nothing from anywhere and
// that hostile text stays text.
func TestHTMLSelfContained(t *testing.T) {
	for name, fixture := range map[string]func() *scorecard.Scorecard{
		"storm":   fixtures["storm"],
		"hostile": func() *scorecard.Scorecard { return newScorecard(hostileRun) },
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := scorecard.WriteHTML(&buf, fixture()); err != nil {
				t.Fatal(err)
			}
			doc := buf.String()
			// The page is well-formed XML, so its elements and attributes
			// can be listed: none may load anything.
			dec := xml.NewDecoder(strings.NewReader(doc))
			dec.Strict = true
			inStyle := false
			for {
				tok, err := dec.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed: %v", err)
				}
				switch tok := tok.(type) {
				case xml.StartElement:
					switch strings.ToLower(tok.Name.Local) {
					case "script", "link", "img", "image", "iframe", "object", "embed", "use", "foreignobject", "base", "audio", "video", "source":
						t.Errorf("page holds a <%s> element", tok.Name.Local)
					case "style":
						inStyle = true
					}
					for _, a := range tok.Attr {
						name := strings.ToLower(a.Name.Local)
						if name == "src" || name == "href" || name == "srcset" || name == "action" || strings.HasPrefix(name, "on") {
							t.Errorf("<%s> has a %s attribute", tok.Name.Local, a.Name.Local)
						}
						if name == "style" && strings.Contains(strings.ToLower(a.Value), "url(") {
							t.Errorf("<%s> style loads a URL: %q", tok.Name.Local, a.Value)
						}
					}
				case xml.EndElement:
					inStyle = false
				case xml.CharData:
					if css := strings.ToLower(string(tok)); inStyle && (strings.Contains(css, "url(") || strings.Contains(css, "@import")) {
						t.Error("the stylesheet loads something")
					}
				}
			}
			// Remove the user's URLs as the template escapes them; nothing
			// else may name a URL.
			userURL := regexp.MustCompile(`https?://(runbooks\.example\.com/interlock/budget-exhausted|evil\.example/(x\.js)?)`)
			if rest := userURL.ReplaceAllString(doc, ""); strings.Contains(rest, "http://") || strings.Contains(rest, "https://") {
				i := max(strings.Index(rest, "http://"), strings.Index(rest, "https://"))
				t.Errorf("page names a URL of its own: %q", rest[max(0, i-40):min(len(rest), i+60)])
			}
		})
	}
}

func TestMarkdownTables(t *testing.T) {
	tests := map[string]struct {
		s       *scorecard.Scorecard
		elided  string
		noTable string
	}{
		"hostile": {s: newScorecard(hostileRun)},
		"long ledger": {s: newScorecard(stormRun, func(s *scorecard.Scorecard) {
			for i := range 40 {
				s.Ledger = append(s.Ledger, scorecard.LedgerEntry{Time: at(200 + float64(i)), User: remediatorUser, Verb: "delete", Resource: "pods", Namespace: "shop", Name: "p", Code: 200})
			}
		}), elided: "*22 more entries elided*"},
		"zero": {s: &scorecard.Scorecard{}, noTable: "## Ledger"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := scorecard.WriteMarkdown(&buf, tc.s); err != nil {
				t.Fatal(err)
			}
			md := buf.String()
			// Every row of a table has as many unescaped pipes as its header.
			unescaped := regexp.MustCompile(`(^|[^\\])\|`)
			want := -1
			for _, l := range strings.Split(md, "\n") {
				if !strings.HasPrefix(l, "|") {
					want = -1
					continue
				}
				n := len(unescaped.FindAllString(strings.ReplaceAll(l, `\\`, ""), -1))
				if want < 0 {
					want = n
				} else if n != want {
					t.Errorf("table row has %d cells' pipes, header has %d: %q", n, want, l)
				}
			}
			if strings.ContainsAny(md, "\x00\x1b") {
				t.Error("Markdown holds control characters")
			}
			if tc.elided != "" && !strings.Contains(md, tc.elided) {
				t.Errorf("Markdown does not say %q", tc.elided)
			}
		})
	}
}

// render renders s with write, failing the test on an error.
func render(t *testing.T, write func(io.Writer, *scorecard.Scorecard) error, s *scorecard.Scorecard) string {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf, s); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestOneActionCount checks that the Markdown summary, the HTML card and
// the chart count the same actions: the counted Actions, never the ledger.
func TestOneActionCount(t *testing.T) {
	tests := map[string]struct {
		s       *scorecard.Scorecard
		summary string // the Markdown summary's and the HTML card's breakdown
		card    string // the HTML card's figure
		dots    int    // the chart's step dots
	}{
		"storm": {s: newScorecard(stormRun), card: "5", dots: 5,
			summary: "5 actions: 3 restart, 1 cordon, 1 evict; 1 reversal (not counted); 3 bookkeeping writes; 1 access or token review"},
		"error": {s: newScorecard(errorRun), card: "0", summary: "0 actions"},
		"ledger but no actions": {s: newScorecard(stormRun, func(s *scorecard.Scorecard) { s.Actions = nil }), card: "0",
			summary: "0 actions; 3 bookkeeping writes; 1 access or token review"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			md := render(t, scorecard.WriteMarkdown, tc.s)
			if want := "- **Actions:** " + tc.summary + "\n"; !strings.Contains(md, want) {
				t.Errorf("Markdown lacks %q", want)
			}
			doc := render(t, scorecard.WriteHTML, tc.s)
			if want := `<div class="k">Remediator actions</div><div class="v">` + tc.card + `</div><div class="s">` + tc.summary + " · "; !strings.Contains(doc, want) {
				t.Errorf("HTML lacks the card %q", want)
			}
			if got := strings.Count(doc, `class="stepdot"`); got != tc.dots {
				t.Errorf("chart draws %d actions, want %d", got, tc.dots)
			}
		})
	}
}

func TestActionsTable(t *testing.T) {
	s := newScorecard(stormRun)
	md := render(t, scorecard.WriteMarkdown, s)
	for _, want := range []string{
		"| Time | Automation | Kind | Class | Target | Detail | Counted | Until |",
		"| +1:35 | restart-crashlooping | cordon | cordon | nodes node-2 | spec.unschedulable false → true | yes | +3:00 |",
		"| +3:00 | restart-crashlooping | reversal | cordon | nodes node-2 | spec.unschedulable true → false | no | — |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	doc := render(t, scorecard.WriteHTML, s)
	if got := strings.Count(doc, `<tr class="uncounted">`); got != 1 {
		t.Errorf("HTML marks %d actions uncounted, want 1", got)
	}
	still := newScorecard(stormRun, func(s *scorecard.Scorecard) { s.Actions[3].Until = time.Time{} })
	if md := render(t, scorecard.WriteMarkdown, still); !strings.Contains(md, "| no | — |") || !strings.Contains(md, "| yes | still at end |") {
		t.Errorf("Markdown does not say an action's target was still affected at the end:\n%s", md)
	}
}

func TestFaultRecovery(t *testing.T) {
	tests := map[string]struct {
		fault    scorecard.FaultWindow
		md, html string // the row's end, lasted and recovered cells
	}{
		"recovered": {fault: scorecard.FaultWindow{Name: "f", Start: at(10), End: at(75.4), Recovered: true},
			md: "| +0:10 | +1:15 | 1m05s | yes |", html: `<td class="t">&#43;1:15</td><td class="t">1m05s</td><td>yes</td>`},
		"at teardown": {fault: scorecard.FaultWindow{Name: "f", Start: at(10), End: at(301.5), Recovered: true, AtTeardown: true},
			md: "| +0:10 | +5:02 | 4m52s | yes (at teardown) |", html: `<td class="t">&#43;5:02</td><td class="t">4m52s</td><td>yes (at teardown)</td>`},
		"never recovered": {fault: scorecard.FaultWindow{Name: "f", Start: at(10)},
			md: "| +0:10 | — | — | **no** |", html: `<td class="t">—</td><td class="t">—</td><td><span class="bad">no</span></td>`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := newScorecard(func(s *scorecard.Scorecard) {
				s.Assertions = []scorecard.Assertion{{Name: "a", Verdict: scorecard.VerdictPass}}
				s.Faults = []scorecard.FaultWindow{tc.fault}
			})
			if md := render(t, scorecard.WriteMarkdown, s); !strings.Contains(md, tc.md) {
				t.Errorf("Markdown lacks %q:\n%s", tc.md, md)
			}
			if doc := render(t, scorecard.WriteHTML, s); !strings.Contains(doc, tc.html) {
				t.Errorf("HTML lacks %q", tc.html)
			}
		})
	}
}

func TestLedgerAttribution(t *testing.T) {
	s := newScorecard(stormRun)
	md := render(t, scorecard.WriteMarkdown, s)
	for _, want := range []string{
		"| Time | User | Actor | Kind | Verb | Object | Code |",
		"| +2:05 | `system:serviceaccount:shop:deployer` | **unattributed** | rollout | patch | deployments shop/web | 200 |",
		"| +0:02 | remediator | remediator | bookkeeping | create | leases interlock-system/remediator-leader | 201 |",
		", **1 unattributed**.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	doc := render(t, scorecard.WriteHTML, s)
	for want, n := range map[string]int{
		`<tr class="unattributed">`:                      1,
		`<span class="unattributed">unattributed</span>`: 1,
		`<tr class="bk">`:                                4,
		`impersonated by <code>kubernetes-admin</code>`:  1,
	} {
		if got := strings.Count(doc, want); got != n {
			t.Errorf("HTML holds %q %d times, want %d", want, got, n)
		}
	}
}

// TestDurationsRounded checks that no text rendering prints a duration with
// more precision than people can use, such as 115.487753ms or 4.237s.
func TestDurationsRounded(t *testing.T) {
	raw := regexp.MustCompile(`\d\.\d{2,}(ns|µs|us|ms|s|m|h)\b|\d+\.\d+ms|\d+(h|m)\d+\.\d+s`)
	odd := func(s *scorecard.Scorecard) {
		s.DurationSeconds = 115.487753
		s.Faults = []scorecard.FaultWindow{{Name: "f", Start: at(1.234567), End: at(5.5123), Recovered: true},
			{Name: "g", Start: at(0.1), End: at(0.215487753), Recovered: true, AtTeardown: true}}
		s.Budgets = []scorecard.BudgetLine{{Automation: "a", MaxActions: 1, WindowSeconds: 90.123456}}
	}
	for name, s := range map[string]*scorecard.Scorecard{
		"storm": newScorecard(stormRun),
		"odd":   newScorecard(stormRun, odd),
	} {
		for _, w := range writers {
			if w.ext == "json" {
				continue // JSON keeps exact numbers
			}
			t.Run(name+"."+w.ext, func(t *testing.T) {
				out := render(t, w.write, s)
				if m := raw.FindString(out); m != "" {
					t.Errorf("%s prints an unrounded duration %q", w.ext, m)
				}
			})
		}
	}
	md := render(t, scorecard.WriteMarkdown, newScorecard(stormRun, odd))
	for _, want := range []string{"- **Duration:** 1m55s", "| 4.3s |", "| 115ms |"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}

// TestFormatDocumentsEveryField checks that FORMAT.md names every key the
// JSON goldens hold.
func TestFormatDocumentsEveryField(t *testing.T) {
	doc, err := os.ReadFile("FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	for name := range fixtures {
		t.Run(name, func(t *testing.T) {
			golden, err := os.ReadFile(filepath.Join("testdata", name+".json.golden"))
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(golden, &v); err != nil {
				t.Fatal(err)
			}
			var walk func(v any)
			walk = func(v any) {
				switch v := v.(type) {
				case map[string]any:
					for k, x := range v {
						if !strings.Contains(string(doc), "`"+k+"`") {
							t.Errorf("FORMAT.md does not document %q", k)
						}
						if k != "labels" { // a page's labels are its own
							walk(x)
						}
					}
				case []any:
					for _, x := range v {
						walk(x)
					}
				}
			}
			walk(v)
		})
	}
}
