package render

import (
	"fmt"
	"strings"
)

// drawSteps draws the counted actions as a cumulative step line with a dot
// each (none past maxStepDots), and each action not counted (a reversal) as
// a diamond on the line, which it leaves where it was. With no action and
// no budget the panel holds a note instead.
func (c *chart) drawSteps(l *layout) {
	var d strings.Builder
	fmt.Fprintf(&d, "M%s,%s", num(l.left), num(l.y(0)))
	count := 0
	for _, a := range l.acts {
		xx := l.x(a.Time)
		title := actionTitle(a, l.origin)
		if !a.Counted {
			c.Reversals = append(c.Reversals, diamond(xx, l.y(float64(count)), title))
			continue
		}
		count++
		fmt.Fprintf(&d, " H%s V%s", num(xx), num(l.y(float64(count))))
		if l.total > maxStepDots {
			continue
		}
		c.StepDots = append(c.StepDots, dot{X: num(xx), Y: num(l.y(float64(count))), R: "3.5", Class: "stepdot", Title: fmt.Sprintf("action %d: %s", count, title)})
	}
	fmt.Fprintf(&d, " H%s", num(l.right))
	if len(l.acts) > 0 || len(l.s.Budgets) > 0 {
		c.StepPath = d.String()
	} else {
		c.Notes = append(c.Notes, text{X: c.CenterX, Y: num(l.actTop + l.actHeight/2 + 4), Anchor: "middle", Class: "note", Body: "no remediator actions counted"})
	}
}

// diamond is a reversal's mark, centred at xx, yy.
func diamond(xx, yy float64, title string) mark {
	return mark{
		Points: fmt.Sprintf("%s,%s %s,%s %s,%s %s,%s", num(xx), num(yy-6), num(xx+6), num(yy), num(xx), num(yy+6), num(xx-6), num(yy)),
		Class:  "reversal", Title: title,
	}
}
