package render

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// drawBudgets draws a dashed line across the actions panel at each
// distinct MaxActions of the budgets, labelled at its right end.
func (c *chart) drawBudgets(l *layout) {
	byMax := map[int][]scorecard.BudgetLine{}
	for _, b := range l.s.Budgets {
		byMax[b.MaxActions] = append(byMax[b.MaxActions], b)
	}
	for _, n := range slices.Sorted(maps.Keys(byMax)) {
		yy := l.y(float64(n))
		label := budgetLabel(n, byMax[n])
		c.Budgets = append(c.Budgets, line{X1: num(l.left), Y1: num(yy), X2: num(l.right), Y2: num(yy), Class: "budget", Title: label})
		c.BudgetTxt = append(c.BudgetTxt, text{X: num(l.right - 4), Y: num(yy - 5), Anchor: "end", Class: "budgettext", Body: label})
	}
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
