package render

import (
	"bytes"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/interlock-dev/interlock/harness/scorecard"
)

// verdictLabel is the verdict in capitals, as people read it: PASS, FAIL,
// ERROR; an unknown or empty verdict reads as ERROR.
func verdictLabel(v scorecard.Verdict) string {
	switch v {
	case scorecard.VerdictPass:
		return "PASS"
	case scorecard.VerdictFail:
		return "FAIL"
	default:
		return "ERROR"
	}
}

// verdictClass is the verdict for CSS classes: pass, fail or error.
func verdictClass(v scorecard.Verdict) string {
	switch v {
	case scorecard.VerdictPass, scorecard.VerdictFail:
		return string(v)
	default:
		return string(scorecard.VerdictError)
	}
}

// seconds converts a float number of seconds to a Duration.
func seconds(f float64) time.Duration {
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0
	}
	if f > float64(math.MaxInt64/int64(time.Second)) {
		return math.MaxInt64
	}
	return time.Duration(f * float64(time.Second))
}

// formatDuration prints a duration for people, rounded to what a reader can
// use: whole milliseconds under a quarter of a second (115ms), tenths of a
// second under ten seconds (0.3s, 4.2s, 2s), whole seconds under a minute
// (12s), then minutes and two-digit seconds (1m05s, 10m) and hours (1h30m,
// 2h00m05s). Every duration the text renderings print comes through here:
// the run's length, budget windows, fault windows. Zero or less prints as
// 0s, and anything under half a millisecond as <1ms.
func formatDuration(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	if ms := d.Round(time.Millisecond); ms < 250*time.Millisecond {
		if ms == 0 {
			return "<1ms"
		}
		return fmt.Sprintf("%dms", ms/time.Millisecond)
	}
	if t := d.Round(100 * time.Millisecond); t < 10*time.Second {
		if tenths := t % time.Second / (100 * time.Millisecond); tenths != 0 {
			return fmt.Sprintf("%d.%ds", t/time.Second, tenths)
		}
		return fmt.Sprintf("%ds", t/time.Second)
	}
	total := int64(d.Round(time.Second) / time.Second)
	h, m, sec := total/3600, total%3600/60, total%60
	switch {
	case h == 0 && m == 0:
		return fmt.Sprintf("%ds", sec)
	case h == 0 && sec == 0:
		return fmt.Sprintf("%dm", m)
	case h == 0:
		return fmt.Sprintf("%dm%02ds", m, sec)
	case m == 0 && sec == 0:
		return fmt.Sprintf("%dh", h)
	case sec == 0:
		return fmt.Sprintf("%dh%02dm", h, m)
	default:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, sec)
	}
}

// formatSeconds prints a float number of seconds as formatDuration does.
func formatSeconds(sec float64) string { return formatDuration(seconds(sec)) }

// formatClock prints a non-negative offset as m:ss or h:mm:ss.
func formatClock(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	sec := int64(d.Round(time.Second) / time.Second)
	var s string
	if sec >= 3600 {
		s = fmt.Sprintf("%d:%02d:%02d", sec/3600, sec%3600/60, sec%60)
	} else {
		s = fmt.Sprintf("%d:%02d", sec/60, sec%60)
	}
	if neg {
		return "-" + s
	}
	return s
}

// formatOffset prints t as a signed offset from origin, such as +1:05, or as
// an absolute UTC time if either is zero.
func formatOffset(t, origin time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if origin.IsZero() {
		return formatTime(t)
	}
	d := t.Sub(origin)
	if d < 0 {
		return formatClock(d)
	}
	return "+" + formatClock(d)
}

// formatTime prints an absolute time in UTC.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// formatPercent prints a 0..1 share as a percentage with one decimal.
func formatPercent(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", f*100)
}

// formatPoints prints the difference of two shares in percentage points.
func formatPoints(with, without float64) string {
	d := (with - without) * 100
	if math.IsNaN(d) || math.IsInf(d, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f points", d)
}

// formatCode prints an HTTP status code, or "?" if unknown.
func formatCode(c int) string {
	if c == 0 {
		return "?"
	}
	return fmt.Sprint(c)
}

// orNone returns s, or "—" if s is empty.
func orNone(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// printable makes rendered text safe for any reader: invalid UTF-8 and
// characters that neither XML nor a terminal should receive (C0 controls
// other than tab, newline and carriage return, DEL, C1 controls, U+FFFE and
// U+FFFF) become U+FFFD. Nothing else changes.
func printable(b []byte) []byte {
	return bytes.Map(func(r rune) rune {
		switch {
		case r == '\t', r == '\n', r == '\r':
			return r
		case r < 0x20, r >= 0x7f && r < 0xa0, r == 0xfffe, r == 0xffff:
			return utf8.RuneError
		}
		return r
	}, bytes.ToValidUTF8(b, []byte(string(utf8.RuneError))))
}

// plural prints a count with a noun, adding "s" unless the count is one.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// formatRecovered says whether a fault was recovered: "yes", "yes (at
// teardown)" or "no".
func formatRecovered(f scorecard.FaultWindow) string {
	switch {
	case !f.Recovered:
		return "no"
	case f.AtTeardown:
		return "yes (at teardown)"
	default:
		return "yes"
	}
}

// faultDuration is how long a fault lasted, rounded for people; "—" if it
// has no end.
func faultDuration(f scorecard.FaultWindow) string {
	if f.End.IsZero() || f.Start.IsZero() {
		return "—"
	}
	return formatDuration(f.End.Sub(f.Start))
}
