package render

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

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

// newChart lays out the timeline of s.
func newChart(s *scorecard.Scorecard) chart {
	start, end, ok := s.Span()
	if !ok {
		start, end = time.Unix(0, 0), time.Unix(60, 0)
	}
	// Offsets count from the run's origin, as in every other rendering; the
	// plot starts at start, which is earlier only if data came before it.
	origin := s.Origin()
	if !ok {
		origin = start
	}
	spanSec := end.Sub(start).Seconds()
	plotW := chartWidth - chartLeft - chartRight
	x := func(t time.Time) float64 {
		f := t.Sub(start).Seconds() / spanSec
		return chartLeft + plotW*min(max(f, 0), 1)
	}
	left, right := chartLeft, chartWidth-chartRight

	// Fault lanes: greedy by start time, so that neither bars nor their
	// labels overlap. A label that would run off the right edge ends there.
	type placed struct {
		f            scorecard.FaultWindow
		x0, x1       float64 // the bar
		lane         int
		label        text
		occupiedFrom float64 // the bar and its label
		occupiedTo   float64
	}
	var faults []placed
	var laneEnds []float64
	sorted := slices.Clone(s.Faults)
	slices.SortStableFunc(sorted, func(a, b scorecard.FaultWindow) int { return a.Start.Compare(b.Start) })
	for _, f := range sorted {
		p := placed{f: f, x0: x(f.Start), x1: right}
		if !f.End.IsZero() {
			p.x1 = x(f.End)
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
		if p.x0+labelW > right {
			p.label.X, p.label.Anchor = num(right-4), "end"
			p.occupiedFrom, p.occupiedTo = min(p.x0, right-labelW), right
		}
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
		faults = append(faults, p)
	}

	actTop := chartTop + float64(len(laneEnds))*laneHeight + pageRowHeight
	acts := sortedActions(s)
	var requests, books []scorecard.LedgerEntry
	for _, e := range s.RemediatorRequests() {
		if e.IsBookkeeping() {
			books = append(books, e)
		} else {
			requests = append(requests, e)
		}
	}
	actHeight := actionsHeight
	if len(acts) == 0 && len(s.Budgets) == 0 {
		actHeight = quietHeight
	}
	actBottom := actTop + actHeight
	availTop := actBottom + panelGap
	bkTop := actBottom + bkGap
	if len(books) > 0 {
		availTop = bkTop + bkHeight + panelGap
	}
	availBottom := availTop + availHeight
	height := availBottom + axisHeight

	c := chart{
		Width: num(chartWidth), Height: num(height),
		Left: num(left), PlotWidth: num(plotW),
		ActionsTop: num(actTop), AvailTop: num(availTop),
		ActionsHeight: num(actHeight), AvailHeight: num(availHeight),
		CenterX: num(left + plotW/2), AxisTitleY: num(availBottom + 34),
		Titles: []text{
			{X: "16", Y: num(actTop + actHeight/2), Anchor: "middle", Class: "paneltitle", Body: "actions so far"},
			{X: "16", Y: num(availTop + availHeight/2), Anchor: "middle", Class: "paneltitle", Body: "true availability"},
		},
	}

	// Time axis: ticks at round offsets from the origin, negative ones for
	// data that came before it.
	step := xTickStep(spanSec)
	before, after := origin.Sub(start).Seconds(), end.Sub(origin).Seconds()
	for k := math.Ceil(-before/step - 1e-9); k*step <= after+1e-9; k++ {
		off := time.Duration(k * step * float64(time.Second))
		xf := x(origin.Add(off))
		xx := num(xf)
		c.Grid = append(c.Grid, line{X1: xx, Y1: num(actTop), X2: xx, Y2: num(availBottom), Class: "grid"})
		anchor := "middle"
		if xf-left < 1 {
			anchor = "start"
		}
		c.XLabels = append(c.XLabels, text{X: xx, Y: num(availBottom + 15), Anchor: anchor, Class: "axis", Body: formatClock(off)})
	}

	// Fault bands and lanes.
	for _, p := range faults {
		class := fmt.Sprintf("f%d", len(c.Bands)%faultColors)
		title := fmt.Sprintf("%s: %s on %s, %s to %s", p.f.Name, p.f.Kind, p.f.Target,
			formatOffset(p.f.Start, origin), formatOffset(p.f.End, origin))
		if d := faultDuration(p.f); d != "—" {
			title += " (" + d + ")"
		}
		switch {
		case !p.f.Recovered:
			title += ", not recovered"
		case p.f.AtTeardown:
			title += ", recovered at teardown"
		}
		c.Bands = append(c.Bands, rect{X: num(p.x0), Y: num(actTop), W: num(p.x1 - p.x0), H: num(availBottom - actTop), Class: "band " + class, Title: title})
		y := chartTop + float64(p.lane)*laneHeight
		laneClass := "lane " + class
		if !p.f.Recovered {
			laneClass += " unrecovered"
		}
		c.Lanes = append(c.Lanes, rect{X: num(p.x0), Y: num(y + 2), W: num(p.x1 - p.x0), H: num(laneHeight - 4), Class: laneClass, Title: title})
		p.label.Y = num(y + 14)
		c.LaneText = append(c.LaneText, p.label)
	}

	// Actions panel: y scale from 0 to a little above the larger of the
	// counted actions and the highest budget.
	total := s.CountedActions()
	top, ystep := yScale(max(total, s.MaxBudget(), 1))
	y := func(n float64) float64 { return actBottom - actHeight*n/top }
	for v := 0.0; v <= top+1e-9; v += ystep {
		yy := num(y(v))
		c.YGrid = append(c.YGrid, line{X1: num(left), Y1: yy, X2: num(right), Y2: yy, Class: "grid"})
		c.YLabels = append(c.YLabels, text{X: num(left - 6), Y: num(y(v) + 4), Anchor: "end", Class: "axis", Body: strconv.Itoa(int(v))})
	}

	// Budget lines, one per distinct MaxActions.
	byMax := map[int][]scorecard.BudgetLine{}
	for _, b := range s.Budgets {
		byMax[b.MaxActions] = append(byMax[b.MaxActions], b)
	}
	for _, n := range slices.Sorted(maps.Keys(byMax)) {
		yy := y(float64(n))
		label := budgetLabel(n, byMax[n])
		c.Budgets = append(c.Budgets, line{X1: num(left), Y1: num(yy), X2: num(right), Y2: num(yy), Class: "budget", Title: label})
		c.BudgetTxt = append(c.BudgetTxt, text{X: num(right - 4), Y: num(yy - 5), Anchor: "end", Class: "budgettext", Body: label})
	}

	// Requests by the remediator: a tick each at the foot of the actions
	// panel (rejected ones in their own colour), and its bookkeeping apart,
	// in a lane of its own below the panel. Neither is an action: only the
	// counted Actions raise the step line.
	reqTitle := func(e scorecard.LedgerEntry) string {
		status := formatCode(e.Code)
		if e.Kind != "" {
			status += ", " + e.Kind
		}
		return fmt.Sprintf("%s %s %s %s (%s)", formatOffset(e.Time, origin), e.User, e.Verb, e.Object(), status)
	}
	for _, e := range requests {
		xx := num(x(e.Time))
		class := "tick"
		if e.Rejected() {
			class = "tick rejected"
		}
		c.Ticks = append(c.Ticks, line{X1: xx, Y1: num(actBottom), X2: xx, Y2: num(actBottom - tickLength), Class: class, Title: reqTitle(e)})
	}
	if len(books) > 0 {
		c.BkFrame = []rect{{X: num(left), Y: num(bkTop), W: num(plotW), H: num(bkHeight), Class: "bkframe"}}
		c.BkLabel = []text{{X: num(left - 4), Y: num(bkTop + bkHeight/2 + 4), Anchor: "end", Class: "bklabel", Body: "bookkeeping"}}
		for _, e := range books {
			xx := num(x(e.Time))
			class := "bktick"
			if e.Rejected() {
				class = "bktick rejected"
			}
			c.BkTicks = append(c.BkTicks, line{X1: xx, Y1: num(bkTop + 3), X2: xx, Y2: num(bkTop + bkHeight - 3), Class: class, Title: reqTitle(e)})
		}
	}

	// Counted actions as a cumulative step line, with a dot each; actions
	// not counted (reversals) as a diamond on the line, which they leave
	// where it was.
	var d strings.Builder
	fmt.Fprintf(&d, "M%s,%s", num(left), num(y(0)))
	count := 0
	for _, a := range acts {
		xx := x(a.Time)
		title := actionTitle(a, origin)
		if !a.Counted {
			yy := y(float64(count))
			c.Reversals = append(c.Reversals, mark{
				Points: fmt.Sprintf("%s,%s %s,%s %s,%s %s,%s", num(xx), num(yy-6), num(xx+6), num(yy), num(xx), num(yy+6), num(xx-6), num(yy)),
				Class:  "reversal", Title: title,
			})
			continue
		}
		count++
		fmt.Fprintf(&d, " H%s V%s", num(xx), num(y(float64(count))))
		if total > maxStepDots {
			continue
		}
		c.StepDots = append(c.StepDots, dot{X: num(xx), Y: num(y(float64(count))), R: "3.5", Class: "stepdot", Title: fmt.Sprintf("action %d: %s", count, title)})
	}
	fmt.Fprintf(&d, " H%s", num(right))
	if len(acts) > 0 || len(s.Budgets) > 0 {
		c.StepPath = d.String()
	} else {
		c.Notes = append(c.Notes, text{X: c.CenterX, Y: num(actTop + actHeight/2 + 4), Anchor: "middle", Class: "note", Body: "no remediator actions counted"})
	}

	// Halts sit on the step line at the count reached by then.
	lastHaltLabel := math.Inf(-1)
	events := slices.Clone(s.Timeline)
	slices.SortStableFunc(events, func(a, b scorecard.Event) int { return a.Time.Compare(b.Time) })
	for _, e := range events {
		if e.Kind != scorecard.EventHalt {
			continue
		}
		n := 0
		for _, a := range acts {
			if a.Counted && !a.Time.After(e.Time) {
				n++
			}
		}
		xx, yy := x(e.Time), y(float64(n))
		c.Halts = append(c.Halts, dot{X: num(xx), Y: num(yy), R: "6", Class: "halt", Title: formatOffset(e.Time, origin) + " halt: " + e.Message})
		if xx > lastHaltLabel {
			c.HaltText = append(c.HaltText, text{X: num(xx + 9), Y: num(yy + 16), Anchor: "start", Class: "halttext", Body: "halted"})
			lastHaltLabel = xx + 50
		}
	}

	// Pages: a marker above the actions panel and a line through both panels.
	lastPageLabel := math.Inf(-1)
	pages := slices.Clone(s.Pages)
	slices.SortStableFunc(pages, func(a, b scorecard.Page) int { return a.Time.Compare(b.Time) })
	for _, p := range pages {
		xx := x(p.Time)
		title := fmt.Sprintf("%s page %s: %s", formatOffset(p.Time, origin), p.Alert, p.Summary)
		c.PageLines = append(c.PageLines, line{X1: num(xx), Y1: num(actTop), X2: num(xx), Y2: num(availBottom), Class: "pageline", Title: title})
		c.Pages = append(c.Pages, mark{
			Points: fmt.Sprintf("%s,%s %s,%s %s,%s", num(xx-6), num(actTop-12), num(xx+6), num(actTop-12), num(xx), num(actTop-1)),
			Class:  "page", Title: title,
		})
		label := p.Alert
		if label == "" {
			label = "page"
		}
		w := float64(len([]rune(label))) * charWidth
		if xx <= lastPageLabel {
			continue
		}
		lx, anchor := xx+9, "start"
		if lx+w > right {
			lx, anchor = xx-9, "end"
		}
		c.PageText = append(c.PageText, text{X: num(lx), Y: num(actTop - 3), Anchor: anchor, Class: "pagetext", Body: label})
		lastPageLabel = xx + 9 + w + labelSpacing
	}

	// Availability panel.
	ay := func(a float64) float64 { return availBottom - availHeight*min(max(a, 0), 1) }
	for _, v := range []float64{0, 0.5, 1} {
		yy := num(ay(v))
		c.YGrid = append(c.YGrid, line{X1: num(left), Y1: yy, X2: num(right), Y2: yy, Class: "grid"})
		c.YLabels = append(c.YLabels, text{X: num(left - 6), Y: num(ay(v) + 4), Anchor: "end", Class: "axis", Body: fmt.Sprintf("%d%%", int(v*100))})
	}
	samples := slices.Clone(s.Truth.Samples)
	slices.SortStableFunc(samples, func(a, b scorecard.AvailabilitySample) int { return a.Time.Compare(b.Time) })
	if len(samples) == 0 {
		c.Notes = append(c.Notes, text{X: c.CenterX, Y: num(availTop + availHeight/2 + 4), Anchor: "middle", Class: "note", Body: "no availability samples"})
	} else {
		var p, a strings.Builder
		fmt.Fprintf(&a, "M%s,%s", num(x(samples[0].Time)), num(availBottom))
		for i, sm := range samples {
			pt := num(x(sm.Time)) + "," + num(ay(sm.Availability))
			if i == 0 {
				p.WriteString("M" + pt)
			} else {
				p.WriteString(" L" + pt)
			}
			a.WriteString(" L" + pt)
			if len(samples) <= 40 || i == 0 || i == len(samples)-1 {
				c.AvailDots = append(c.AvailDots, dot{X: num(x(sm.Time)), Y: num(ay(sm.Availability)), R: "2.5", Class: "availdot",
					Title: formatOffset(sm.Time, origin) + " " + formatPercent(sm.Availability)})
			}
		}
		fmt.Fprintf(&a, " L%s,%s Z", num(x(samples[len(samples)-1].Time)), num(availBottom))
		c.AvailPath, c.AvailArea = p.String(), a.String()
	}
	if !ok {
		c.Notes = []text{{X: c.CenterX, Y: num(actTop + actHeight/2 + 4), Anchor: "middle", Class: "note", Body: "the run recorded no timed data"}}
	}
	return c
}

// budgetLabel names the budgets that share one MaxActions, n: "auto budget:
// 5 per 10m" for one, "budget 5: a per 10m, b per 5m" for several.
func budgetLabel(n int, bs []scorecard.BudgetLine) string {
	per := func(b scorecard.BudgetLine) string {
		if b.WindowSeconds > 0 {
			return " per " + formatSeconds(b.WindowSeconds)
		}
		return ""
	}
	if len(bs) == 1 {
		name := bs[0].Automation
		if name == "" {
			name = "action"
		}
		return fmt.Sprintf("%s budget: %d%s", name, n, per(bs[0]))
	}
	names := make([]string, len(bs))
	for i, b := range bs {
		names[i] = b.Automation + per(b)
	}
	return fmt.Sprintf("budget %d: %s", n, strings.Join(names, ", "))
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
