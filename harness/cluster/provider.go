package cluster

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"

	"k8s.io/client-go/rest"
)

// AuditPolicy is the API audit policy every interlock cluster runs with. It
// records each mutating request with its user, which the ledger reads.
//
//go:embed audit-policy.yaml
var AuditPolicy []byte

// kwokctlConfig patches the components kwokctl starts.
//
//go:embed kwokctl-config.yaml
var kwokctlConfig []byte

// kubeSchedulerConfig has the scheduler look at a share of a big cluster's
// nodes for each pod rather than at nearly half of them.
//
//go:embed kube-scheduler-config.yaml
var kubeSchedulerConfig []byte

// HarnessUserAgent is the user agent of every request the harness and its
// providers make as the cluster's admin. The ledger tells the harness's
// writes from the components that share that identity by it (see
// ledger.Actors).
const HarnessUserAgent = "interlock-harness/dev"

// Provider brings clusters up and down. The embedded provider runs a real
// control plane as local processes; other providers (kind) share the shape.
type Provider interface {
	// Up creates a cluster, waits until its API and nodes are ready, and
	// returns how to reach it. On error or cancellation nothing is left behind.
	Up(ctx context.Context, opts UpOptions) (*Cluster, error)
	// Down stops every process of the cluster and removes its files. A
	// cluster that does not exist is not an error.
	Down(ctx context.Context, name string) error
	// Status reports a cluster's components and files.
	Status(ctx context.Context, name string) (*Status, error)
	// List returns the names of existing clusters.
	List(ctx context.Context) ([]string, error)
}

// UpOptions describe the cluster to create.
type UpOptions struct {
	// Name identifies the cluster; a DNS label. Required.
	Name string
	// Nodes is how many simulated nodes to create. Defaults to 0.
	Nodes int
	// Kubeconfig, if set, is where an admin kubeconfig is written.
	Kubeconfig string
	// Wait bounds how long to wait for the API server and nodes. Defaults to 2m.
	Wait time.Duration
	// Progress receives one line per step. Defaults to io.Discard.
	Progress io.Writer
	// Metrics runs metrics-server and has kwok simulate each pod's CPU and
	// memory (see SetPodCPU), so the resource metrics API serves and
	// HorizontalPodAutoscalers act on it. Defaults to false.
	Metrics bool
}

// Cluster is a running cluster.
type Cluster struct {
	Name string
	// Kubeconfig is the admin kubeconfig's path.
	Kubeconfig string
	// AuditLog is the API server's audit log on this machine.
	AuditLog string
	// Dir holds the cluster's files.
	Dir string
	// Config reaches the API server as admin.
	Config *rest.Config
	// Elapsed is how long Up took.
	Elapsed time.Duration
}

// Status describes a cluster as found on disk and in the process table.
type Status struct {
	Name       string            `json:"name"`
	Dir        string            `json:"dir"`
	Kubeconfig string            `json:"kubeconfig"`
	AuditLog   string            `json:"auditLog"`
	Components []ComponentStatus `json:"components"`
}

// ComponentStatus is one control-plane process.
type ComponentStatus struct {
	Name    string `json:"name"`
	PID     int    `json:"pid"`
	Running bool   `json:"running"`
	Log     string `json:"log"`
}

// ErrNotFound means no cluster has the given name.
var ErrNotFound = errors.New("cluster not found")

// ErrExists means a cluster with the given name already exists.
var ErrExists = errors.New("cluster already exists")

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$`)

func (o *UpOptions) validate() error {
	if !dnsLabel.MatchString(o.Name) {
		return fmt.Errorf("invalid cluster name %q: use lower-case letters, digits and '-', at most 42 characters", o.Name)
	}
	if o.Nodes < 0 || o.Nodes > 5000 {
		return fmt.Errorf("invalid node count %d: must be between 0 and 5000", o.Nodes)
	}
	if o.Wait == 0 {
		o.Wait = 2 * time.Minute
	}
	if o.Wait < 0 {
		return fmt.Errorf("invalid wait %s: must be positive", o.Wait)
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	return nil
}
