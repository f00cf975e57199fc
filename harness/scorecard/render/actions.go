package render

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// sortedActions returns the Actions of s sorted by time, leaving s untouched.
func sortedActions(s *scorecard.Scorecard) []scorecard.Action {
	out := slices.Clone(s.Actions)
	slices.SortStableFunc(out, func(a, b scorecard.Action) int { return a.Time.Compare(b.Time) })
	return out
}

// formatCounted prints Action.Counted for a table.
func formatCounted(a scorecard.Action) string {
	if a.Counted {
		return "yes"
	}
	return "no"
}

// formatUntil prints when an action's target stopped being affected, as an
// offset from origin: "still at end" for a counted action whose target still
// was at the end of the run, "—" for an uncounted one (a reversal) without.
func formatUntil(a scorecard.Action, origin time.Time) string {
	if a.Until.IsZero() && a.Counted {
		return "still at end"
	}
	return formatOffset(a.Until, origin)
}

// actionTitle describes one action in a line, for the chart's tooltips.
func actionTitle(a scorecard.Action, origin time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", formatOffset(a.Time, origin), a.KindOrUnknown(), a.Target)
	if a.Detail != "" {
		b.WriteString(", " + a.Detail)
	}
	about := []string{"class " + orNone(a.Class)}
	if a.Automation != "" {
		about = append([]string{a.Automation}, about...)
	}
	fmt.Fprintf(&b, " (%s)", strings.Join(about, ", "))
	if !a.Until.IsZero() {
		fmt.Fprintf(&b, ", until %s", formatOffset(a.Until, origin))
	}
	if !a.Counted {
		b.WriteString("; not counted")
	}
	return b.String()
}
