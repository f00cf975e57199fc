package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/interlock-dev/interlock/internal/toolchain"
)

func init() { register(newToolsCommand) }

func newToolsCommand(streams Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tools",
		Short: "Build and locate the embedded cluster's components",
		Long: `The embedded cluster's components (etcd, kube-apiserver, kube-controller-manager,
kube-scheduler, kubectl, kwok, kwokctl, and metrics-server for scenarios that
autoscale) are built from the pinned Go modules in hack/tools into a
per-version cache, once. Set ` + toolchain.CacheDirEnv + ` to move the cache.`,
	}
	build := &cobra.Command{
		Use:     "build",
		Short:   "Build every missing component into the cache",
		Example: `  interlock tools build`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tc, err := toolchain.New(toolchain.Options{Progress: streams.Err})
			if err != nil {
				return err
			}
			if _, err := tc.Ensure(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintf(streams.Out, "All %d components are in %s\n", len(toolchain.Components), tc.CacheDir())
			return nil
		},
	}
	list := &cobra.Command{
		Use:     "list",
		Short:   "List the components, their versions and whether they are built",
		Example: `  interlock tools list`,
		Args:    cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			tc, err := toolchain.New(toolchain.Options{})
			if err != nil {
				return err
			}
			missing := map[string]bool{}
			for _, c := range tc.Missing() {
				missing[c.Name] = true
			}
			tw := tabwriter.NewWriter(streams.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "COMPONENT\tMODULE\tVERSION\tSTATE\tPATH")
			for _, c := range toolchain.Components {
				state := "built"
				if missing[c.Name] {
					state = "missing"
				}
				path, _ := tc.Path(c.Name)
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Name, c.Module.Upstream, c.Module.Version, state, path)
			}
			return tw.Flush()
		},
	}
	cmd.AddCommand(build, list)
	return cmd
}
