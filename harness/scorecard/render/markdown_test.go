package render_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/harness/scorecard/render"
)

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
			if err := render.WriteMarkdown(&buf, tc.s); err != nil {
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
