package metrics

import (
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interlock-dev/interlock/contract"
)

// unknown stands for a part of the build that the binary does not record.
const unknown = "unknown"

// Build is what the running binary was built from, as runtime/debug reads
// it from the binary itself.
type Build struct {
	// Version is the main module's version: a tag, a pseudo-version
	// (with +dirty for a modified tree), or (devel); unknown without
	// build information.
	Version string `json:"version"`
	// GoVersion is the Go toolchain that built it.
	GoVersion string `json:"goVersion"`
	// Revision is the VCS commit it was built from, or unknown when the
	// build did not stamp one (go run, go test, -buildvcs=false).
	Revision string `json:"revision"`
	// Time is the commit's time, RFC 3339; empty when not stamped.
	Time string `json:"time,omitempty"`
	// Modified is true when the working tree had uncommitted changes.
	Modified bool `json:"modified,omitempty"`
}

// ReadBuild returns the running binary's build.
func ReadBuild() Build {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return Build{Version: unknown, GoVersion: runtime.Version(), Revision: unknown}
	}
	return buildOf(info)
}

// buildOf reads a Build from the binary's build information.
func buildOf(info *debug.BuildInfo) Build {
	b := Build{Version: info.Main.Version, GoVersion: info.GoVersion, Revision: unknown}
	if b.Version == "" {
		b.Version = unknown
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// newBuildInfo is the interlock_build_info gauge: always 1, its labels
// saying which build is running, so that a dashboard can tell which build
// took an action.
func newBuildInfo(b Build) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: BuildInfo,
		Help: "Always 1; its labels say which build of the remediator runs: version, Go version and VCS revision.",
		ConstLabels: prometheus.Labels{
			contract.LabelVersion:   b.Version,
			contract.LabelGoVersion: b.GoVersion,
			contract.LabelRevision:  b.Revision,
		},
	})
	g.Set(1)
	return g
}
