package chaosmesh

import (
	"fmt"
	"strconv"
	"strings"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/interlock-dev/interlock/experiments"
)

// targets are the pods a validated pod selector selects.
type targets struct {
	namespace string
	selector  labels.Selector
	nodes     []string
	// pods are the live pods selected, in name order.
	pods []corev1.Pod
}

func (t *targets) names() string {
	names := make([]string, len(t.pods))
	for i, p := range t.pods {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// predictEffect says what a validated fault's object does to the target
// pods, deciding as the builtin injector does for the same action where
// Chaos Mesh does the same thing, and predicting nothing (neither flag, so
// that the pods are judged by their readiness) where it cannot tell.
func predictEffect(obj runtime.Object, t *targets) (experiments.Effect, error) {
	eff := experiments.Effect{Namespace: t.namespace, Selector: t.selector, Nodes: t.nodes}
	where := fmt.Sprintf("pod(s) %s in %s", t.names(), t.namespace)
	unpredicted := "the injector does not predict its effect: the pods are judged by their readiness (on kind, by the harness's prober)"
	switch o := obj.(type) {
	case *chaosv1alpha1.PodChaos:
		switch o.Spec.Action {
		case chaosv1alpha1.PodFailureAction:
			eff.TrulyBroken, eff.LooksBroken = true, true
			eff.Description = fmt.Sprintf("pod-failure: Chaos Mesh fails %s (their containers run a pause image) while the fault lasts; "+
				"the effect covers every pod the selector matches, though Chaos Mesh fails only those it selected as the fault began", where)
		default:
			// pod-kill and container-kill act once: the controllers replace
			// the pods, the kubelet restarts the containers. Nothing stays
			// broken, so the effect selects no pod: any outage shows in
			// availability.
			eff.Selector = labels.Nothing()
			what := "kills " + where + "; their controllers replace them"
			if o.Spec.Action == chaosv1alpha1.ContainerKillAction {
				what = fmt.Sprintf("kills container %s of %s once; the kubelet restarts them", strings.Join(o.Spec.ContainerNames, ", "), where)
			}
			eff.Description = fmt.Sprintf("%s: Chaos Mesh %s", o.Spec.Action, what)
		}
	case *chaosv1alpha1.HTTPChaos:
		return httpEffect(o, t, eff)
	case *chaosv1alpha1.TimeChaos:
		eff.Description = fmt.Sprintf("TimeChaos: Chaos Mesh shifts the clock of %s by %s; %s", where, o.Spec.TimeOffset, unpredicted)
	case *chaosv1alpha1.NetworkChaos:
		eff.Description = fmt.Sprintf("NetworkChaos %s on %s; %s", o.Spec.Action, where, unpredicted)
	default:
		// Any other kind of the table, StressChaos among them: its effect
		// is not predicted.
		k, _ := experiments.KindOf(obj)
		eff.Description = fmt.Sprintf("%s on %s; %s", k.Kind, where, unpredicted)
	}
	return eff, nil
}

// httpEffect predicts an HTTPChaos that fails requests (abort, or a 5xx in
// place of the response, on every method and header) from the selected
// pods' HTTP readiness probes on spec.port. Any other HTTPChaos is not
// predicted.
func httpEffect(o *chaosv1alpha1.HTTPChaos, t *targets, eff experiments.Effect) (experiments.Effect, error) {
	s := &o.Spec
	where := fmt.Sprintf("pod(s) %s in %s", t.names(), t.namespace)
	how := ""
	switch {
	case s.Abort != nil && *s.Abort:
		how = "abort"
	case s.Target == chaosv1alpha1.PodHttpResponse && s.Replace != nil && s.Replace.Code != nil && *s.Replace.Code >= 500 && *s.Replace.Code <= 599:
		how = "status " + strconv.Itoa(int(*s.Replace.Code))
	}
	if how == "" || s.Method != nil || s.Code != nil || s.RequestHeaders != nil || s.ResponseHeaders != nil {
		eff.Description = fmt.Sprintf("HTTPChaos on port %d of %s: the injector does not predict its effect: the pods are judged by their readiness (on kind, by the harness's prober)", s.Port, where)
		return eff, nil
	}
	var (
		read  experiments.HTTPRead
		probe string
	)
	for n := range t.pods {
		pp, probed := readinessPath(&t.pods[n], s.Port)
		r := experiments.ClassifyHTTP(s.Path, pp, probed)
		if n == 0 {
			read, probe = r, pp
			continue
		}
		if r != read {
			return experiments.Effect{}, fmt.Errorf("pods %s and %s read the HTTPChaos differently (their readiness probes differ): select pods of one workload", t.pods[0].Name, t.pods[n].Name)
		}
	}
	read.Mark(&eff, how, s.Path, probe, where)
	return eff, nil
}

// readinessPath is the path of the first HTTP readiness probe of pod on
// port (on any port if port is 0); false if there is none.
func readinessPath(pod *corev1.Pod, port int32) (string, bool) {
	for _, c := range pod.Spec.Containers {
		p := c.ReadinessProbe
		if p == nil || p.HTTPGet == nil {
			continue
		}
		probePort := p.HTTPGet.Port.IntVal
		if p.HTTPGet.Port.Type == intstr.String {
			probePort = 0
			for _, cp := range c.Ports {
				if cp.Name == p.HTTPGet.Port.StrVal {
					probePort = cp.ContainerPort
				}
			}
		}
		if port == 0 || probePort == port {
			return p.HTTPGet.Path, true
		}
	}
	return "", false
}
