package render

import (
	"fmt"
	"slices"
	"strings"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// drawAvailability draws true availability as a line over a shaded area,
// with a dot for each sample when there are at most 40 (else for the first
// and last only); with no sample the panel holds a note instead.
func (c *chart) drawAvailability(l *layout) {
	samples := slices.Clone(l.s.Truth.Samples)
	slices.SortStableFunc(samples, func(a, b scorecard.AvailabilitySample) int { return a.Time.Compare(b.Time) })
	if len(samples) == 0 {
		c.Notes = append(c.Notes, text{X: c.CenterX, Y: num(l.availTop + availHeight/2 + 4), Anchor: "middle", Class: "note", Body: "no availability samples"})
		return
	}
	var p, a strings.Builder
	fmt.Fprintf(&a, "M%s,%s", num(l.x(samples[0].Time)), num(l.availBottom))
	for i, sm := range samples {
		pt := num(l.x(sm.Time)) + "," + num(l.ay(sm.Availability))
		if i == 0 {
			p.WriteString("M" + pt)
		} else {
			p.WriteString(" L" + pt)
		}
		a.WriteString(" L" + pt)
		if len(samples) <= 40 || i == 0 || i == len(samples)-1 {
			c.AvailDots = append(c.AvailDots, dot{X: num(l.x(sm.Time)), Y: num(l.ay(sm.Availability)), R: "2.5", Class: "availdot",
				Title: formatOffset(sm.Time, l.origin) + " " + formatPercent(sm.Availability)})
		}
	}
	fmt.Fprintf(&a, " L%s,%s Z", num(l.x(samples[len(samples)-1].Time)), num(l.availBottom))
	c.AvailPath, c.AvailArea = p.String(), a.String()
}
