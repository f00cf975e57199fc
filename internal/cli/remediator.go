package cli

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/remediator"
)

func init() {
	register(newRemediatorCommand)
	register(newResumeCommand)
	register(newApproveCommand)
	register(newKillSwitchCommand)
}

// kubeFlags are the kubectl-style connection flags.
type kubeFlags struct {
	kubeconfig string
	namespace  string
}

func (k *kubeFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&k.kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
	cmd.Flags().StringVarP(&k.namespace, "namespace", "n", "interlock-system", "the remediator's namespace")
}

func (k *kubeFlags) config() (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if k.kubeconfig != "" {
		rules.ExplicitPath = k.kubeconfig
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("failed to load kubeconfig: %w", err)
	}
	return cfg, nil
}

func (k *kubeFlags) client() (client.Client, *rest.Config, error) {
	cfg, err := k.config()
	if err != nil {
		return nil, nil, err
	}
	c, err := client.New(cfg, client.Options{Scheme: contract.Scheme()})
	if err != nil {
		return nil, nil, fmt.Errorf("failed to create client: %w", err)
	}
	return c, cfg, nil
}

func newRemediatorCommand(streams Streams) *cobra.Command {
	var kf kubeFlags
	opts := remediator.Options{}
	var verbose bool
	memLimit := defaultMemoryLimit
	cmd := &cobra.Command{
		Use:   "remediator",
		Short: "Run the built-in remediation controller",
		Long: `Run the built-in remediation controller. It runs every Automation in its
namespace within the Automation's safety case: it records each action before
taking it, halts an automation whose budget is spent and pages through an
Alertmanager v2-compatible webhook (--page-url), files RemediationProposals
for actions that need a named human, and stops every action while the kill
switch is on.`,
		Example: `  # Against an embedded cluster, paging a local Alertmanager
  interlock remediator --kubeconfig /tmp/a.kubeconfig --metrics-addr 127.0.0.1:8080 \
    --page-url http://127.0.0.1:9093/api/v2/alerts`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctrllog.SetLogger(zap.New(zap.WriteTo(streams.Err), zap.UseDevMode(verbose)))
			limit, err := memoryLimit(memLimit, cmd.Flags().Changed("memory-limit"))
			if err != nil {
				return err
			}
			cfg, err := kf.config()
			if err != nil {
				return err
			}
			opts.Namespace = kf.namespace
			r, err := remediator.New(cfg, opts)
			if err != nil {
				return err
			}
			if limit != 0 {
				debug.SetMemoryLimit(limit)
			}
			return r.Run(cmd.Context())
		},
	}
	kf.register(cmd)
	cmd.Flags().StringVar(&opts.MetricsAddr, "metrics-addr", ":8080", "address to serve /metrics on; 0 turns it off")
	cmd.Flags().StringVar(&opts.HealthAddr, "health-addr", "0", "address to serve /healthz and /readyz on; 0 turns it off")
	cmd.Flags().StringVar(&opts.PprofAddr, "pprof-addr", "0", "address to serve Go's CPU and heap profiles on, under /debug/pprof/; 0 turns it off")
	cmd.Flags().StringVar(&opts.PageURL, "page-url", "", "Alertmanager v2 alerts URL that receives pages, e.g. http://alertmanager:9093/api/v2/alerts")
	cmd.Flags().BoolVar(&opts.LeaderElection, "leader-elect", false, "elect a leader so that replicas never act twice")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "log every decision")
	cmd.Flags().StringVar(&memLimit, "memory-limit", defaultMemoryLimit, "soft limit on the Go heap, as GOMEMLIMIT: the garbage collector runs more often near it and hands freed memory back; set about 90% of a container's memory limit; 0 turns it off (GOMEMLIMIT, if set, wins over the default)")
	return cmd
}

// defaultMemoryLimit is the remediator's soft heap limit unless told
// otherwise. At 1,000 nodes and 10,000 pods its caches hold about 70 MiB;
// with Go's default of collecting when the heap has doubled, and freed
// memory handed back lazily, it sat at 220 MiB resident.
const defaultMemoryLimit = "128Mi"

// memoryLimit reads the soft memory limit to give the Go runtime: a
// quantity such as 128Mi, or 0 for none (math.MaxInt64, the runtime's own
// "none"). It returns 0 to leave the runtime's limit as it is: when
// GOMEMLIMIT is in the environment and the flag was not given.
func memoryLimit(limit string, explicit bool) (int64, error) {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok && !explicit {
		return 0, nil
	}
	q, err := resource.ParseQuantity(limit)
	if err != nil || q.Sign() < 0 {
		return 0, fmt.Errorf("invalid --memory-limit %q: want a quantity such as 128Mi, or 0 for none", limit)
	}
	if q.IsZero() {
		return math.MaxInt64, nil
	}
	return q.Value(), nil
}

func newResumeCommand(streams Streams) *cobra.Command {
	return newHumanDecisionCommand(streams, "resume AUTOMATION",
		"Lift an automation's halt, recorded under your name as the API server sees it",
		`  interlock resume unhealthy-workload --kubeconfig /tmp/a.kubeconfig`,
		"Automation %q resumed by %s\n", remediator.Resume)
}

func newApproveCommand(streams Streams) *cobra.Command {
	return newHumanDecisionCommand(streams, "approve PROPOSAL",
		"Approve a remediation proposal, recorded under your name as the API server sees it",
		`  kubectl get remediationproposals -n interlock-system
  interlock approve certificate-expiry-3f2a1b9c0d --kubeconfig /tmp/a.kubeconfig`,
		"Proposal %q approved by %s\n", remediator.Approve)
}

// newHumanDecisionCommand builds a command that records a human decision on
// one named object under the name the API server gives the caller.
func newHumanDecisionCommand(streams Streams, use, short, example, done string,
	decide func(context.Context, client.Client, clock.PassiveClock, client.ObjectKey, string) error) *cobra.Command {
	var kf kubeFlags
	cmd := &cobra.Command{
		Use: use, Short: short, Example: example,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, cfg, err := kf.client()
			if err != nil {
				return err
			}
			who, err := remediator.WhoAmI(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if err := decide(cmd.Context(), c, clock.RealClock{}, client.ObjectKey{Namespace: kf.namespace, Name: args[0]}, who); err != nil {
				return err
			}
			fmt.Fprintf(streams.Out, done, args[0], who)
			return nil
		},
	}
	kf.register(cmd)
	return cmd
}

func newKillSwitchCommand(streams Streams) *cobra.Command {
	var kf kubeFlags
	cmd := &cobra.Command{
		Use:       "killswitch on|off",
		Short:     "Stop (on) or allow (off) every remediation action at once",
		Example:   `  interlock killswitch on --kubeconfig /tmp/a.kubeconfig`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"on", "off"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "on" && args[0] != "off" {
				return fmt.Errorf("invalid argument %q: must be on or off", args[0])
			}
			c, _, err := kf.client()
			if err != nil {
				return err
			}
			if err := remediator.SetKillSwitch(cmd.Context(), c, kf.namespace, args[0] == "on"); err != nil {
				return err
			}
			fmt.Fprintf(streams.Out, "Kill switch %s\n", args[0])
			return nil
		},
	}
	kf.register(cmd)
	return cmd
}
