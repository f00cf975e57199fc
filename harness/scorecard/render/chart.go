package render

import (
	"math"
	"strconv"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// Geometry of the timeline chart, in SVG user units. The chart scales to the
// width of the page; text is sized for a page about 1000 units wide.
const (
	chartWidth    = 1000.0
	chartLeft     = 66.0  // room for y-axis titles and labels
	chartRight    = 20.0  // right margin
	chartTop      = 8.0   // above the first fault lane
	laneHeight    = 20.0  // one fault lane
	pageRowHeight = 24.0  // page labels above the actions panel
	actionsHeight = 200.0 // actions panel
	quietHeight   = 90.0  // actions panel with no actions and no budget
	panelGap      = 32.0  // between the panels
	bkGap         = 10.0  // between the actions panel and the bookkeeping lane
	bkHeight      = 16.0  // the bookkeeping lane
	availHeight   = 110.0 // availability panel
	axisHeight    = 40.0  // x tick labels and the axis title
	charWidth     = 7.0   // mean width of a character of bold 11-unit text
	maxStepDots   = 40    // more actions than this get no dots
	faultColors   = 4     // CSS classes f0..f3
	tickLength    = 12.0  // action tick marks
	maxXTicks     = 10    // most intervals on the time axis
	labelSpacing  = 4.0   // least room between two page labels
)

// chart is the timeline as shapes ready for the SVG template. Numbers are
// preformatted strings so the output is stable and compact.
type chart struct {
	Width, Height string

	// The panels' frames.
	Left, PlotWidth            string
	ActionsTop, AvailTop       string
	ActionsHeight, AvailHeight string
	// The x-axis title's position.
	CenterX, AxisTitleY string

	Titles []text // y-axis titles, rotated

	Grid      []line // vertical time grid lines across both panels
	XLabels   []text // time labels below the availability panel
	YLabels   []text // both panels' y-axis labels
	YGrid     []line // horizontal grid lines
	Bands     []rect // fault windows across both panels
	Lanes     []rect // fault bars in the lanes above the panels
	LaneText  []text // fault names
	Budgets   []line // dashed budget lines
	BudgetTxt []text // budget labels
	StepPath  string // cumulative counted actions
	StepDots  []dot  // one per counted action
	Reversals []mark // one per action not counted, on the step line
	Ticks     []line // one per remediator request that is not bookkeeping
	BkFrame   []rect // the bookkeeping lane, if the remediator kept books
	BkLabel   []text // its label
	BkTicks   []line // one per bookkeeping or review request
	Pages     []mark // page arrivals
	PageLines []line // page arrival lines through both panels
	PageText  []text // page labels
	Halts     []dot  // halt events on the step line
	HaltText  []text // halt labels
	AvailPath string // true availability line
	AvailArea string // area under it
	AvailDots []dot  // shown when there are few samples
	Notes     []text // "no data" notes
}

type line struct {
	X1, Y1, X2, Y2 string
	Class, Title   string
}

type rect struct {
	X, Y, W, H   string
	Class, Title string
}

type text struct {
	X, Y, Anchor, Class, Body string
}

type dot struct {
	X, Y, R, Class, Title string
}

type mark struct {
	Points, Class, Title string
}

// num prints a coordinate with one decimal, without a trailing ".0".
func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		f = 0
	}
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// newChart lays out the timeline of s, one panel after another. The order
// matters where two panels add to the same list: the action axis's grid
// comes before the availability axis's, the actions panel's note before
// the availability panel's.
func newChart(s *scorecard.Scorecard) chart {
	l := newLayout(s)
	c := l.frame()
	c.drawTimeAxis(l)
	c.drawFaults(l)
	c.drawActionAxis(l)
	c.drawBudgets(l)
	c.drawRequests(l)
	c.drawBookkeeping(l)
	c.drawSteps(l)
	c.drawHalts(l)
	c.drawPages(l)
	c.drawAvailabilityAxis(l)
	c.drawAvailability(l)
	if !l.ok {
		c.Notes = []text{{X: c.CenterX, Y: num(l.actTop + l.actHeight/2 + 4), Anchor: "middle", Class: "note", Body: "the run recorded no timed data"}}
	}
	return c
}
