package scorecard

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"time"
)

//go:embed scorecard.html.tmpl
var htmlSource string

// htmlTemplate renders a scorecard page. Its functions are pure; what
// depends on the page, such as the origin of offsets, comes through htmlPage.
var htmlTemplate = template.Must(template.New("scorecard").Funcs(template.FuncMap{
	"verdict":  verdictLabel,
	"vclass":   verdictClass,
	"pct":      formatPercent,
	"points":   formatPoints,
	"code":     formatCode,
	"none":     orNone,
	"time":     formatTime,
	"duration": formatSeconds,
	"labels":   sortedLabels,
	"plural":   plural,
	"width":    func(f float64) string { return num(100 * min(max(f, 0), 1)) },
}).Parse(htmlSource))

// htmlPage is what the template sees.
type htmlPage struct {
	S       *Scorecard
	Origin  time.Time
	Chart   chart
	Pass    int
	Fail    int
	Errors  int
	Counts  string // "4 passed, 1 failed, 0 errored, 2 skipped"
	Actions int    // accepted requests by the remediator
	Reject  int    // rejected requests by the remediator
	Budget  int    // the highest budget, 0 if none
	// LedgerOpen shows the ledger unfolded when it is short.
	LedgerOpen bool
	// Better is true when the remediator did not lower availability.
	Better bool
}

// Offset prints t as an offset from the run's start.
func (p htmlPage) Offset(t time.Time) string { return formatOffset(t, p.Origin) }

// WriteHTML writes s as one self-contained HTML page: a verdict banner,
// summary figures, an SVG timeline (fault windows, remediator actions
// against their budgets, halts, pages, true availability), the assertions,
// the skipped assertions, truth, faults, pages, the ledger and the timeline. The page loads nothing
// from anywhere (inline CSS, no scripts, no fonts, no images); all text from
// the scorecard is escaped. s is not modified.
func WriteHTML(w io.Writer, s *Scorecard) error {
	n := normalized(s)
	acts := n.actions()
	p := htmlPage{
		S:          n,
		Origin:     n.origin(),
		Chart:      newChart(n),
		Actions:    accepted(acts),
		Reject:     len(acts) - accepted(acts),
		Budget:     n.maxBudget(),
		LedgerOpen: len(n.Ledger) <= markdownRows,
	}
	p.Pass, p.Fail, p.Errors = n.counts()
	p.Counts = n.countsLine()
	if c := n.Comparison; c != nil {
		p.Better = c.AvailabilityWith >= c.AvailabilityWithout
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, p); err != nil {
		return fmt.Errorf("failed to render scorecard HTML: %w", err)
	}
	if _, err := w.Write(printable(buf.Bytes())); err != nil {
		return fmt.Errorf("failed to write scorecard HTML: %w", err)
	}
	return nil
}

// label is one key=value pair.
type label struct{ Key, Value string }

// sortedLabels returns labels sorted by key.
func sortedLabels(m map[string]string) []label {
	out := make([]label, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, label{k, m[k]})
	}
	return out
}
