package workload

import (
	"context"
	"fmt"
	"strconv"
	"time"

	chaosmeshv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/kube"
	"github.com/interlock-dev/interlock/scenarios"
)

// UsageAnnotation is the pod annotation kwok reports as the pod's CPU usage.
const UsageAnnotation = "kwok.x-k8s.io/usage-cpu"

// loadState is one scenario load as the run plays it.
type loadState struct {
	scenarios.Demand
	// overload is the fault failing the workload while it is overloaded;
	// nil while it is not.
	overload *experiments.Fault
	// count numbers the overloads, which name their faults.
	count int
	// usage is the per-pod usage last written, in millicores.
	usage map[string]int64
}

// Loads are a scenario's loads as a run plays them: demand each workload
// serves, which overloads it when its Ready pods cannot carry it.
type Loads struct {
	loads []*loadState
}

// NewLoads returns the loads of demands, none overloaded yet.
func NewLoads(demands []scenarios.Demand) *Loads {
	l := &Loads{}
	for _, d := range demands {
		l.loads = append(l.loads, &loadState{Demand: d})
	}
	return l
}

// Env is what playing loads needs from the run.
type Env struct {
	// Client writes the pods' usage annotations.
	Client client.Client
	// Injector puts overload faults in and takes them out.
	Injector experiments.Injector
	// Progress tells the run's timeline what happened.
	Progress func(kind, format string, args ...any)
}

// Change is an overload fault that Play injected or recovered.
type Change struct {
	// Fault is the overload fault.
	Fault experiments.Fault
	// Effect is what it broke; set when Started.
	Effect experiments.Effect
	// Started is true when the fault went in, false when it came out.
	Started bool
	// At is when.
	At time.Time
}

// LoadFigures is what a load comes to at one instant.
type LoadFigures struct {
	// Demand is the demand now, in millicores: the steady demand plus the
	// cold starts in their window.
	Demand int64
	// Ready and Desired count the serving workload's pods.
	Ready, Desired int
	// Starting counts the cold-starting pods in their window.
	Starting int
}

// figures computes a load's figures from a sample; cold starts count the
// pods born after start.
func figures(d *scenarios.Demand, snap observe.Sample, start time.Time) LoadFigures {
	f := LoadFigures{Demand: d.Demand.MilliValue()}
	for i := range snap.Deployments {
		dep := snap.Deployments[i]
		if dep.Namespace == d.Namespace && dep.Name == d.Workload && dep.Spec.Replicas != nil {
			f.Desired = int(*dep.Spec.Replicas)
		}
	}
	for i := range snap.Pods {
		p := snap.Pods[i]
		if p.Namespace != d.Namespace || p.DeletionTimestamp != nil {
			continue
		}
		switch app := p.Labels[scenarios.AppLabel]; {
		case app == d.Workload && kube.PodReady(p):
			f.Ready++
		case d.ColdStart != nil && app == d.ColdStart.Workload:
			born := p.CreationTimestamp.Time
			if born.After(start) && snap.At.Sub(born) < d.ColdStart.Window.Duration {
				f.Starting++
			}
		}
	}
	if d.ColdStart != nil {
		f.Demand += int64(f.Starting) * d.ColdStart.Cost.MilliValue()
	}
	return f
}

// Overloaded reports whether the Ready pods cannot carry the demand.
func (f LoadFigures) Overloaded(capacity int64) bool {
	return f.Demand > capacity*int64(f.Ready)
}

// Fits reports whether the desired replicas could carry the demand.
func (f LoadFigures) Fits(capacity int64) bool {
	return f.Demand <= capacity*int64(f.Desired)
}

// Play plays each load on a sample taken during the run that began at
// start: a workload that cannot carry its demand is failed as a whole by an
// overload fault, and recovered once its desired replicas could carry it.
// It returns the faults it put in or took out, so that the run grades them
// like any other fault.
func (l *Loads) Play(ctx context.Context, env Env, snap observe.Sample, start time.Time) ([]Change, error) {
	var changes []Change
	for _, ld := range l.loads {
		c, err := ld.play(ctx, env, snap, start)
		if err != nil {
			return changes, err
		}
		if c != nil {
			changes = append(changes, *c)
		}
	}
	return changes, nil
}

// ReportUsage writes each load's pods' usage as a sample shows it, with no
// cold start (every pod was born before the run): the fixture's autoscalers
// settle on it before the run starts.
func (l *Loads) ReportUsage(ctx context.Context, env Env, snap observe.Sample) error {
	for _, ld := range l.loads {
		if ld.ReportUsage {
			if err := ld.reportUsage(ctx, env, snap, figures(&ld.Demand, snap, snap.At)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *loadState) play(ctx context.Context, env Env, snap observe.Sample, start time.Time) (*Change, error) {
	f := figures(&l.Demand, snap, start)
	capacity := l.PodCapacity.MilliValue()
	var change *Change
	switch {
	case l.overload == nil && f.Overloaded(capacity):
		l.count++
		fault := l.overloadFault()
		eff, err := env.Injector.Inject(ctx, fault)
		if err != nil {
			return nil, fmt.Errorf("failed to overload %s/%s: %w", l.Namespace, l.Workload, err)
		}
		l.overload = &fault
		change = &Change{Fault: fault, Effect: eff, Started: true, At: time.Now()}
		env.Progress(scorecard.EventFault, "Overload: %s/%s must carry %dm on %d Ready pod(s) of %dm each (%d starting): every pod fails",
			l.Namespace, l.Workload, f.Demand, f.Ready, capacity, f.Starting)
	case l.overload != nil && f.Fits(capacity):
		if err := env.Injector.Recover(ctx, *l.overload); err != nil {
			return nil, fmt.Errorf("failed to lift the overload of %s/%s: %w", l.Namespace, l.Workload, err)
		}
		change = &Change{Fault: *l.overload, At: time.Now()}
		l.overload = nil
		env.Progress(scorecard.EventRecover, "Overload over: %s/%s's %d replica(s) carry %dm again", l.Namespace, l.Workload, f.Desired, f.Demand)
	}
	if l.ReportUsage {
		if err := l.reportUsage(ctx, env, snap, f); err != nil {
			return change, err
		}
	}
	return change, nil
}

// overloadFault is the fault that fails every pod of the overloaded
// workload: a PodChaos pod-failure on its app label.
func (l *loadState) overloadFault() experiments.Fault {
	name := fmt.Sprintf("overload-%s-%d", l.Name, l.count)
	return experiments.Fault{Name: name, Object: &chaosmeshv1alpha1.PodChaos{
		TypeMeta:   metav1.TypeMeta{APIVersion: chaosmeshv1alpha1.SchemeGroupVersion.String(), Kind: "PodChaos"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: l.Namespace},
		Spec: chaosmeshv1alpha1.PodChaosSpec{Action: chaosmeshv1alpha1.PodFailureAction, ContainerSelector: chaosmeshv1alpha1.ContainerSelector{
			PodSelector: chaosmeshv1alpha1.PodSelector{Mode: chaosmeshv1alpha1.AllMode, Selector: chaosmeshv1alpha1.PodSelectorSpec{
				GenericSelectorSpec: chaosmeshv1alpha1.GenericSelectorSpec{Namespaces: []string{l.Namespace},
					LabelSelectors: map[string]string{scenarios.AppLabel: l.Workload}}}}}},
	}}
}

// IdleUsage is the CPU, in millicores, reported for a pod that serves
// nothing (not Ready): a crash-looping process uses next to none. It is what
// kwok reports for a pod without the usage annotation.
const IdleUsage = 1

// podUsage is the CPU a workload's pod uses, in millicores: its share of
// the demand while Ready, IdleUsage otherwise.
func podUsage(p *corev1.Pod, f LoadFigures) int64 {
	if !kube.PodReady(p) {
		return IdleUsage
	}
	if f.Ready == 0 {
		return f.Demand
	}
	return f.Demand / int64(f.Ready)
}

// reportUsage writes each pod's usage (podUsage) into its usage annotation,
// only where it changed: the Ready pods share the demand, the others idle.
// Left alone, a pod that stops serving would keep reporting the share it
// last carried.
func (l *loadState) reportUsage(ctx context.Context, env Env, snap observe.Sample, f LoadFigures) error {
	if l.usage == nil {
		l.usage = map[string]int64{}
	}
	for i := range snap.Pods {
		p := snap.Pods[i]
		if p.Namespace != l.Namespace || p.Labels[scenarios.AppLabel] != l.Workload || p.DeletionTimestamp != nil {
			continue
		}
		use := podUsage(p, f)
		if v, ok := l.usage[p.Name]; ok && v == use {
			continue
		}
		patch := fmt.Appendf(nil, `{"metadata":{"annotations":{%q:%q}}}`, UsageAnnotation, strconv.FormatInt(use, 10)+"m")
		if err := env.Client.Patch(ctx, p, client.RawPatch(types.MergePatchType, patch)); client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("failed to report the usage of pod %s/%s: %w", p.Namespace, p.Name, err)
		}
		l.usage[p.Name] = use
	}
	return nil
}
