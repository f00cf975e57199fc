package render_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/harness/scorecard/render"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// writers are the renderers, keyed by the golden file suffix.
var writers = []struct {
	ext   string
	write func(io.Writer, *scorecard.Scorecard) error
}{
	{"json", render.WriteJSON},
	{"xml", render.WriteJUnit},
	{"md", render.WriteMarkdown},
	{"html", render.WriteHTML},
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

// renderString renders s with write, failing the test on an error.
func renderString(t *testing.T, write func(io.Writer, *scorecard.Scorecard) error, s *scorecard.Scorecard) string {
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
			md := renderString(t, render.WriteMarkdown, tc.s)
			if want := "- **Actions:** " + tc.summary + "\n"; !strings.Contains(md, want) {
				t.Errorf("Markdown lacks %q", want)
			}
			doc := renderString(t, render.WriteHTML, tc.s)
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
	md := renderString(t, render.WriteMarkdown, s)
	for _, want := range []string{
		"| Time | Automation | Kind | Class | Target | Detail | Counted | Until |",
		"| +1:35 | restart-crashlooping | cordon | cordon | nodes node-2 | spec.unschedulable false → true | yes | +3:00 |",
		"| +3:00 | restart-crashlooping | reversal | cordon | nodes node-2 | spec.unschedulable true → false | no | — |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	doc := renderString(t, render.WriteHTML, s)
	if got := strings.Count(doc, `<tr class="uncounted">`); got != 1 {
		t.Errorf("HTML marks %d actions uncounted, want 1", got)
	}
	still := newScorecard(stormRun, func(s *scorecard.Scorecard) { s.Actions[3].Until = time.Time{} })
	if md := renderString(t, render.WriteMarkdown, still); !strings.Contains(md, "| no | — |") || !strings.Contains(md, "| yes | still at end |") {
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
			if md := renderString(t, render.WriteMarkdown, s); !strings.Contains(md, tc.md) {
				t.Errorf("Markdown lacks %q:\n%s", tc.md, md)
			}
			if doc := renderString(t, render.WriteHTML, s); !strings.Contains(doc, tc.html) {
				t.Errorf("HTML lacks %q", tc.html)
			}
		})
	}
}

func TestLedgerAttribution(t *testing.T) {
	s := newScorecard(stormRun)
	md := renderString(t, render.WriteMarkdown, s)
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
	doc := renderString(t, render.WriteHTML, s)
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
				out := renderString(t, w.write, s)
				if m := raw.FindString(out); m != "" {
					t.Errorf("%s prints an unrounded duration %q", w.ext, m)
				}
			})
		}
	}
	md := renderString(t, render.WriteMarkdown, newScorecard(stormRun, odd))
	for _, want := range []string{"- **Duration:** 1m55s", "| 4.3s |", "| 115ms |"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}
