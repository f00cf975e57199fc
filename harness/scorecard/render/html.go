package render

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

//go:embed scorecard.html.tmpl
var htmlSource string

// htmlTemplate renders a scorecard page. Its functions are pure; what
// depends on the page, such as the origin of offsets, comes through htmlPage.
var htmlTemplate = template.Must(template.New("scorecard").Funcs(template.FuncMap{
	"verdict":   verdictLabel,
	"vclass":    verdictClass,
	"pct":       formatPercent,
	"points":    formatPoints,
	"code":      formatCode,
	"none":      orNone,
	"time":      formatTime,
	"duration":  formatSeconds,
	"lasted":    faultDuration,
	"recovered": formatRecovered,
	"kindof":    scorecard.Action.KindOrUnknown,
	"counted":   formatCounted,
	"join":      strings.Join,
	"books":     scorecard.LedgerEntry.IsBookkeeping,
	"nobody":    scorecard.LedgerEntry.Unattributed,
	"labels":    sortedLabels,
	"plural":    plural,
	"width":     func(f float64) string { return num(100 * min(max(f, 0), 1)) },
}).Parse(htmlSource))

// htmlPage is what the template sees.
type htmlPage struct {
	S       *scorecard.Scorecard
	Origin  time.Time
	Chart   chart
	Pass    int
	Fail    int
	Errors  int
	Counts  string // "4 passed, 1 failed, 0 errored, 2 skipped"
	Actions int    // counted actions, as the chart counts them
	Tally   string // "5 actions: 3 evict, 2 restart; ..."
	Reject  int    // rejected requests by the remediator
	Budget  int    // the highest budget, 0 if none
	// LedgerOpen shows the ledger unfolded when it is short.
	LedgerOpen bool
	// Better is true when the remediator did not lower availability.
	Better bool
	// Failed names the assertions that did not pass, for the headline.
	Failed []string
}

// Offset prints t as an offset from the run's start.
func (p htmlPage) Offset(t time.Time) string { return formatOffset(t, p.Origin) }

// Until prints when an action's target stopped being affected.
func (p htmlPage) Until(a scorecard.Action) string { return formatUntil(a, p.Origin) }

// WriteHTML writes s as one self-contained HTML page: a verdict banner,
// summary figures, an SVG timeline (fault windows, counted actions against
// their budgets, reversals, the remediator's requests and, apart, its
// bookkeeping, halts, pages, true availability), the assertions, the skipped
// assertions, truth, faults, pages, the actions, the ledger and the
// timeline. The page loads nothing from anywhere (inline CSS, no scripts, no
// fonts, no images); all text from the scorecard is escaped. s is not
// modified.
func WriteHTML(w io.Writer, s *scorecard.Scorecard) error {
	n := s.Normalized()
	reqs := n.RemediatorRequests()
	p := htmlPage{
		S:          n,
		Origin:     n.Origin(),
		Chart:      newChart(n),
		Actions:    n.CountedActions(),
		Tally:      tallyLine(n.Tally()),
		Reject:     len(reqs) - accepted(reqs),
		Budget:     n.MaxBudget(),
		LedgerOpen: len(n.Ledger) <= markdownRows,
	}
	p.Pass, p.Fail, p.Errors = n.Counts()
	for _, a := range n.Assertions {
		if a.Verdict != scorecard.VerdictPass {
			name := a.Name
			if a.Automation != "" {
				name += " (" + a.Automation + ")"
			}
			p.Failed = append(p.Failed, name)
		}
	}
	p.Counts = countsLine(n)
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
