package observe_test

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/internal/testutil"
)

const remediator = "system:serviceaccount:interlock-system:remediator"

// pod is a Ready, Running pod of the api Deployment in shop on kwok-node-0,
// changed by mods.
func pod(name string, mods ...func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", Labels: map[string]string{"app": "api"}},
		Spec:       corev1.PodSpec{NodeName: "kwok-node-0"},
		Status: corev1.PodStatus{
			Phase:      corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
		},
	}
	for _, m := range mods {
		m(p)
	}
	return p
}

func notReady(p *corev1.Pod) { p.Status.Conditions[0].Status = corev1.ConditionFalse }
func pending(p *corev1.Pod)  { p.Status.Phase = corev1.PodPending }
func terminating(p *corev1.Pod) {
	p.DeletionTimestamp = &metav1.Time{Time: testutil.T0}
}
func onNode(n string) func(*corev1.Pod) { return func(p *corev1.Pod) { p.Spec.NodeName = n } }
func app(a string) func(*corev1.Pod)    { return func(p *corev1.Pod) { p.Labels["app"] = a } }

// deploy is a Deployment in shop selecting app=name.
func deploy(name string, replicas int32) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
		},
	}
}

// effect is an effect on the api pods in shop from +10s to +100s, changed by mods.
func effect(name string, mods ...func(*observe.Effect)) observe.Effect {
	e := observe.Effect{
		Name: name, Namespace: "shop", Selector: labels.SelectorFromSet(labels.Set{"app": "api"}),
		Start: testutil.At(10), End: testutil.At(100),
	}
	for _, m := range mods {
		m(&e)
	}
	return e
}

func truly(e *observe.Effect) { e.TrulyBroken = true }
func looks(e *observe.Effect) { e.LooksBroken = true }
func nodes(n ...string) func(*observe.Effect) {
	return func(e *observe.Effect) { e.Selector, e.Nodes = nil, n }
}
func podsNamed(n ...string) func(*observe.Effect) { return func(e *observe.Effect) { e.Pods = n } }
func inNamespace(ns string) func(*observe.Effect) {
	return func(e *observe.Effect) { e.Namespace = ns }
}
func window(start, end float64) func(*observe.Effect) {
	return func(e *observe.Effect) {
		e.Start = testutil.At(start)
		e.End = time.Time{}
		if end > 0 {
			e.End = testutil.At(end)
		}
	}
}

// action is a ledger entry by the remediator at sec.
func action(sec float64, verb, resource, sub, ns, name string, code int) scorecard.LedgerEntry {
	return scorecard.LedgerEntry{Time: testutil.At(sec), User: remediator, Verb: verb, Resource: resource, Subresource: sub,
		Namespace: ns, Name: name, Code: code, AuditID: verb + "-" + name + "-" + testutil.At(sec).Format("150405.000")}
}

func deletePod(sec float64, name string) scorecard.LedgerEntry {
	return action(sec, "delete", "pods", "", "shop", name, 200)
}

func evictPod(sec float64, name string) scorecard.LedgerEntry {
	return action(sec, "create", "pods", "eviction", "shop", name, 201)
}

func cordon(sec float64, node string) scorecard.LedgerEntry {
	return action(sec, "patch", "nodes", "", "", node, 200)
}

func TestTruthServing(t *testing.T) {
	tests := map[string]struct {
		pod     *corev1.Pod
		effects []observe.Effect
		want    float64
	}{
		"ready, no fault":                      {pod: pod("api-0"), want: 1},
		"not ready, no fault: Ready is truth":  {pod: pod("api-0", notReady), want: 0},
		"pending":                              {pod: pod("api-0", pending), want: 0},
		"terminating":                          {pod: pod("api-0", terminating), want: 0},
		"not scheduled":                        {pod: pod("api-0", onNode("")), want: 0},
		"lying readiness: serves anyway":       {pod: pod("api-0", notReady), effects: []observe.Effect{effect("lie", looks)}, want: 1},
		"truly broken though it says Ready":    {pod: pod("api-0"), effects: []observe.Effect{effect("crash", truly)}, want: 0},
		"truly and looks broken: truly wins":   {pod: pod("api-0"), effects: []observe.Effect{effect("both", truly, looks)}, want: 0},
		"looks broken and truly broken by two": {pod: pod("api-0"), effects: []observe.Effect{effect("lie", looks), effect("crash", truly)}, want: 0},
		"node truly down":                      {pod: pod("api-0"), effects: []observe.Effect{effect("down", truly, nodes("kwok-node-0"))}, want: 0},
		"another node down":                    {pod: pod("api-0"), effects: []observe.Effect{effect("down", truly, nodes("kwok-node-1"))}, want: 1},
		"node only looks down":                 {pod: pod("api-0", notReady), effects: []observe.Effect{effect("silent", looks, nodes("kwok-node-0"))}, want: 1},
		"effect not started":                   {pod: pod("api-0"), effects: []observe.Effect{effect("crash", truly, window(60, 100))}, want: 1},
		"effect recovered":                     {pod: pod("api-0", notReady), effects: []observe.Effect{effect("lie", looks, window(0, 20))}, want: 0},
		"effect open-ended":                    {pod: pod("api-0"), effects: []observe.Effect{effect("crash", truly, window(0, 0))}, want: 0},
		"effect in another namespace":          {pod: pod("api-0"), effects: []observe.Effect{effect("crash", truly, inNamespace("other"))}, want: 1},
		"effect on other pods by name":         {pod: pod("api-0"), effects: []observe.Effect{effect("crash", truly, podsNamed("api-1"))}, want: 1},
		"effect on this pod by name":           {pod: pod("api-0"), effects: []observe.Effect{effect("crash", truly, podsNamed("api-0"))}, want: 0},
		"effect that marks nothing":            {pod: pod("api-0", notReady), effects: []observe.Effect{effect("noop")}, want: 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tr := observe.NewTruth(tc.effects)
			tr.Observe(testutil.At(50), []*corev1.Pod{tc.pod}, []*appsv1.Deployment{deploy("api", 1)})
			res := tr.Result()
			if len(res.Samples) != 1 {
				t.Fatalf("samples = %v, want one", res.Samples)
			}
			if got := res.Samples[0].Availability; got != tc.want {
				t.Errorf("availability = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTruthAvailability(t *testing.T) {
	type snapshot struct {
		sec  float64
		pods []*corev1.Pod
		deps []*appsv1.Deployment
	}
	tests := map[string]struct {
		snapshots []snapshot
		want      []float64
		wantMin   float64
		wantMean  float64
	}{
		"share of desired replicas over every deployment": {
			snapshots: []snapshot{{sec: 1,
				pods: []*corev1.Pod{pod("api-0"), pod("api-1", notReady), pod("api-2"), pod("web-0", app("web"))},
				deps: []*appsv1.Deployment{deploy("api", 3), deploy("web", 1)}}},
			want: []float64{0.75}, wantMin: 0.75, wantMean: 0.75,
		},
		"surplus pods count no more than desired": {
			snapshots: []snapshot{{sec: 1,
				pods: []*corev1.Pod{pod("api-0"), pod("api-1"), pod("api-2"), pod("web-0", notReady, app("web"))},
				deps: []*appsv1.Deployment{deploy("api", 2), deploy("web", 2)}}},
			want: []float64{0.5}, wantMin: 0.5, wantMean: 0.5,
		},
		"pods of no deployment do not count": {
			snapshots: []snapshot{{sec: 1,
				pods: []*corev1.Pod{pod("api-0"), pod("batch-0", app("batch"))},
				deps: []*appsv1.Deployment{deploy("api", 2)}}},
			want: []float64{0.5}, wantMin: 0.5, wantMean: 0.5,
		},
		"a deleted deployment serves nothing": {
			snapshots: []snapshot{
				{sec: 1, pods: []*corev1.Pod{pod("api-0"), pod("web-0", app("web"))}, deps: []*appsv1.Deployment{deploy("api", 1), deploy("web", 1)}},
				{sec: 2, pods: []*corev1.Pod{pod("api-0")}, deps: []*appsv1.Deployment{deploy("api", 1)}},
			},
			want: []float64{1, 0.5}, wantMin: 0.5, wantMean: 0.75,
		},
		"nothing desired records no sample": {
			snapshots: []snapshot{{sec: 1}, {sec: 2, deps: []*appsv1.Deployment{deploy("api", 0)}}},
		},
		"an older snapshot is ignored": {
			snapshots: []snapshot{
				{sec: 5, pods: []*corev1.Pod{pod("api-0")}, deps: []*appsv1.Deployment{deploy("api", 1)}},
				{sec: 4, pods: nil, deps: []*appsv1.Deployment{deploy("api", 1)}},
			},
			want: []float64{1}, wantMin: 1, wantMean: 1,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tr := observe.NewTruth(nil)
			for _, s := range tc.snapshots {
				tr.Observe(testutil.At(s.sec), s.pods, s.deps)
			}
			res := tr.Result()
			var got []float64
			for _, s := range res.Samples {
				got = append(got, s.Availability)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("availability = %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("availability = %v, want %v", got, tc.want)
				}
			}
			if res.MinAvailability != tc.wantMin || res.MeanAvailability != tc.wantMean {
				t.Errorf("min, mean = %v, %v; want %v, %v", res.MinAvailability, res.MeanAvailability, tc.wantMin, tc.wantMean)
			}
		})
	}
}

func TestWorkloadsAndReplicas(t *testing.T) {
	tr := observe.NewTruth(nil)
	tr.Observe(testutil.At(1), []*corev1.Pod{pod("api-0"), pod("batch-0", app("batch"))}, []*appsv1.Deployment{deploy("api", 3)})
	if w, ok := tr.WorkloadOf("shop", "api-0"); !ok || w != "shop/api" {
		t.Errorf("WorkloadOf(api-0) = %q, %v; want shop/api", w, ok)
	}
	if w, ok := tr.WorkloadOf("shop", "batch-0"); ok {
		t.Errorf("WorkloadOf(batch-0) = %q, want none", w)
	}
	if r := tr.Replicas(); len(r) != 1 || r["shop/api"] != 3 {
		t.Errorf("Replicas = %v, want shop/api: 3", r)
	}
}

// With an origin, the truth's reports give offsets from it, as the rest of
// a scorecard does; without one, clock times.
func TestTruthOffsets(t *testing.T) {
	tr := observe.NewTruth([]observe.Effect{effect("crash", truly)})
	tr.SetOrigin(testutil.At(-5))
	for sec := 0.0; sec <= 120; sec += 10 {
		tr.Observe(testutil.At(sec), []*corev1.Pod{pod("api-0"), pod("api-1")}, []*appsv1.Deployment{deploy("api", 2)})
	}
	res := tr.Result()
	want := "crash: pods app=api in shop truly broken from +0:15 to +1:45; the remediator never acted on it"
	if len(res.FalseNegatives) != 1 || res.FalseNegatives[0] != want {
		t.Errorf("false negatives %q, want [%q]", res.FalseNegatives, want)
	}
}
