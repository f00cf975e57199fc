package cli

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/internal/memlimit"
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
	memLimit := "auto"
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
			limit, auto, err := memoryLimit(memLimit, cmd.Flags().Changed("memory-limit"))
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
			switch {
			case auto:
				go memlimit.Follow(cmd.Context(), limit, autoMemoryEvery)
			case limit != 0:
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
	cmd.Flags().StringVar(&memLimit, "memory-limit", "auto", "soft limit on the Go heap, as GOMEMLIMIT: the garbage collector runs more often near it and hands freed memory back. "+
		"auto holds it at "+autoMemoryFloor+" or 1.5 times the live heap, whichever is more; a quantity such as 200Mi fixes it (about 90% of a container's memory limit); 0 turns it off. "+
		"GOMEMLIMIT, if set, wins over auto")
	return cmd
}

// autoMemoryFloor is the soft limit's floor under --memory-limit auto.
// At 1,000 nodes and 10,000 pods the remediator's live heap is about
// 55 MiB, and its initial lists briefly several times that. On one
// cluster of that size (make bench, 3 December 2026) its peak RSS was
// 141 MiB with a limit of 96Mi, 156 MiB with 112Mi, 167 MiB with 128Mi,
// 157 MiB with no limit and GOGC=50, and 195 MiB with neither; the
// trigger → action p50 was 33 to 40 ms in each. Under auto, the day's
// make bench measured a peak of 134 MiB.
const autoMemoryFloor = "96Mi"

// autoMemoryEvery is how often --memory-limit auto follows the live heap.
const autoMemoryEvery = 10 * time.Second

// memoryLimit reads --memory-limit: auto (its floor, and true), a quantity
// such as 128Mi, or 0 for none (math.MaxInt64, the runtime's own "none").
// It returns 0 and false to leave the runtime's limit as it is: when
// GOMEMLIMIT is in the environment and the flag was not given.
func memoryLimit(limit string, explicit bool) (int64, bool, error) {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok && !explicit {
		return 0, false, nil
	}
	auto := limit == "auto"
	if auto {
		limit = autoMemoryFloor
	}
	q, err := resource.ParseQuantity(limit)
	if err != nil || q.Sign() < 0 {
		return 0, false, fmt.Errorf("invalid --memory-limit %q: want auto, a quantity such as 128Mi, or 0 for none", limit)
	}
	if q.IsZero() {
		return math.MaxInt64, false, nil
	}
	return q.Value(), auto, nil
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
