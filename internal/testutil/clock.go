package testutil

import "time"

// T0 is when every fixture run in the tests starts: a fixed instant, in UTC,
// so that times in golden files and messages never depend on the clock.
var T0 = time.Date(2026, 9, 14, 3, 0, 0, 0, time.UTC)

// At returns T0 plus sec seconds; fractions of a second count, so that
// At(0.5) is half a second after T0.
func At(sec float64) time.Time { return T0.Add(time.Duration(sec * float64(time.Second))) }
