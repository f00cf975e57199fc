package render

import (
	"fmt"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// drawRequests draws a tick at the foot of the actions panel for each
// request of the remediator's that is not bookkeeping, rejected ones in
// their own colour. A request is not an action: only the counted Actions
// raise the step line.
func (c *chart) drawRequests(l *layout) {
	for _, e := range l.requests {
		xx := num(l.x(e.Time))
		class := "tick"
		if e.Rejected() {
			class = "tick rejected"
		}
		c.Ticks = append(c.Ticks, line{X1: xx, Y1: num(l.actBottom), X2: xx, Y2: num(l.actBottom - tickLength), Class: class, Title: requestTitle(e, l.origin)})
	}
}

// drawBookkeeping draws the remediator's bookkeeping and reviews apart, in
// a labelled lane of their own below the actions panel; nothing if it kept
// no books.
func (c *chart) drawBookkeeping(l *layout) {
	if len(l.books) == 0 {
		return
	}
	c.BkFrame = []rect{{X: num(l.left), Y: num(l.bkTop), W: num(l.plotW), H: num(bkHeight), Class: "bkframe"}}
	c.BkLabel = []text{{X: num(l.left - 4), Y: num(l.bkTop + bkHeight/2 + 4), Anchor: "end", Class: "bklabel", Body: "bookkeeping"}}
	for _, e := range l.books {
		xx := num(l.x(e.Time))
		class := "bktick"
		if e.Rejected() {
			class = "bktick rejected"
		}
		c.BkTicks = append(c.BkTicks, line{X1: xx, Y1: num(l.bkTop + 3), X2: xx, Y2: num(l.bkTop + bkHeight - 3), Class: class, Title: requestTitle(e, l.origin)})
	}
}

// requestTitle describes one request in a line, for the chart's tooltips.
func requestTitle(e scorecard.LedgerEntry, origin time.Time) string {
	status := formatCode(e.Code)
	if e.Kind != "" {
		status += ", " + e.Kind
	}
	return fmt.Sprintf("%s %s %s %s (%s)", formatOffset(e.Time, origin), e.User, e.Verb, e.Object(), status)
}
