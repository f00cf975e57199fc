package experiments

import (
	"fmt"
	"path"
	"strings"
)

// HTTPRead is how an HTTPChaos that fails requests (abort, or a 5xx in
// place of the response) reads against a pod's HTTP readiness probe.
type HTTPRead int

const (
	// HTTPReadinessLie: only the health path fails; the workload serves.
	HTTPReadinessLie HTTPRead = iota
	// HTTPBlind: serving paths fail; the health path passes.
	HTTPBlind
	// HTTPOutage: every path fails, the health path too.
	HTTPOutage
)

// ClassifyHTTP reads an HTTPChaos path pattern (nil or empty: every path)
// against probePath, the path of the pod's HTTP readiness probe on the
// HTTPChaos's port; probed is false if the pod has no such probe.
func ClassifyHTTP(pattern *string, probePath string, probed bool) HTTPRead {
	switch {
	case !probed:
		return HTTPBlind
	case pattern == nil || *pattern == "":
		return HTTPOutage
	case !strings.ContainsAny(*pattern, `*?[\`):
		if path.Clean(*pattern) == path.Clean(probePath) {
			return HTTPReadinessLie
		}
		return HTTPBlind
	}
	if ok, _ := path.Match(*pattern, probePath); ok {
		// A pattern that covers the health path covers serving paths too.
		return HTTPOutage
	}
	return HTTPBlind
}

// Mark sets eff's TrulyBroken and LooksBroken as r reads, and its
// Description: requests failing by how (abort, status 503) on the path
// pattern (nil or empty: every path) of where (pod(s) web-0 in shop), whose
// readiness probe is on probePath.
func (r HTTPRead) Mark(eff *Effect, how string, pattern *string, probePath, where string) {
	on := "every path"
	if pattern != nil && *pattern != "" {
		on = "path " + *pattern
	}
	switch r {
	case HTTPReadinessLie:
		eff.LooksBroken = true
		eff.Description = fmt.Sprintf("HTTP %s on the health path %s of %s: readiness fails (Ready=False) while the workload serves", how, probePath, where)
	case HTTPBlind:
		eff.TrulyBroken = true
		eff.Description = fmt.Sprintf("HTTP %s on %s of %s: the workload fails while its readiness passes", how, on, where)
	case HTTPOutage:
		eff.TrulyBroken, eff.LooksBroken = true, true
		eff.Description = fmt.Sprintf("HTTP %s on %s of %s: every request fails, the readiness probe's too (Ready=False)", how, on, where)
	}
}
