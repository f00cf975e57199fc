package render

import (
	"fmt"
	"slices"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// placedFault is one fault's bar in the lanes above the panels.
type placedFault struct {
	f      scorecard.FaultWindow
	x0, x1 float64 // the bar
	lane   int
	label  text
	// occupiedFrom and occupiedTo are where the bar and its label lie.
	occupiedFrom, occupiedTo float64
}

// placeFaults lays the faults out in lanes, greedily by start time, so that
// neither bars nor their labels overlap; it returns them and the number of
// lanes used.
func placeFaults(l *layout, faults []scorecard.FaultWindow) ([]placedFault, int) {
	var placed []placedFault
	var laneEnds []float64
	sorted := slices.Clone(faults)
	slices.SortStableFunc(sorted, func(a, b scorecard.FaultWindow) int { return a.Start.Compare(b.Start) })
	for _, f := range sorted {
		p := placeFault(l, f)
		p.lane = -1
		for i, e := range laneEnds {
			if e+labelSpacing <= p.occupiedFrom {
				p.lane = i
				break
			}
		}
		if p.lane < 0 {
			p.lane = len(laneEnds)
			laneEnds = append(laneEnds, 0)
		}
		laneEnds[p.lane] = p.occupiedTo
		placed = append(placed, p)
	}
	return placed, len(laneEnds)
}

// placeFault measures one fault's bar and label, not yet in a lane. A bar
// is at least 2 wide, and runs to the right edge if the fault never ended;
// a label that would run off the right edge ends there.
func placeFault(l *layout, f scorecard.FaultWindow) placedFault {
	p := placedFault{f: f, x0: l.x(f.Start), x1: l.right}
	if !f.End.IsZero() {
		p.x1 = l.x(f.End)
	}
	if p.x1 < p.x0+2 {
		p.x1 = p.x0 + 2
	}
	name := f.Name
	switch {
	case !f.Recovered:
		name += " (not recovered)"
	case f.AtTeardown:
		name += " (to teardown)"
	}
	labelW := float64(len([]rune(name)))*charWidth + 8
	p.label = text{X: num(p.x0 + 4), Anchor: "start", Class: "lanetext", Body: name}
	p.occupiedFrom, p.occupiedTo = p.x0, max(p.x1, p.x0+labelW)
	if p.x0+labelW > l.right {
		p.label.X, p.label.Anchor = num(l.right-4), "end"
		p.occupiedFrom, p.occupiedTo = min(p.x0, l.right-labelW), l.right
	}
	return p
}

// drawFaults draws each fault as a band across both panels and as a bar
// with its name in its lane above them.
func (c *chart) drawFaults(l *layout) {
	for _, p := range l.faults {
		class := fmt.Sprintf("f%d", len(c.Bands)%faultColors)
		title := faultTitle(p.f, l.origin)
		c.Bands = append(c.Bands, rect{X: num(p.x0), Y: num(l.actTop), W: num(p.x1 - p.x0), H: num(l.availBottom - l.actTop), Class: "band " + class, Title: title})
		y := chartTop + float64(p.lane)*laneHeight
		laneClass := "lane " + class
		if !p.f.Recovered {
			laneClass += " unrecovered"
		}
		c.Lanes = append(c.Lanes, rect{X: num(p.x0), Y: num(y + 2), W: num(p.x1 - p.x0), H: num(laneHeight - 4), Class: laneClass, Title: title})
		p.label.Y = num(y + 14)
		c.LaneText = append(c.LaneText, p.label)
	}
}

// faultTitle describes a fault in a line, for the chart's tooltips.
func faultTitle(f scorecard.FaultWindow, origin time.Time) string {
	title := fmt.Sprintf("%s: %s on %s, %s to %s", f.Name, f.Kind, f.Target,
		formatOffset(f.Start, origin), formatOffset(f.End, origin))
	if d := faultDuration(f); d != "—" {
		title += " (" + d + ")"
	}
	switch {
	case !f.Recovered:
		title += ", not recovered"
	case f.AtTeardown:
		title += ", recovered at teardown"
	}
	return title
}
