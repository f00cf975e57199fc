package render_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/harness/scorecard/render"
)

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
			if err := render.WriteHTML(&buf, s); err != nil {
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
			if err := render.WriteHTML(&buf, fixture()); err != nil {
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
