package assert

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// maxListed bounds how many actions evidence names one by one.
const maxListed = 6

// when formats t as an offset from the run's start, such as "+1:05", or as
// a clock time if the start is unknown.
func (o *Observation) when(t time.Time) string {
	origin := o.Origin
	if origin.IsZero() {
		origin = o.Start
	}
	if origin.IsZero() {
		return t.UTC().Format("15:04:05")
	}
	d := t.Sub(origin)
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	d = d.Round(time.Second)
	h, m, s := int(d/time.Hour), int(d/time.Minute)%60, int(d/time.Second)%60
	if h > 0 {
		return fmt.Sprintf("%s%d:%02d:%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%s%d:%02d", sign, m, s)
}

// dur formats a duration for people, rounded as the scorecard's renderers
// round it: "55ms" below a quarter second, "0.4s" and "4.2s" below ten
// seconds, whole seconds above: "12s", "1m30s", "10m", "1h".
func dur(d time.Duration) string {
	switch a := d.Abs(); {
	case a == 0:
		return "0s"
	case a < 250*time.Millisecond:
		d = d.Round(time.Millisecond)
	case a < time.Second:
		return strconv.FormatFloat(d.Round(100*time.Millisecond).Seconds(), 'f', 1, 64) + "s"
	case a < 10*time.Second:
		d = d.Round(100 * time.Millisecond)
	default:
		d = d.Round(time.Second)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// pct formats a share, 0..1, as a percentage.
func pct(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

// plural is "1 action", "2 actions".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// ordinal is "1st", "2nd", "3rd", "4th", "11th".
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// describe names one action: "pods/eviction create shop/api-0 at +0:50".
func (o *Observation) describe(e scorecard.LedgerEntry) string {
	r := e.Resource
	if e.Subresource != "" {
		r += "/" + e.Subresource
	}
	n := e.Name
	if e.Namespace != "" {
		n = e.Namespace + "/" + n
	}
	return fmt.Sprintf("%s %s %s at %s", r, e.Verb, n, o.when(e.Time))
}

// list names up to maxListed actions, then says how many more.
func (o *Observation) list(es []scorecard.LedgerEntry) string {
	var parts []string
	for i, e := range es {
		if i == maxListed {
			parts = append(parts, fmt.Sprintf("and %d more", len(es)-maxListed))
			break
		}
		parts = append(parts, o.describe(e))
	}
	return strings.Join(parts, "; ")
}

// span says when a run of actions happened: "at +0:50" or "from +0:50 to +2:05".
func (o *Observation) span(es []scorecard.LedgerEntry) string {
	if len(es) == 0 {
		return ""
	}
	first, last := o.when(es[0].Time), o.when(es[len(es)-1].Time)
	if first == last {
		return "at " + first
	}
	return "from " + first + " to " + last
}

// rejectedNote says how many rejected requests were left out, if any.
func (o *Observation) rejectedNote() string {
	if n := o.rejected(); n > 0 {
		return fmt.Sprintf("; %s rejected by the API server, not counted", plural(n, "request"))
	}
	return ""
}

// activeFaults names the faults active at t.
func (o *Observation) activeFaults(t time.Time) []string {
	var out []string
	for _, f := range o.Faults {
		if !t.Before(f.Start) && (f.End.IsZero() || !t.After(f.End)) {
			out = append(out, f.Name)
		}
	}
	return out
}

// byEnd is " by the end of the run (+5:00)", or "" if the end is unknown.
func (o *Observation) byEnd() string {
	if o.End.IsZero() {
		return ""
	}
	return " by the end of the run (" + o.when(o.End) + ")"
}
