package remediator

import (
	"context"
	"fmt"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/remediator/controllers"
	"github.com/interlock-dev/interlock/remediator/engine"
	"github.com/interlock-dev/interlock/remediator/metrics"
	"github.com/interlock-dev/interlock/remediator/pager"
)

// What the CLI and the tests read of the controllers and the engine.
const (
	// CordonedByAnnotation marks a node the remediator cordoned, naming
	// the automation.
	CordonedByAnnotation = controllers.CordonedByAnnotation
	// RenewedFor is how long a renewed certificate is valid.
	RenewedFor = controllers.RenewedFor
)

// ProposalName is the deterministic name of the proposal for a target.
func ProposalName(automation, target string) string { return engine.ProposalName(automation, target) }

// SelfSigned makes a self-signed ECDSA certificate and key, PEM-encoded.
func SelfSigned(cn string, dnsNames []string, notBefore, notAfter time.Time) (certPEM, keyPEM []byte, err error) {
	return controllers.SelfSigned(cn, dnsNames, notBefore, notAfter)
}

// Options configure the remediator.
type Options struct {
	// Namespace holds the remediator's Automations, proposals, kill switch and
	// leader-election lease. Defaults to "interlock-system".
	Namespace string
	// MetricsAddr serves /metrics. "0" turns it off. Defaults to ":8080".
	MetricsAddr string
	// HealthAddr serves /healthz and /readyz. "0" turns it off. Defaults to "0".
	HealthAddr string
	// PprofAddr serves Go's profiles (net/http/pprof) under /debug/pprof/.
	// "0" turns it off. Defaults to "0".
	PprofAddr string
	// PageURL receives pages (Alertmanager v2 /api/v2/alerts). Required for
	// budget exhaustion to page; without it a halt is recorded but the page
	// fails and is counted as failed.
	PageURL string
	// LeaderElection makes replicas elect one leader so that two never act.
	// Defaults to false; the manifests turn it on.
	LeaderElection bool
	// LeaderElectionID names the lease. Defaults to "interlock-remediator".
	LeaderElectionID string
	// Clock tells the time. Defaults to the real clock.
	Clock clock.PassiveClock
	// Identity names this remediator in events. Defaults to "interlock-remediator".
	Identity string
}

func (o *Options) setDefaults() {
	if o.Namespace == "" {
		o.Namespace = "interlock-system"
	}
	if o.MetricsAddr == "" {
		o.MetricsAddr = ":8080"
	}
	if o.HealthAddr == "" {
		o.HealthAddr = "0"
	}
	if o.PprofAddr == "" {
		o.PprofAddr = "0"
	}
	if o.LeaderElectionID == "" {
		o.LeaderElectionID = "interlock-remediator"
	}
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	if o.Identity == "" {
		o.Identity = "interlock-remediator"
	}
}

// Remediator is the controller manager with every automation.
type Remediator struct {
	mgr ctrl.Manager
}

// New builds the remediator against the API server in cfg.
func New(cfg *rest.Config, opts Options) (*Remediator, error) {
	opts.setDefaults()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        contract.Scheme(),
		Metrics:                       metricsserver.Options{BindAddress: opts.MetricsAddr},
		HealthProbeBindAddress:        opts.HealthAddr,
		PprofBindAddress:              opts.PprofAddr,
		LeaderElection:                opts.LeaderElection,
		LeaderElectionID:              opts.LeaderElectionID,
		LeaderElectionNamespace:       opts.Namespace,
		LeaderElectionReleaseOnCancel: true,
		Cache: cache.Options{
			// Reads come from the informer cache; interlock's own objects only
			// from its namespace. What no automation reads is dropped before
			// it is stored (trimCached).
			DefaultTransform: trimCached,
			ByObject: map[client.Object]cache.ByObject{
				&v1alpha1.Automation{}:          {Namespaces: map[string]cache.Config{opts.Namespace: {}}},
				&v1alpha1.SafetyCase{}:          {Namespaces: map[string]cache.Config{opts.Namespace: {}}},
				&v1alpha1.RemediationProposal{}: {Namespaces: map[string]cache.Config{opts.Namespace: {}}},
			},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("failed to create manager: %w", err)
	}
	if opts.HealthAddr != "0" {
		if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
			return nil, fmt.Errorf("failed to add health check: %w", err)
		}
		if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
			return nil, fmt.Errorf("failed to add ready check: %w", err)
		}
	}
	e := &engine.Engine{
		Client:    mgr.GetClient(),
		Live:      mgr.GetAPIReader(),
		Informers: mgr.GetCache(),
		Recorder:  mgr.GetEventRecorder(opts.Identity),
		Metrics:   metrics.New(crmetrics.Registry),
		Pager:     &pager.Alertmanager{URL: opts.PageURL},
		Clock:     opts.Clock,
		Namespace: opts.Namespace,
	}
	if err := setupControllers(mgr, e); err != nil {
		return nil, err
	}
	return &Remediator{mgr: mgr}, nil
}

// Run runs until ctx is cancelled.
func (r *Remediator) Run(ctx context.Context) error {
	if err := r.mgr.Start(ctx); err != nil {
		return fmt.Errorf("remediator stopped: %w", err)
	}
	return nil
}

// setupControllers indexes the automations by type and adds every
// controller to mgr, all acting through e.
func setupControllers(mgr ctrl.Manager, e *engine.Engine) error {
	if err := engine.IndexAutomations(context.Background(), mgr.GetFieldIndexer()); err != nil {
		return err
	}
	for _, r := range []interface{ SetupWithManager(ctrl.Manager) error }{
		&controllers.AutomationReconciler{Engine: e},
		&controllers.PodReconciler{Engine: e},
		&controllers.NodeReconciler{Engine: e},
		&controllers.CertificateReconciler{Engine: e},
		&controllers.DeployReconciler{Engine: e},
	} {
		if err := r.SetupWithManager(mgr); err != nil {
			return err
		}
	}
	return nil
}
