package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
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
per-version cache, once. So is the descheduler that examples/descheduler
grades as a remediator. Set ` + toolchain.CacheDirEnv + ` to move the cache.`,
	}
	cmd.AddCommand(newToolsBuildCommand(streams), newToolsListCommand(streams), newToolsPathCommand(streams))
	return cmd
}

func newToolsBuildCommand(streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "build [COMPONENT...]",
		Short: "Build the missing components into the cache: the named ones, or every one but the examples' (descheduler)",
		Example: `  interlock tools build
  interlock tools build descheduler`,
		ValidArgsFunction: componentNames,
		RunE: func(cmd *cobra.Command, args []string) error {
			return buildTools(cmd.Context(), streams, args)
		},
	}
}

// buildTools builds the named components, or every default one, and says
// where they are.
func buildTools(ctx context.Context, streams Streams, names []string) error {
	if err := knownComponents(names...); err != nil {
		return err
	}
	tc, err := toolchain.New(toolchain.Options{Progress: streams.Err})
	if err != nil {
		return err
	}
	bins, err := tc.Ensure(ctx, names...)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		fmt.Fprintf(streams.Out, "All %d components are in %s\n", len(bins), tc.CacheDir())
		return nil
	}
	for _, name := range names {
		fmt.Fprintf(streams.Out, "%s is %s\n", name, bins[name])
	}
	return nil
}

func newToolsListCommand(streams Streams) *cobra.Command {
	out := dataOutput()
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the components, their versions and whether they are built",
		Example: `  interlock tools list

  # Where kubectl is, for a script
  interlock tools list -o json | jq -r '.[] | select(.name == "kubectl") | .path'`,
		Args: cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if err := out.validate(); err != nil {
				return err
			}
			return listTools(streams.Out, &out)
		},
	}
	out.register(cmd)
	return cmd
}

// Tool states in tools list.
const (
	toolBuilt   = "built"
	toolMissing = "missing"
)

// toolRow is one component in tools list.
type toolRow struct {
	// Name is the component's binary name.
	Name string `json:"name"`
	// Module is the upstream Go module it is built from.
	Module string `json:"module"`
	// Version is the module's pinned version.
	Version string `json:"version"`
	// State is built or missing.
	State string `json:"state"`
	// Path is where the binary is, or will be, cached.
	Path string `json:"path"`
	// Optional components are built only for the clusters that need them.
	Optional bool `json:"optional"`
	// OnDemand components are built only when named.
	OnDemand bool `json:"onDemand"`
}

// listTools prints each component with its module, version, state and path.
func listTools(w io.Writer, out *outputFlag) error {
	tc, err := toolchain.New(toolchain.Options{})
	if err != nil {
		return err
	}
	missing := map[string]bool{}
	for _, c := range tc.Missing() {
		missing[c.Name] = true
	}
	rows := make([]toolRow, 0, len(toolchain.Components))
	for _, c := range toolchain.Components {
		state := toolBuilt
		if missing[c.Name] {
			state = toolMissing
		}
		path, err := tc.Path(c.Name)
		if err != nil {
			return err
		}
		rows = append(rows, toolRow{Name: c.Name, Module: c.Module.Upstream, Version: c.Module.Version, State: state,
			Path: path, Optional: c.Optional, OnDemand: c.OnDemand})
	}
	if out.structured() {
		return out.print(w, rows)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMPONENT\tMODULE\tVERSION\tSTATE\tPATH")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.Module, r.Version, r.State, r.Path)
	}
	return tw.Flush()
}

func newToolsPathCommand(streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "path COMPONENT",
		Short: "Print where a component is cached, and fail if it is not built",
		Example: `  interlock tools path descheduler
  "$(interlock tools path descheduler)" --help`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: componentNames,
		RunE: func(_ *cobra.Command, args []string) error {
			return toolPath(streams.Out, args[0])
		},
	}
}

// toolPath prints where the component is cached, or fails if it is not built.
func toolPath(w io.Writer, name string) error {
	if err := knownComponents(name); err != nil {
		return err
	}
	tc, err := toolchain.New(toolchain.Options{})
	if err != nil {
		return err
	}
	p, err := tc.Path(name)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not built (no %s): run 'interlock tools build %s'", name, p, name)
	}
	fmt.Fprintln(w, p)
	return nil
}

// knownComponents fails on the first name that is not a component.
func knownComponents(names ...string) error {
	known := componentList()
	for _, n := range names {
		if !slices.Contains(known, n) {
			return fmt.Errorf("unknown component %q: want one of %s", n, strings.Join(known, ", "))
		}
	}
	return nil
}

func componentList() []string {
	names := make([]string, len(toolchain.Components))
	for i, c := range toolchain.Components {
		names[i] = c.Name
	}
	return names
}

func componentNames(_ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	return componentList(), cobra.ShellCompDirectiveNoFileComp
}
