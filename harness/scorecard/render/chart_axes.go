package render

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// drawTimeAxis draws the time grid across both panels and its labels below
// them: ticks at round offsets from the origin, negative ones for data
// that came before it.
func (c *chart) drawTimeAxis(l *layout) {
	step := xTickStep(l.spanSec)
	before, after := l.origin.Sub(l.start).Seconds(), l.end.Sub(l.origin).Seconds()
	for k := math.Ceil(-before/step - 1e-9); k*step <= after+1e-9; k++ {
		off := time.Duration(k * step * float64(time.Second))
		xf := l.x(l.origin.Add(off))
		xx := num(xf)
		c.Grid = append(c.Grid, line{X1: xx, Y1: num(l.actTop), X2: xx, Y2: num(l.availBottom), Class: "grid"})
		anchor := "middle"
		if xf-l.left < 1 {
			anchor = "start"
		}
		c.XLabels = append(c.XLabels, text{X: xx, Y: num(l.availBottom + 15), Anchor: anchor, Class: "axis", Body: formatClock(off)})
	}
}

// drawActionAxis draws the actions panel's grid lines and count labels.
func (c *chart) drawActionAxis(l *layout) {
	for v := 0.0; v <= l.yTop+1e-9; v += l.yStep {
		yy := num(l.y(v))
		c.YGrid = append(c.YGrid, line{X1: num(l.left), Y1: yy, X2: num(l.right), Y2: yy, Class: "grid"})
		c.YLabels = append(c.YLabels, text{X: num(l.left - 6), Y: num(l.y(v) + 4), Anchor: "end", Class: "axis", Body: strconv.Itoa(int(v))})
	}
}

// drawAvailabilityAxis draws the availability panel's grid lines and
// labels at 0, 50 and 100%.
func (c *chart) drawAvailabilityAxis(l *layout) {
	for _, v := range []float64{0, 0.5, 1} {
		yy := num(l.ay(v))
		c.YGrid = append(c.YGrid, line{X1: num(l.left), Y1: yy, X2: num(l.right), Y2: yy, Class: "grid"})
		c.YLabels = append(c.YLabels, text{X: num(l.left - 6), Y: num(l.ay(v) + 4), Anchor: "end", Class: "axis", Body: fmt.Sprintf("%d%%", int(v*100))})
	}
}

// xTickStep picks a round tick interval, in seconds, giving at most
// maxXTicks intervals over span seconds.
func xTickStep(span float64) float64 {
	for _, s := range []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400} {
		if span/s <= maxXTicks {
			return s
		}
	}
	return math.Ceil(span/maxXTicks/86400) * 86400
}

// yScale returns the top of a count axis holding n with room above it, and
// a round step between its labels.
func yScale(n int) (top, step float64) {
	step = 1
	for _, s := range []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000} {
		step = s
		if float64(n)/s <= 6 {
			break
		}
	}
	if float64(n)/step > 6 {
		step = math.Ceil(float64(n)/6/1000) * 1000
	}
	return (math.Floor(float64(n)/step) + 1) * step, step
}
