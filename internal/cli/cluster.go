package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/toolchain"
)

func init() { register(newClusterCommand) }

func newClusterCommand(streams Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "Manage embedded clusters (a real control plane with simulated nodes)",
		Long: `Manage embedded clusters. An embedded cluster runs etcd, kube-apiserver,
kube-controller-manager and kube-scheduler as local processes, built from
pinned Go modules, with API audit logging on. The kwok controller simulates
the nodes and the pods on them; there is no kubelet and no container runtime.`,
	}
	cmd.AddCommand(newClusterUpCommand(streams), newClusterDownCommand(streams),
		newClusterStatusCommand(streams), newClusterListCommand(streams), newClusterKubeconfigCommand(streams))
	return cmd
}

// defaultClusterName is the cluster every cluster command works on
// without --name.
const defaultClusterName = "interlock"

// nameFlag registers --name, the cluster a command works on; an existing
// cluster's name completes in the shell unless the command makes one.
func nameFlag(cmd *cobra.Command, name *string, existing bool) {
	cmd.Flags().StringVar(name, "name", defaultClusterName, "cluster name")
	if existing {
		_ = cmd.RegisterFlagCompletionFunc("name", completeClusters)
	}
}

func embeddedProvider(progress io.Writer) (*cluster.Embedded, error) {
	tc, err := toolchain.New(toolchain.Options{Progress: progress})
	if err != nil {
		return nil, err
	}
	return cluster.NewEmbedded(tc)
}

// clusterUpReport is what cluster up prints with -o json or yaml.
type clusterUpReport struct {
	Name           string  `json:"name"`
	Nodes          int     `json:"nodes"`
	Kubeconfig     string  `json:"kubeconfig"`
	AuditLog       string  `json:"auditLog"`
	Dir            string  `json:"dir"`
	ElapsedSeconds float64 `json:"elapsedSeconds"`
}

func newClusterUpCommand(streams Streams) *cobra.Command {
	opts := cluster.UpOptions{}
	out := dataOutput()
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start an embedded cluster and wait until it and its nodes are ready",
		Example: `  # A cluster named "a" with three Ready nodes
  interlock cluster up --name a --nodes 3 --kubeconfig /tmp/a.kubeconfig
  kubectl --kubeconfig /tmp/a.kubeconfig get nodes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.validate(); err != nil {
				return err
			}
			opts.Progress = streams.Err
			p, err := embeddedProvider(streams.Err)
			if err != nil {
				return err
			}
			c, err := p.Up(cmd.Context(), opts)
			if err != nil {
				return err
			}
			if out.structured() {
				return out.print(streams.Out, clusterUpReport{Name: c.Name, Nodes: opts.Nodes, Kubeconfig: c.Kubeconfig,
					AuditLog: c.AuditLog, Dir: c.Dir, ElapsedSeconds: c.Elapsed.Seconds()})
			}
			fmt.Fprintf(streams.Out, "Cluster %q is ready with %d node(s) in %s\n", c.Name, opts.Nodes, c.Elapsed.Round(100*time.Millisecond))
			fmt.Fprintf(streams.Out, "  kubeconfig: %s\n  audit log:  %s\n", c.Kubeconfig, c.AuditLog)
			fmt.Fprintf(streams.Out, "Try: kubectl --kubeconfig %s get nodes\n", c.Kubeconfig)
			return nil
		},
	}
	nameFlag(cmd, &opts.Name, false)
	cmd.Flags().IntVar(&opts.Nodes, "nodes", 1, "number of simulated nodes to create")
	cmd.Flags().StringVar(&opts.Kubeconfig, "kubeconfig", "", "where to write the admin kubeconfig (default: inside the cluster's directory; interlock cluster kubeconfig prints it)")
	cmd.Flags().DurationVar(&opts.Wait, "wait", 2*time.Minute, "how long to wait for the control plane and nodes")
	cmd.Flags().BoolVar(&opts.Metrics, "metrics", false, "also run metrics-server with kwok's simulated pod usage, so that a HorizontalPodAutoscaler works")
	out.register(cmd)
	return cmd
}

func newClusterDownCommand(streams Streams) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:     "down",
		Short:   "Stop an embedded cluster's processes and remove its files",
		Example: `  interlock cluster down --name a`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := embeddedProvider(streams.Err)
			if err != nil {
				return err
			}
			if _, err := p.Status(cmd.Context(), name); errors.Is(err, cluster.ErrNotFound) {
				fmt.Fprintf(streams.Out, "Cluster %q not found; nothing to do\n", name)
				return p.Down(cmd.Context(), name)
			}
			if err := p.Down(cmd.Context(), name); err != nil {
				return err
			}
			fmt.Fprintf(streams.Out, "Cluster %q deleted\n", name)
			return nil
		},
	}
	nameFlag(cmd, &name, true)
	return cmd
}

func newClusterStatusCommand(streams Streams) *cobra.Command {
	var name string
	out := dataOutput()
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show an embedded cluster's components and where its audit log is",
		Example: `  interlock cluster status --name a
  interlock cluster status --name a -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.validate(); err != nil {
				return err
			}
			p, err := embeddedProvider(streams.Err)
			if err != nil {
				return err
			}
			st, err := p.Status(cmd.Context(), name)
			if err != nil {
				return clusterNotFound(err, p, cmd, name)
			}
			if out.structured() {
				return out.print(streams.Out, st)
			}
			fmt.Fprintf(streams.Out, "Cluster:    %s\nDirectory:  %s\nKubeconfig: %s\nAudit log:  %s\n\n", st.Name, st.Dir, st.Kubeconfig, st.AuditLog)
			tw := tabwriter.NewWriter(streams.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "COMPONENT\tPID\tSTATE\tLOG")
			for _, c := range st.Components {
				state := "stopped"
				if c.Running {
					state = "running"
				}
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", c.Name, c.PID, state, c.Log)
			}
			return tw.Flush()
		},
	}
	nameFlag(cmd, &name, true)
	out.register(cmd)
	return cmd
}

func newClusterListCommand(streams Streams) *cobra.Command {
	out := dataOutput()
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List embedded clusters",
		Example: `  interlock cluster list -o json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.validate(); err != nil {
				return err
			}
			p, err := embeddedProvider(streams.Err)
			if err != nil {
				return err
			}
			names, err := p.List(cmd.Context())
			if err != nil {
				return err
			}
			if out.structured() {
				if names == nil {
					names = []string{}
				}
				return out.print(streams.Out, names)
			}
			if len(names) == 0 {
				fmt.Fprintln(streams.Out, "No clusters.")
			}
			for _, n := range names {
				fmt.Fprintln(streams.Out, n)
			}
			return nil
		},
	}
	out.register(cmd)
	return cmd
}

func newClusterKubeconfigCommand(streams Streams) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "kubeconfig",
		Short: "Print an embedded cluster's admin kubeconfig, as kind get kubeconfig does",
		Long: `Print the admin kubeconfig of the embedded cluster --name, the one
cluster up wrote into the cluster's directory, so that it can be saved
anywhere or used at once.`,
		Example: `  interlock cluster kubeconfig --name a > /tmp/a.kubeconfig
  kubectl --kubeconfig <(interlock cluster kubeconfig --name a) get nodes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := embeddedProvider(streams.Err)
			if err != nil {
				return err
			}
			st, err := p.Status(cmd.Context(), name)
			if err != nil {
				return clusterNotFound(err, p, cmd, name)
			}
			data, err := os.ReadFile(st.Kubeconfig)
			if err != nil {
				return fmt.Errorf("failed to read the kubeconfig of cluster %q (is it still coming up?): %w", name, err)
			}
			_, err = streams.Out.Write(data)
			return err
		},
	}
	nameFlag(cmd, &name, true)
	return cmd
}
