package metrics

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestBuildOf(t *testing.T) {
	tests := map[string]struct {
		info *debug.BuildInfo
		want Build
	}{
		"stamped by the VCS": {
			info: &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.3.0"}, Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
			}},
			want: Build{Version: "v0.3.0", GoVersion: "go1.26.0", Revision: "0123456789abcdef", Time: "2026-12-01T10:00:00Z", Modified: true},
		},
		"go run: no VCS stamp": {
			info: &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}},
			want: Build{Version: "(devel)", GoVersion: "go1.26.0", Revision: unknown},
		},
		"no main module version": {
			info: &debug.BuildInfo{GoVersion: "go1.26.0"},
			want: Build{Version: unknown, GoVersion: "go1.26.0", Revision: unknown},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := buildOf(tc.info); got != tc.want {
				t.Errorf("buildOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// New exports interlock_build_info at 1, labelled with the running build.
func TestNewExportsBuildInfo(t *testing.T) {
	reg := prometheus.NewRegistry()
	New(reg)
	b := ReadBuild()
	want := `# HELP interlock_build_info Always 1; its labels say which build of the remediator runs: version, Go version and VCS revision.
# TYPE interlock_build_info gauge
interlock_build_info{goversion="` + b.GoVersion + `",revision="` + b.Revision + `",version="` + b.Version + `"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), BuildInfo); err != nil {
		t.Error(err)
	}
}
