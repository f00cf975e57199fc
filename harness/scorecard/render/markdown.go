package render

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// markdownRows is how many rows a long Markdown table keeps: half from the
// start and half from the end, with a row in between saying how many were
// elided.
const markdownRows = 30

// WriteMarkdown writes s as Markdown for a person reading a terminal or a CI
// job summary: the verdict, the assertions graded and skipped, truth,
// comparison, faults, pages, the actions counted, the ledger and the
// timeline. Tables longer than 30 rows lose their middle.
// Text from the scorecard is escaped so it cannot break a table or inject
// markup. s is not modified.
func WriteMarkdown(w io.Writer, s *scorecard.Scorecard) error {
	var m mdWriter
	m.write(s)
	if _, err := w.Write(printable(m.buf.Bytes())); err != nil {
		return fmt.Errorf("failed to write scorecard Markdown: %w", err)
	}
	return nil
}

// mdWriter builds Markdown in memory.
type mdWriter struct{ buf bytes.Buffer }

func (m *mdWriter) printf(format string, args ...any) { fmt.Fprintf(&m.buf, format, args...) }

// write writes s, section by section.
func (m *mdWriter) write(s *scorecard.Scorecard) {
	origin := s.Origin()
	m.writeHeader(s)
	m.writeAssertions(s)
	m.writeSkipped(s)
	m.writeComparison(s)
	m.writeTruth(s)
	m.writeFaults(s, origin)
	m.writePages(s, origin)
	m.writeActions(s, origin)
	m.writeLedger(s, origin)
	m.writeTimeline(s, origin)
}

// writeHeader writes the verdict and scenario as the title, the
// description, the run's particulars and headline figures, and its error.
func (m *mdWriter) writeHeader(s *scorecard.Scorecard) {
	title := "(unnamed scenario)"
	if s.Scenario != "" {
		title = mdEscape(s.Scenario)
	}
	m.printf("# %s: %s", verdictLabel(s.Verdict), title)
	if s.Baseline {
		m.printf(" (baseline, remediation off)")
	}
	m.printf("\n\n")
	if s.Description != "" {
		m.printf("%s\n\n", mdEscape(s.Description))
	}
	remediator := mdCode(orNone(s.Remediator))
	if s.Identity != "" {
		remediator += " as " + mdCode(s.Identity)
	}
	m.printf("- **Provider:** %s\n", mdEscape(orNone(s.Provider)))
	m.printf("- **Remediator:** %s\n", remediator)
	m.printf("- **Started:** %s\n", formatTime(s.StartedAt))
	m.printf("- **Duration:** %s\n", formatSeconds(s.DurationSeconds))
	m.printf("- **Assertions:** %s\n", countsLine(s))
	m.printf("- **Actions:** %s\n", mdEscape(tallyLine(s.Tally())))
	if s.Error != "" {
		m.printf("\n> **Error:** %s\n", mdEscape(s.Error))
	}
}

// writeAssertions writes the graded assertions, every one.
func (m *mdWriter) writeAssertions(s *scorecard.Scorecard) {
	m.printf("\n## Assertions\n\n")
	if len(s.Assertions) == 0 {
		m.printf("No assertions were evaluated.\n")
		return
	}
	m.table([]string{"Verdict", "Assertion", "Measured", "Limit", "Evidence"}, len(s.Assertions), len(s.Assertions), "", func(i int) []string {
		a := s.Assertions[i]
		name := mdEscape(a.Name)
		if a.Automation != "" {
			name += " (" + mdEscape(a.Automation) + ")"
		}
		return []string{"**" + verdictLabel(a.Verdict) + "**", name, mdEscape(a.Measured), mdEscape(a.Limit), mdEscape(a.Evidence)}
	})
}

// writeSkipped writes the assertions not graded, every one; nothing if
// there are none.
func (m *mdWriter) writeSkipped(s *scorecard.Scorecard) {
	if len(s.Skipped) == 0 {
		return
	}
	m.printf("\n## Skipped\n\n")
	m.printf("Not graded: a skipped assertion neither passes nor fails.\n\n")
	m.table([]string{"Assertion", "Automation", "Why"}, len(s.Skipped), len(s.Skipped), "", func(i int) []string {
		k := s.Skipped[i]
		name := mdEscape(k.Name)
		if k.Source != "" {
			name += " (" + mdCode(k.Source) + ")"
		}
		return []string{name, mdEscape(orNone(k.Automation)), mdEscape(k.Reason)}
	})
}

// writeComparison writes the did-no-harm comparison, if the run has one.
func (m *mdWriter) writeComparison(s *scorecard.Scorecard) {
	c := s.Comparison
	if c == nil {
		return
	}
	m.printf("\n## Did no harm\n\n")
	m.printf("True availability without the remediator %s, with it %s (%s).\n",
		formatPercent(c.AvailabilityWithout), formatPercent(c.AvailabilityWith),
		formatPoints(c.AvailabilityWith, c.AvailabilityWithout))
}

// writeTruth writes what the harness knows really happened.
func (m *mdWriter) writeTruth(s *scorecard.Scorecard) {
	t := s.Truth
	m.printf("\n## Truth\n\n")
	if len(t.Samples) == 0 {
		m.printf("- **Availability:** no samples\n")
	} else {
		m.printf("- **Availability:** min %s, mean %s (%d samples)\n", formatPercent(t.MinAvailability), formatPercent(t.MeanAvailability), len(t.Samples))
	}
	m.printf("- **False positives** (healthy pods restarted): %s\n", mdList(t.FalsePositives))
	m.printf("- **False negatives** (real outages never remedied): %s\n", mdList(t.FalseNegatives))
	m.printf("- **Broken by the harness:** %s\n", mdList(t.Broken))
}

// writeFaults writes the injected faults; nothing if there are none.
func (m *mdWriter) writeFaults(s *scorecard.Scorecard, origin time.Time) {
	if len(s.Faults) == 0 {
		return
	}
	m.printf("\n## Faults\n\n")
	m.table([]string{"Fault", "Kind", "Target", "Start", "End", "Lasted", "Recovered"}, len(s.Faults), markdownRows, "faults", func(i int) []string {
		f := s.Faults[i]
		recovered := formatRecovered(f)
		if !f.Recovered {
			recovered = "**" + recovered + "**"
		}
		return []string{mdEscape(f.Name), mdEscape(f.Kind), mdEscape(f.Target),
			formatOffset(f.Start, origin), formatOffset(f.End, origin), faultDuration(f), recovered}
	})
}

// writePages writes the pages that arrived.
func (m *mdWriter) writePages(s *scorecard.Scorecard, origin time.Time) {
	m.printf("\n## Pages\n\n")
	if len(s.Pages) == 0 {
		m.printf("No page arrived.\n")
		return
	}
	m.table([]string{"Time", "Alert", "Summary", "Labels"}, len(s.Pages), markdownRows, "pages", func(i int) []string {
		p := s.Pages[i]
		return []string{formatOffset(p.Time, origin), mdEscape(p.Alert), mdEscape(p.Summary), mdLabels(p.Labels)}
	})
}

// writeActions writes the actions the harness counted in the ledger.
func (m *mdWriter) writeActions(s *scorecard.Scorecard, origin time.Time) {
	m.printf("\n## Actions\n\n")
	if len(s.Actions) == 0 {
		m.printf("No remediation action was counted in the ledger.\n")
		return
	}
	m.printf("What the harness counted in the ledger. An action not counted (a reversal of the remediator's own) is not held against a budget.\n\n")
	header := []string{"Time", "Automation", "Kind", "Class", "Target", "Detail", "Counted", "Until"}
	m.table(header, len(s.Actions), markdownRows, "actions", func(i int) []string {
		a := s.Actions[i]
		return []string{formatOffset(a.Time, origin), mdEscape(orNone(a.Automation)), mdEscape(a.KindOrUnknown()),
			mdEscape(orNone(a.Class)), mdEscape(a.Target), mdEscape(orNone(a.Detail)), formatCounted(a), formatUntil(a, origin)}
	})
}

// writeLedger writes a line of figures on the ledger, then the ledger.
func (m *mdWriter) writeLedger(s *scorecard.Scorecard, origin time.Time) {
	reqs := s.RemediatorRequests()
	m.printf("\n## Ledger\n\n")
	if len(s.Ledger) == 0 {
		m.printf("No mutating request from the remediator was recorded.\n")
		return
	}
	rejected := len(reqs) - accepted(reqs)
	m.printf("%s recorded by the API server", plural(len(s.Ledger), "mutating request"))
	if s.Identity != "" {
		m.printf(", %d of them by the remediator (%s)", len(reqs), mdCode(s.Identity))
	}
	if rejected > 0 {
		m.printf(", %d rejected", rejected)
	}
	if n := unattributed(s.Ledger); n > 0 {
		m.printf(", **%d unattributed**", n)
	}
	m.printf(".\n\n")
	m.table([]string{"Time", "User", "Actor", "Kind", "Verb", "Object", "Code"}, len(s.Ledger), markdownRows, "entries", func(i int) []string {
		e := &s.Ledger[i]
		user := mdCode(e.User)
		if s.Identity != "" && e.User == s.Identity {
			user = "remediator"
		}
		actor := mdEscape(orNone(e.Actor))
		if e.Unattributed() {
			actor = "**" + actor + "**"
		}
		return []string{formatOffset(e.Time, origin), user, actor, mdEscape(orNone(e.Kind)), mdEscape(e.Verb), mdEscape(e.Object()), formatCode(e.Code)}
	})
}

// writeTimeline writes the run's narrative; nothing if it has none.
func (m *mdWriter) writeTimeline(s *scorecard.Scorecard, origin time.Time) {
	if len(s.Timeline) == 0 {
		return
	}
	m.printf("\n## Timeline\n\n")
	m.table([]string{"Time", "Kind", "Event"}, len(s.Timeline), markdownRows, "events", func(i int) []string {
		e := s.Timeline[i]
		return []string{formatOffset(e.Time, origin), mdEscape(e.Kind), mdEscape(e.Message)}
	})
}

// table writes a Markdown table of n rows, cells(i) being the cells of the
// i-th. If there are more than limit rows, the middle is replaced with one
// row saying how many of what were elided, and cells is called only for
// the rows shown: a long run's table costs what its 30 rows cost, not what
// every entry would.
func (m *mdWriter) table(header []string, n, limit int, what string, cells func(i int) []string) {
	m.row(header)
	m.buf.WriteString("|")
	for range header {
		m.buf.WriteString("---|")
	}
	m.buf.WriteString("\n")
	if n <= limit {
		for i := range n {
			m.row(cells(i))
		}
		return
	}
	head := limit / 2
	tail := limit - head
	for i := range head {
		m.row(cells(i))
	}
	gap := make([]string, len(header))
	gap[0] = "…"
	gap[len(gap)-1] = ""
	if len(gap) > 1 {
		gap[1] = fmt.Sprintf("*%d more %s elided*", n-head-tail, what)
	}
	m.row(gap)
	for i := n - tail; i < n; i++ {
		m.row(cells(i))
	}
}

// row writes one table row of cells.
func (m *mdWriter) row(cells []string) {
	m.buf.WriteString("| ")
	for i, c := range cells {
		if i > 0 {
			m.buf.WriteString(" | ")
		}
		m.buf.WriteString(c)
	}
	m.buf.WriteString(" |\n")
}

// mdEscape makes s safe to print as Markdown text, including in a table
// cell: it backslash-escapes the characters that would break a row or turn
// text into markup, and flattens line breaks. An underscore between letters
// or digits, as in metric names, is left alone: it cannot start emphasis.
func mdEscape(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		switch r {
		case '\\', '|', '`', '*', '<', '>', '[', ']':
			b.WriteRune('\\')
		case '_':
			if i == 0 || i == len(rs)-1 || !isWordRune(rs[i-1]) || !isWordRune(rs[i+1]) {
				b.WriteRune('\\')
			}
		case '\r':
			if i+1 < len(rs) && rs[i+1] == '\n' {
				continue
			}
			r = ' '
		case '\n':
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isWordRune reports whether r is a letter or digit.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// mdCode prints s as inline code, which keeps colons and dashes readable; a
// string holding a backtick or a pipe is escaped as text instead.
func mdCode(s string) string {
	if s == "" || strings.ContainsAny(s, "`|\r\n") {
		return mdEscape(s)
	}
	return "`" + s + "`"
}

// mdList prints a list inline, or "none".
func mdList(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = mdEscape(x)
	}
	return strings.Join(out, "; ")
}

// mdLabels prints labels as k=v, sorted by key.
func mdLabels(labels map[string]string) string {
	keys := slices.Sorted(maps.Keys(labels))
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = mdEscape(k + "=" + labels[k])
	}
	return strings.Join(out, ", ")
}
