package scenarios

import (
	"fmt"

	chaosmeshv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/experiments"
)

// APIVersion and Kind identify a scenario file.
const (
	APIVersion = "interlock.dev/v1alpha1"
	Kind       = "Scenario"
)

// Scenario is a declarative test of a remediator: a cluster fixture, the
// faults injected into it, the automations under test at their rungs, how
// long the run lasts, and what is expected beyond the automations' safety
// cases. It is read from a YAML file (Parse, Load, LoadFile) and is pure
// data: Render and Faults turn it into objects without touching a cluster.
type Scenario struct {
	// APIVersion must be APIVersion.
	APIVersion string `json:"apiVersion"`
	// Kind must be Kind.
	Kind string `json:"kind"`
	// Metadata names the scenario.
	Metadata Metadata `json:"metadata"`
	// Spec is the scenario itself.
	Spec Spec `json:"spec"`

	// File is the name or path the scenario was read from, as given to
	// Parse; every validation error names it. It is not part of the file.
	File string `json:"-"`
}

// Name returns the scenario's name, which is also its file name without ".yaml".
func (s *Scenario) Name() string { return s.Metadata.Name }

// Metadata names a scenario.
type Metadata struct {
	// Name is a DNS label, equal to the file name without ".yaml".
	Name string `json:"name"`
}

// The tiers, which say when a scenario runs in CI.
const (
	// TierPR runs on every pull request, on the embedded cluster: keep it short.
	TierPR = "pr"
	// TierNightly runs in the nightly job, on kind.
	TierNightly = "nightly"
)

// Tiers lists the tiers.
var Tiers = []string{TierPR, TierNightly}

// Spec describes a scenario.
type Spec struct {
	// Description says in a sentence or two what the scenario does and what
	// it shows. Required.
	Description string `json:"description"`
	// Pattern is the name of the catalog failure pattern the scenario
	// reproduces, such as "remediation-storm". Required.
	Pattern string `json:"pattern"`
	// Tier is when the scenario runs in CI: "pr" or "nightly". Required.
	Tier string `json:"tier"`
	// Duration is how long the run lasts, counted from the moment faults
	// start (offset 0), such as "90s". Required.
	Duration Duration `json:"duration"`
	// Fixture is the cluster the run starts from.
	Fixture Fixture `json:"fixture"`
	// Faults are injected into the fixture during the run.
	// +optional
	Faults []Fault `json:"faults,omitempty"`
	// RemediatorFaults are aimed at the remediator itself.
	// +optional
	RemediatorFaults []RemediatorFault `json:"remediatorFaults,omitempty"`
	// Automations are the automations under test. At least one is required.
	Automations []Automation `json:"automations"`
	// RBAC is the rules the remediator's ServiceAccount (RemediatorUser) is
	// granted cluster-wide when the scenario runs an external remediator
	// (--remediator-cmd) that needs other rights than the built-in one.
	// Empty means DefaultRBAC, the built-in remediator's rules, which is
	// also what the built-in remediator always runs with. Render grants
	// NamespaceRBAC in RemediatorNamespace besides.
	// +optional
	RBAC []rbacv1.PolicyRule `json:"rbac,omitempty"`
	// Load is demand the fixture's workloads serve, which can overload
	// them: the harness plays it through the run.
	// +optional
	Load []Demand `json:"load,omitempty"`
	// Expect holds expectations beyond those drawn from the safety cases.
	// +optional
	Expect Expectations `json:"expect,omitempty"`
	// Restraint marks a scenario in which doing nothing is correct (a lying
	// health check, a flapping node, a stale view): a remediator that never
	// acts passes it. A scenario that is not a restraint scenario must have
	// an expectation that a remediator doing nothing fails (mustHalt,
	// mustPage, minActions, minProposals or maxFalseNegatives).
	// +optional
	Restraint bool `json:"restraint,omitempty"`
}

// Demand is demand a fixture workload serves, shared by its Ready pods. While
// the demand is more than its Ready pods can carry (PodCapacity each) the
// workload is overloaded and every one of its pods fails, as a service past
// its capacity falls over; it serves again once its desired replicas could
// carry the demand. A workload fails as a whole and comes back as a whole,
// so losing pods to restarts can tip it over: the retry amplification and
// metastable failure of the catalog.
type Demand struct {
	// Name names the load, a DNS label unique in the scenario; the overload
	// shows as a fault of this name.
	Name string `json:"name"`
	// Namespace and Workload name the fixture workload that serves it.
	Namespace string `json:"namespace"`
	Workload  string `json:"workload"`
	// Demand is the steady demand, in CPU units such as 600m.
	Demand resource.Quantity `json:"demand"`
	// PodCapacity is the most demand one pod carries, in the same units.
	PodCapacity resource.Quantity `json:"podCapacity"`
	// ColdStart adds demand while pods of another workload start: each of
	// its pods created during the run adds Cost for Window after it is
	// created, as a restarted client warming its caches does.
	// +optional
	ColdStart *ColdStart `json:"coldStart,omitempty"`
	// ReportUsage writes each Ready pod's share of the demand into its
	// kwok.x-k8s.io/usage-cpu annotation, which kwok reports as the pod's
	// CPU usage to metrics-server, so that a HorizontalPodAutoscaler sees
	// it; a pod that is not Ready serves nothing and reports 1m. The run
	// reports it from the moment the fixture is up, so that an autoscaler
	// has settled on it before the run starts.
	// +optional
	ReportUsage bool `json:"reportUsage,omitempty"`
}

// ColdStart is the demand a starting pod puts on a workload it depends on.
type ColdStart struct {
	// Workload names the fixture workload, in the load's namespace, whose
	// starting pods add demand. Required.
	Workload string `json:"workload"`
	// Cost is the demand each starting pod adds. Required.
	Cost resource.Quantity `json:"cost"`
	// Window is how long after its creation a pod adds Cost. Required.
	Window Duration `json:"window"`
}

// Fixture is the cluster a run starts from.
type Fixture struct {
	// Nodes is how many simulated nodes the cluster has, from 1 to MaxNodes.
	// Required: there is no default.
	Nodes int `json:"nodes"`
	// Workloads are created before the faults start, and the run waits until
	// they are available.
	// +optional
	Workloads []Workload `json:"workloads,omitempty"`
}

// MaxNodes is the most nodes a fixture may ask for.
const MaxNodes = 2000

// MaxCopies is the most copies a fixture workload may have.
const MaxCopies = 10000

// NodePods is how many pods a simulated node takes; a fixture's pods must
// fit on its nodes.
const NodePods = 110

// Expand returns the fixture's workloads with each workload of Copies
// stamped out: copy i is named NAME-i, counting from 0, and is otherwise the
// workload. Everything the run creates, watches and judges is per copy.
func (f *Fixture) Expand() []Workload {
	var out []Workload
	for _, w := range f.Workloads {
		if w.Copies <= 1 {
			w.Copies = 0
			out = append(out, w)
			continue
		}
		for i := range w.Copies {
			c := w
			c.Name, c.Copies = CopyName(w.Name, int(i)), 0
			out = append(out, c)
		}
	}
	return out
}

// CopyName is the name of copy i of a workload of Copies.
func CopyName(name string, i int) string { return fmt.Sprintf("%s-%d", name, i) }

// WorkloadKind is the kind of object a workload is.
type WorkloadKind string

// The workload kinds.
const (
	// KindDeployment is a Deployment, the only kind for now.
	KindDeployment WorkloadKind = "Deployment"
)

// Workload is a workload of the fixture.
type Workload struct {
	// Name is the workload's name, a DNS label. Its pods carry the label
	// app=NAME (AppLabel), which fault selectors and automation selectors
	// can match.
	Name string `json:"name"`
	// Namespace is the workload's namespace. Required: there is no default,
	// not even "default", so that fault selectors and automation scopes
	// never match a workload by accident. The fixture creates the namespace.
	Namespace string `json:"namespace"`
	// Kind is the workload's kind. Optional: empty means Deployment, which is
	// the only kind supported for now.
	// +optional
	Kind WorkloadKind `json:"kind,omitempty"`
	// Replicas is the number of pods, at least 1. Required. With Autoscale
	// it is the number the workload starts with, within the autoscaler's
	// range.
	Replicas int32 `json:"replicas"`
	// Copies stamps out this many Deployments of the workload, named
	// NAME-0, NAME-1 and so on, each with Replicas pods labelled app=NAME-i
	// and with Labels, which a fault or a load can select the fleet by: a
	// fixture of thousands of pods in a few lines. Empty means one,
	// named NAME. Not allowed with a TLS secret, rollouts or an autoscaler.
	// +optional
	Copies int32 `json:"copies,omitempty"`
	// Labels are added to the pods' labels, next to app=NAME; they must not
	// set "app".
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
	// ReadinessPath is the HTTP path of the pods' readiness probe, on port
	// AppPort, such as "/healthz". HTTPChaos aimed at the workload is
	// interpreted on this path. Empty means no readiness probe.
	// +optional
	ReadinessPath string `json:"readinessPath,omitempty"`
	// TLSSecret is the name of a kubernetes.io/tls Secret the pods mount at
	// TLSMountPath. The fixture creates it with a self-signed certificate for
	// the workload, valid from the start of the run for ValidFor.
	// +optional
	TLSSecret string `json:"tlsSecret,omitempty"`
	// ValidFor is how long the TLSSecret's certificate is valid. Required
	// with TLSSecret, not allowed without it.
	// +optional
	ValidFor *Duration `json:"validFor,omitempty"`
	// Rollouts are new revisions of the workload rolled out during the run,
	// as a deploy would. A fault can select a revision's pods by its labels
	// (a pod-failure on version: v2 makes it a bad deploy).
	// +optional
	Rollouts []Rollout `json:"rollouts,omitempty"`
	// CPURequest is the CPU each pod requests, such as 100m: what a
	// HorizontalPodAutoscaler measures utilization against. Required with
	// Autoscale. Empty means no request.
	// +optional
	CPURequest *resource.Quantity `json:"cpuRequest,omitempty"`
	// Autoscale gives the workload a HorizontalPodAutoscaler (autoscaling/v2)
	// on its pods' CPU utilization: the real one of kube-controller-manager,
	// which then owns the replica count. Replicas is only where it starts
	// and must lie within its range. On the embedded cluster the run starts
	// metrics-server and kwok's simulated resource usage, and a load with
	// reportUsage drives the metric.
	// +optional
	Autoscale *Autoscale `json:"autoscale,omitempty"`
}

// Autoscale is a fixture workload's HorizontalPodAutoscaler. It scales down
// as soon as its recommendation drops (no stabilization window), so that a
// run of a few minutes shows it scaling both ways.
type Autoscale struct {
	// MinReplicas is the fewest replicas it scales to, at least 1. Required.
	MinReplicas int32 `json:"minReplicas"`
	// MaxReplicas is the most replicas it scales to, at least MinReplicas.
	// Required.
	MaxReplicas int32 `json:"maxReplicas"`
	// TargetCPUUtilizationPercent is the average CPU utilization, in percent
	// of CPURequest, it keeps the workload's pods at, such as 50. Required.
	TargetCPUUtilizationPercent int32 `json:"targetCPUUtilizationPercent"`
}

// Autoscales reports whether any fixture workload has an autoscaler.
func (s *Scenario) Autoscales() bool {
	for _, w := range s.Spec.Fixture.Workloads {
		if w.Autoscale != nil {
			return true
		}
	}
	return false
}

// Rollout is a new revision of a workload, rolled out during the run.
type Rollout struct {
	// At is when the rollout starts, as an offset from the start of the
	// run, before its end. Required.
	At Duration `json:"at"`
	// Labels are set on the new revision's pods, over the workload's own;
	// they must not set "app". At least one is required, so that the
	// revision's pods can be told apart.
	Labels map[string]string `json:"labels"`
}

// Fault is one fault injected into the fixture: a window of the run and
// exactly one Chaos Mesh spec (or NodeChaos spec) saying what goes wrong.
// The spec's own duration field must be left out: the window is set by At
// and For, and Faults writes it into the Chaos Mesh object. Every field must
// be one the built-in injector honours (see experiments/builtin), so that a
// scenario runs the same on the embedded cluster and on kind.
type Fault struct {
	// Name names the fault, a DNS label unique in the scenario; the injected
	// object carries it.
	Name string `json:"name"`
	// At is when the fault starts, as an offset from the start of the run
	// (0 or more, less than the scenario's duration). Required; write "0s"
	// to start at once.
	At Duration `json:"at"`
	// For is how long the fault lasts. Optional: empty means until the end
	// of the run. At+For must not pass the end of the run.
	// +optional
	For *Duration `json:"for,omitempty"`

	// PodChaos kills pods or containers, or makes pods fail.
	// +optional
	PodChaos *chaosmeshv1alpha1.PodChaosSpec `json:"podChaos,omitempty"`
	// HTTPChaos tampers with HTTP traffic; the built-in injector interprets
	// it on the selected workloads' readiness path.
	// +optional
	HTTPChaos *chaosmeshv1alpha1.HTTPChaosSpec `json:"httpChaos,omitempty"`
	// TimeChaos skews the clock of the selected pods.
	// +optional
	TimeChaos *chaosmeshv1alpha1.TimeChaosSpec `json:"timeChaos,omitempty"`
	// NetworkChaos delays, drops or partitions the selected pods' traffic.
	// +optional
	NetworkChaos *chaosmeshv1alpha1.NetworkChaosSpec `json:"networkChaos,omitempty"`
	// StressChaos loads the selected pods' CPU or memory.
	// +optional
	StressChaos *chaosmeshv1alpha1.StressChaosSpec `json:"stressChaos,omitempty"`
	// NodeChaos makes nodes go NotReady, lose their heartbeat, report a
	// condition or flap.
	// +optional
	NodeChaos *experiments.NodeChaosSpec `json:"nodeChaos,omitempty"`
}

// The remediator fault actions: what is done to the remediator.
const (
	// RemediatorKillRestart kills the remediator at At and starts it again
	// For later (at once when For is empty). Its budgets must survive.
	RemediatorKillRestart = "kill-restart"
	// RemediatorKill kills the remediator at At for good; For is not allowed.
	RemediatorKill = "kill"
	// RemediatorStaleCache makes the remediator's view of the cluster run
	// Lag behind from At, for For (until the end of the run when For is
	// empty): the events of its watches reach it Lag late, so its caches
	// show objects as they were. When the fault ends the held events
	// arrive at once, as a replay. Its plain reads are never delayed.
	RemediatorStaleCache = "stale-cache"
)

// RemediatorFaultActions lists the remediator fault actions.
var RemediatorFaultActions = []string{RemediatorKillRestart, RemediatorKill, RemediatorStaleCache}

// RemediatorFault is a fault aimed at the remediator itself.
type RemediatorFault struct {
	// At is when the fault starts, as an offset from the start of the run.
	// Required.
	At Duration `json:"at"`
	// Action is what is done: kill-restart, kill or stale-cache. Required.
	Action string `json:"action"`
	// For is how long the fault lasts; see the actions for its default.
	// +optional
	For *Duration `json:"for,omitempty"`
	// Lag is how far behind the remediator's view runs. Required for
	// stale-cache, not allowed for the other actions.
	// +optional
	Lag *Duration `json:"lag,omitempty"`
}

// Automation is an automation under test. The fixture creates it as a
// v1alpha1.Automation in RemediatorNamespace, carrying its safety case
// inline. A scenario never overrides a safety case's figures: the
// assertions draw them from the safety case as it is.
type Automation struct {
	// Name is the Automation object's name, a DNS label unique in the scenario.
	Name string `json:"name"`
	// Type is the built-in automation: unhealthy-workload, node-loss,
	// disk-pressure, certificate-expiry or bad-deploy. Required.
	Type v1alpha1.AutomationType `json:"type"`
	// Rung is how far the automation may act on its own: alert, runbook,
	// supervised or unsupervised. It must not exceed the posture of the
	// safety case's action class. Required.
	Rung string `json:"rung"`
	// Namespaces limits the automation to namespaced targets in these
	// namespaces. Required for automations whose targets are namespaced
	// (unhealthy-workload, certificate-expiry, bad-deploy): empty would mean
	// RemediatorNamespace, where the fixture puts no workloads.
	// +optional
	Namespaces []string `json:"namespaces,omitempty"`
	// Selector limits the targets by label; empty matches every target of
	// the type in scope.
	// +optional
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
	// SafetyCase names a shipped safety case (see
	// safetycases/), such as "unhealthy-workload". Exactly one of
	// SafetyCase and SafetyCaseSpec is set.
	// +optional
	SafetyCase string `json:"safetyCase,omitempty"`
	// SafetyCaseSpec is a complete safety case, inline.
	// +optional
	SafetyCaseSpec *v1alpha1.SafetyCaseSpec `json:"safetyCaseSpec,omitempty"`
	// Runbook is the runbook the automation names at the runbook rung and above.
	// +optional
	Runbook string `json:"runbook,omitempty"`
}

// Expectations are what a scenario expects beyond the assertions drawn from
// the safety cases. Each is optional: unset means no expectation. The
// grader (harness/assert) compiles each one set into a check of its own.
type Expectations struct {
	// MinAvailability is the least true availability, from 0 to 1, that the
	// lowest availability sample of the run may show: a sample's
	// availability is the share of the fixture's promised replicas truly
	// serving then. The check takes the lowest sample, not the mean.
	// +optional
	MinAvailability *float64 `json:"minAvailability,omitempty"`
	// MaxFalsePositives is the most healthy targets the remediator may act on.
	// +optional
	MaxFalsePositives *int `json:"maxFalsePositives,omitempty"`
	// MaxFalseNegatives is the most real failures the remediator may miss.
	// +optional
	MaxFalseNegatives *int `json:"maxFalseNegatives,omitempty"`
	// MustHalt: true means some automation must halt itself during the run,
	// false means none may.
	// +optional
	MustHalt *bool `json:"mustHalt,omitempty"`
	// MustPage: true means a page must arrive during the run, false means
	// none may.
	// +optional
	MustPage *bool `json:"mustPage,omitempty"`
	// MinActions is the least number of actions the remediator must take.
	// +optional
	MinActions *int `json:"minActions,omitempty"`
	// MaxActions is the most actions the remediator may take; 0 means it
	// must refuse to act at all.
	// +optional
	MaxActions *int `json:"maxActions,omitempty"`
	// BlindSpotsDeclared: true means every real outage left unremedied must
	// be covered by a false-negative mode the safety case declares, and the
	// scorecard traces each to them.
	// +optional
	BlindSpotsDeclared *bool `json:"blindSpotsDeclared,omitempty"`
	// MinProposals is the fewest RemediationProposals the remediator must
	// file for a human, as the ledger shows: for a supervised automation,
	// doing nothing at all is not restraint.
	// +optional
	MinProposals *int `json:"minProposals,omitempty"`
}
