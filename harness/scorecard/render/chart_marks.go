package render

import (
	"fmt"
	"math"
	"slices"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// drawHalts draws each halt on the step line, at the count of actions
// reached by then, labelled unless it would crowd the previous label.
func (c *chart) drawHalts(l *layout) {
	lastLabel := math.Inf(-1)
	events := slices.Clone(l.s.Timeline)
	slices.SortStableFunc(events, func(a, b scorecard.Event) int { return a.Time.Compare(b.Time) })
	for _, e := range events {
		if e.Kind != scorecard.EventHalt {
			continue
		}
		n := 0
		for _, a := range l.acts {
			if a.Counted && !a.Time.After(e.Time) {
				n++
			}
		}
		xx, yy := l.x(e.Time), l.y(float64(n))
		c.Halts = append(c.Halts, dot{X: num(xx), Y: num(yy), R: "6", Class: "halt", Title: formatOffset(e.Time, l.origin) + " halt: " + e.Message})
		if xx > lastLabel {
			c.HaltText = append(c.HaltText, text{X: num(xx + 9), Y: num(yy + 16), Anchor: "start", Class: "halttext", Body: "halted"})
			lastLabel = xx + 50
		}
	}
}

// drawPages draws each page as a marker above the actions panel and a line
// through both panels, with the alert's name beside the marker unless it
// would overlap the previous name.
func (c *chart) drawPages(l *layout) {
	lastLabel := math.Inf(-1)
	pages := slices.Clone(l.s.Pages)
	slices.SortStableFunc(pages, func(a, b scorecard.Page) int { return a.Time.Compare(b.Time) })
	for _, p := range pages {
		xx := l.x(p.Time)
		title := fmt.Sprintf("%s page %s: %s", formatOffset(p.Time, l.origin), p.Alert, p.Summary)
		c.PageLines = append(c.PageLines, line{X1: num(xx), Y1: num(l.actTop), X2: num(xx), Y2: num(l.availBottom), Class: "pageline", Title: title})
		c.Pages = append(c.Pages, mark{
			Points: fmt.Sprintf("%s,%s %s,%s %s,%s", num(xx-6), num(l.actTop-12), num(xx+6), num(l.actTop-12), num(xx), num(l.actTop-1)),
			Class:  "page", Title: title,
		})
		label := p.Alert
		if label == "" {
			label = "page"
		}
		w := float64(len([]rune(label))) * charWidth
		if xx <= lastLabel {
			continue
		}
		lx, anchor := xx+9, "start"
		if lx+w > l.right {
			lx, anchor = xx-9, "end"
		}
		c.PageText = append(c.PageText, text{X: num(lx), Y: num(l.actTop - 3), Anchor: anchor, Class: "pagetext", Body: label})
		lastLabel = xx + 9 + w + labelSpacing
	}
}
