package scenarios

import (
	"encoding/json"
	"strconv"
	"time"
)

// Duration is a length of time written as a Go duration string, such as
// "90s" or "1m30s". A value that does not parse is kept as written and
// reported by Validate with its field path, next to every other problem.
type Duration struct {
	time.Duration

	// raw is the value as written when it is not a duration string.
	raw *string
}

// Dur returns d as a Duration.
func Dur(d time.Duration) Duration { return Duration{Duration: d} }

// UnmarshalJSON accepts any JSON value; a value that is not a duration
// string is kept for Validate to report.
func (d *Duration) UnmarshalJSON(b []byte) error {
	*d = Duration{}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		raw := string(b)
		d.raw = &raw
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		d.raw = &s
		return nil
	}
	d.Duration = v
	return nil
}

// MarshalJSON writes the duration as a string, or an invalid value as written.
func (d Duration) MarshalJSON() ([]byte, error) {
	if d.raw != nil {
		return json.Marshal(*d.raw)
	}
	return []byte(strconv.Quote(d.Duration.String())), nil
}

// Valid reports whether the duration parsed.
func (d Duration) Valid() bool { return d.raw == nil }

// String returns the duration, or the value as written when it did not parse.
func (d Duration) String() string {
	if d.raw != nil {
		return *d.raw
	}
	return d.Duration.String()
}
