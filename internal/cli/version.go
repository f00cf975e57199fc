package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/interlock-dev/interlock/remediator/metrics"
)

func init() { register(newVersionCommand) }

// versionInfo is what `interlock version -o json|yaml` prints: the build,
// as the remediator's interlock_build_info gauge labels it, and the
// platform.
type versionInfo struct {
	metrics.Build `json:",inline"`
	// Platform is the OS and architecture the binary runs on, such as
	// linux/amd64.
	Platform string `json:"platform"`
}

func newVersionCommand(streams Streams) *cobra.Command {
	out := dataOutput()
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print interlock's version, the Go version that built it and its VCS revision",
		Long: `Print the version of this interlock binary, the Go toolchain that built it
and the VCS revision it was built from, as the binary itself records them
(runtime/debug). The built-in remediator exports the same as the labels of
its ` + metrics.BuildInfo + ` gauge. A binary built by go run or go test
has no revision: it says unknown.`,
		Example: `  interlock version
  interlock version -o json`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if err := out.validate(); err != nil {
				return err
			}
			v := versionInfo{Build: metrics.ReadBuild(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
			if out.structured() {
				return out.print(streams.Out, v)
			}
			rev := v.Revision
			if v.Modified {
				rev += " (modified)"
			}
			fmt.Fprintf(streams.Out, "interlock %s\n  go:       %s %s\n  revision: %s\n", v.Version, v.GoVersion, v.Platform, rev)
			if v.Time != "" {
				fmt.Fprintf(streams.Out, "  time:     %s\n", v.Time)
			}
			return nil
		},
	}
	out.register(cmd)
	return cmd
}
