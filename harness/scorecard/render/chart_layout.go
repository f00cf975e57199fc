package render

import (
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// layout is what every panel of the chart shares: the scorecard, the time
// scale, what is drawn in the actions panel, and where each panel sits.
type layout struct {
	s *scorecard.Scorecard
	// ok is false if the scorecard holds no time at all; the chart then
	// spans a minute from the Unix epoch and says so.
	ok bool
	// The plot runs from start to end; offsets count from origin, which
	// is later than start only if data came before the run's start.
	start, end, origin time.Time
	spanSec            float64
	// The plot's horizontal extent.
	left, right, plotW float64

	faults []placedFault // the fault bars, in their lanes
	lanes  int           // how many fault lanes there are

	acts     []scorecard.Action      // every action, by time
	total    int                     // the counted actions
	requests []scorecard.LedgerEntry // the remediator's requests that are not bookkeeping
	books    []scorecard.LedgerEntry // its bookkeeping and reviews

	// The panels' vertical extents.
	actTop, actHeight, actBottom float64
	bkTop                        float64
	availTop, availBottom        float64
	height                       float64
	// The action axis: its top and the step between its labels.
	yTop, yStep float64
}

// newLayout measures the chart of s.
func newLayout(s *scorecard.Scorecard) *layout {
	l := &layout{s: s}
	l.start, l.end, l.ok = s.Span()
	l.origin = s.Origin()
	if !l.ok {
		l.start, l.end = time.Unix(0, 0), time.Unix(60, 0)
		l.origin = l.start
	}
	l.spanSec = l.end.Sub(l.start).Seconds()
	l.left, l.right = chartLeft, chartWidth-chartRight
	l.plotW = chartWidth - chartLeft - chartRight
	l.faults, l.lanes = placeFaults(l, s.Faults)

	l.acts = sortedActions(s)
	l.total = s.CountedActions()
	for _, e := range s.RemediatorRequests() {
		if e.IsBookkeeping() {
			l.books = append(l.books, e)
		} else {
			l.requests = append(l.requests, e)
		}
	}

	l.actTop = chartTop + float64(l.lanes)*laneHeight + pageRowHeight
	l.actHeight = actionsHeight
	if len(l.acts) == 0 && len(s.Budgets) == 0 {
		l.actHeight = quietHeight
	}
	l.actBottom = l.actTop + l.actHeight
	l.availTop = l.actBottom + panelGap
	l.bkTop = l.actBottom + bkGap
	if len(l.books) > 0 {
		l.availTop = l.bkTop + bkHeight + panelGap
	}
	l.availBottom = l.availTop + availHeight
	l.height = l.availBottom + axisHeight
	// The action axis runs from 0 to a little above the larger of the
	// counted actions and the highest budget.
	l.yTop, l.yStep = yScale(max(l.total, s.MaxBudget(), 1))
	return l
}

// x is the horizontal position of t, held inside the plot.
func (l *layout) x(t time.Time) float64 {
	f := t.Sub(l.start).Seconds() / l.spanSec
	return chartLeft + l.plotW*min(max(f, 0), 1)
}

// y is the height of a count of actions in the actions panel.
func (l *layout) y(n float64) float64 { return l.actBottom - l.actHeight*n/l.yTop }

// ay is the height of a share of availability in the availability panel,
// held to 0..1.
func (l *layout) ay(a float64) float64 { return l.availBottom - availHeight*min(max(a, 0), 1) }

// frame is the chart's size, its panels' frames and their titles.
func (l *layout) frame() chart {
	return chart{
		Width: num(chartWidth), Height: num(l.height),
		Left: num(l.left), PlotWidth: num(l.plotW),
		ActionsTop: num(l.actTop), AvailTop: num(l.availTop),
		ActionsHeight: num(l.actHeight), AvailHeight: num(availHeight),
		CenterX: num(l.left + l.plotW/2), AxisTitleY: num(l.availBottom + 34),
		Titles: []text{
			{X: "16", Y: num(l.actTop + l.actHeight/2), Anchor: "middle", Class: "paneltitle", Body: "actions so far"},
			{X: "16", Y: num(l.availTop + availHeight/2), Anchor: "middle", Class: "paneltitle", Body: "true availability"},
		},
	}
}
