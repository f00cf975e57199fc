package observe_test

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"

	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/harness/scorecard"
)

// t0 is when every fixture run starts.
var t0 = time.Date(2026, 9, 14, 3, 0, 0, 0, time.UTC)

// at is t0 plus sec seconds.
func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

const remediator = "system:serviceaccount:interlock-system:remediator"

// pod is a Ready, Running pod of the api Deployment in shop on kwok-node-0,
// changed by mods.
func pod(name string, mods ...func(*corev1.Pod)) corev1.Pod {
	p := corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", Labels: map[string]string{"app": "api"}},
		Spec:       corev1.PodSpec{NodeName: "kwok-node-0"},
		Status: corev1.PodStatus{
			Phase:      corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
		},
	}
	for _, m := range mods {
		m(&p)
	}
	return p
}

func notReady(p *corev1.Pod) { p.Status.Conditions[0].Status = corev1.ConditionFalse }
func pending(p *corev1.Pod)  { p.Status.Phase = corev1.PodPending }
func terminating(p *corev1.Pod) {
	p.DeletionTimestamp = &metav1.Time{Time: t0}
}
func onNode(n string) func(*corev1.Pod) { return func(p *corev1.Pod) { p.Spec.NodeName = n } }
func app(a string) func(*corev1.Pod)    { return func(p *corev1.Pod) { p.Labels["app"] = a } }

// deploy is a Deployment in shop selecting app=name.
func deploy(name string, replicas int32) appsv1.Deployment {
	return appsv1.Deployment{
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
		Start: at(10), End: at(100),
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
		e.Start = at(start)
		e.End = time.Time{}
		if end > 0 {
			e.End = at(end)
		}
	}
}

// action is a ledger entry by the remediator at sec.
func action(sec float64, verb, resource, sub, ns, name string, code int) scorecard.LedgerEntry {
	return scorecard.LedgerEntry{Time: at(sec), User: remediator, Verb: verb, Resource: resource, Subresource: sub,
		Namespace: ns, Name: name, Code: code, AuditID: verb + "-" + name + "-" + at(sec).Format("150405.000")}
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
		pod     corev1.Pod
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
			tr.Observe(at(50), []corev1.Pod{tc.pod}, []appsv1.Deployment{deploy("api", 1)})
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
		pods []corev1.Pod
		deps []appsv1.Deployment
	}
	tests := map[string]struct {
		snapshots []snapshot
		want      []float64
		wantMin   float64
		wantMean  float64
	}{
		"share of desired replicas over every deployment": {
			snapshots: []snapshot{{sec: 1,
				pods: []corev1.Pod{pod("api-0"), pod("api-1", notReady), pod("api-2"), pod("web-0", app("web"))},
				deps: []appsv1.Deployment{deploy("api", 3), deploy("web", 1)}}},
			want: []float64{0.75}, wantMin: 0.75, wantMean: 0.75,
		},
		"surplus pods count no more than desired": {
			snapshots: []snapshot{{sec: 1,
				pods: []corev1.Pod{pod("api-0"), pod("api-1"), pod("api-2"), pod("web-0", notReady, app("web"))},
				deps: []appsv1.Deployment{deploy("api", 2), deploy("web", 2)}}},
			want: []float64{0.5}, wantMin: 0.5, wantMean: 0.5,
		},
		"pods of no deployment do not count": {
			snapshots: []snapshot{{sec: 1,
				pods: []corev1.Pod{pod("api-0"), pod("batch-0", app("batch"))},
				deps: []appsv1.Deployment{deploy("api", 2)}}},
			want: []float64{0.5}, wantMin: 0.5, wantMean: 0.5,
		},
		"a deleted deployment serves nothing": {
			snapshots: []snapshot{
				{sec: 1, pods: []corev1.Pod{pod("api-0"), pod("web-0", app("web"))}, deps: []appsv1.Deployment{deploy("api", 1), deploy("web", 1)}},
				{sec: 2, pods: []corev1.Pod{pod("api-0")}, deps: []appsv1.Deployment{deploy("api", 1)}},
			},
			want: []float64{1, 0.5}, wantMin: 0.5, wantMean: 0.75,
		},
		"nothing desired records no sample": {
			snapshots: []snapshot{{sec: 1}, {sec: 2, deps: []appsv1.Deployment{deploy("api", 0)}}},
		},
		"an older snapshot is ignored": {
			snapshots: []snapshot{
				{sec: 5, pods: []corev1.Pod{pod("api-0")}, deps: []appsv1.Deployment{deploy("api", 1)}},
				{sec: 4, pods: nil, deps: []appsv1.Deployment{deploy("api", 1)}},
			},
			want: []float64{1}, wantMin: 1, wantMean: 1,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tr := observe.NewTruth(nil)
			for _, s := range tc.snapshots {
				tr.Observe(at(s.sec), s.pods, s.deps)
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

func TestClassifyAction(t *testing.T) {
	deps := []appsv1.Deployment{deploy("api", 3)}
	// Three snapshots: +20s, +30s, +40s. api-0 is ready and healthy; api-1
	// crash-loops (truly broken); api-2's readiness lies (looks broken).
	// api-3 is never seen.
	observeRun := func(tr *observe.Truth) {
		for _, sec := range []float64{20, 30, 40} {
			tr.Observe(at(sec), []corev1.Pod{pod("api-0"), pod("api-1", notReady), pod("api-2", notReady), pod("web-0", notReady, app("web"))},
				append(deps, deploy("web", 1)))
		}
		// At the action's own instant api-0 already shows as terminating.
		tr.Observe(at(45), []corev1.Pod{pod("api-0", terminating)}, deps)
	}
	effects := []observe.Effect{
		effect("crash-api-1", truly, podsNamed("api-1")),
		effect("lie-api-2", looks, podsNamed("api-2")),
	}
	tests := map[string]struct {
		entry        scorecard.LedgerEntry
		want         observe.Grade
		wantWorkload string
		wantReason   string
	}{
		"a healthy pod deleted": {
			entry: deletePod(45, "api-0"), want: observe.GradeFalsePositive, wantWorkload: "shop/api",
			wantReason: "ready, no fault on it when last observed at 03:00:40",
		},
		"a crash-looping pod evicted": {
			entry: evictPod(35, "api-1"), want: observe.GradeTruePositive, wantWorkload: "shop/api",
			wantReason: "truly broken (crash-api-1) when last observed at 03:00:30",
		},
		"a pod whose readiness lied": {
			entry: deletePod(41, "api-2"), want: observe.GradeFalsePositive, wantWorkload: "shop/api",
			wantReason: "serving though it looked broken (lie-api-2)",
		},
		"not ready, no fault on it": {
			entry: deletePod(41, "web-0"), want: observe.GradeTruePositive, wantWorkload: "shop/web",
			wantReason: "not ready, no fault on it",
		},
		"a pod never seen": {
			entry: deletePod(41, "api-3"), want: observe.GradeUnknown, wantReason: "never observed",
		},
		"before the first snapshot": {
			entry: deletePod(20, "api-0"), want: observe.GradeUnknown, wantReason: "never observed",
		},
		"a refused eviction": {
			entry: action(41, "create", "pods", "eviction", "shop", "api-0", 429), want: observe.GradeNotGraded,
			wantReason: "rejected it (429)",
		},
		"a cordon": {
			entry: cordon(41, "kwok-node-0"), want: observe.GradeNotGraded, wantReason: "not a pod deletion",
		},
		"a rollback": {
			entry: action(41, "patch", "deployments", "", "shop", "api", 200), want: observe.GradeNotGraded,
			wantWorkload: "shop/api", wantReason: "not a pod deletion",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tr := observe.NewTruth(effects)
			observeRun(tr)
			c := tr.ClassifyAction(tc.entry)
			if c.Grade != tc.want || c.Workload != tc.wantWorkload {
				t.Errorf("grade, workload = %s, %q; want %s, %q (%s)", c.Grade, c.Workload, tc.want, tc.wantWorkload, c.Reason)
			}
			if !strings.Contains(c.Reason, tc.wantReason) {
				t.Errorf("reason %q does not contain %q", c.Reason, tc.wantReason)
			}
			fps := tr.Result().FalsePositives
			if wantFP := tc.want == observe.GradeFalsePositive; (len(fps) == 1) != wantFP {
				t.Errorf("false positives = %q, want one: %v", fps, wantFP)
			}
		})
	}
}

func TestFalsePositivesAreRecordedOnce(t *testing.T) {
	tr := observe.NewTruth(nil)
	tr.Observe(at(1), []corev1.Pod{pod("api-0")}, []appsv1.Deployment{deploy("api", 1)})
	e := deletePod(2, "api-0")
	tr.ClassifyAction(e)
	tr.ClassifyAction(e)
	fps := tr.Result().FalsePositives
	if len(fps) != 1 || !strings.Contains(fps[0], "shop/api-0: deleted at 03:00:02 UTC") {
		t.Errorf("false positives = %q, want one for shop/api-0", fps)
	}
}

func TestFalseNegatives(t *testing.T) {
	// Snapshots every 10s from +0s to +120s: the api pods run on kwok-node-0,
	// web-0 on kwok-node-1.
	observeRun := func(tr *observe.Truth) {
		for sec := 0.0; sec <= 120; sec += 10 {
			tr.Observe(at(sec),
				[]corev1.Pod{pod("api-0"), pod("api-1"), pod("web-0", app("web"), onNode("kwok-node-1"))},
				[]appsv1.Deployment{deploy("api", 2), deploy("web", 1)})
		}
	}
	tests := map[string]struct {
		effects []observe.Effect
		actions []scorecard.LedgerEntry
		want    []string // substrings, one per false negative
	}{
		"remedied: a covered pod deleted in the window": {
			effects: []observe.Effect{effect("crash", truly, podsNamed("api-1"))},
			actions: []scorecard.LedgerEntry{deletePod(40, "api-1")},
		},
		"remedied: a sibling of the workload deleted": {
			effects: []observe.Effect{effect("crash", truly, podsNamed("api-1"))},
			actions: []scorecard.LedgerEntry{deletePod(40, "api-0")},
		},
		"remedied at the very moment of recovery": {
			effects: []observe.Effect{effect("crash", truly)},
			actions: []scorecard.LedgerEntry{deletePod(100, "api-0")},
		},
		"never acted": {
			effects: []observe.Effect{effect("crash", truly)},
			want:    []string{"crash: pods app=api in shop truly broken from 03:00:10 UTC to 03:01:40 UTC; the remediator never acted on it"},
		},
		"acted before the outage": {
			effects: []observe.Effect{effect("crash", truly)},
			actions: []scorecard.LedgerEntry{deletePod(5, "api-0")},
			want:    []string{"crash:"},
		},
		"acted on another workload": {
			effects: []observe.Effect{effect("crash", truly)},
			actions: []scorecard.LedgerEntry{deletePod(40, "web-0")},
			want:    []string{"crash:"},
		},
		"the action was refused": {
			effects: []observe.Effect{effect("crash", truly)},
			actions: []scorecard.LedgerEntry{action(40, "create", "pods", "eviction", "shop", "api-0", 429)},
			want:    []string{"crash:"},
		},
		"a lie is never a false negative": {
			effects: []observe.Effect{effect("lie", looks)},
		},
		"node down, cordoned": {
			effects: []observe.Effect{effect("down", truly, nodes("kwok-node-1"))},
			actions: []scorecard.LedgerEntry{cordon(30, "kwok-node-1")},
		},
		"node down, its pod evicted": {
			effects: []observe.Effect{effect("down", truly, nodes("kwok-node-1"))},
			actions: []scorecard.LedgerEntry{evictPod(30, "web-0")},
		},
		"node down, another node cordoned": {
			effects: []observe.Effect{effect("down", truly, nodes("kwok-node-1"))},
			actions: []scorecard.LedgerEntry{cordon(30, "kwok-node-0")},
			want:    []string{"down: nodes kwok-node-1 truly broken"},
		},
		"bad deploy rolled back": {
			effects: []observe.Effect{effect("bad-rev", truly, window(10, 0))},
			actions: []scorecard.LedgerEntry{action(60, "patch", "deployments", "", "shop", "api", 200)},
		},
		"two outages, one remedied": {
			effects: []observe.Effect{effect("crash", truly), effect("down", truly, nodes("kwok-node-1"))},
			actions: []scorecard.LedgerEntry{deletePod(40, "api-1")},
			want:    []string{"down:"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tr := observe.NewTruth(tc.effects)
			observeRun(tr)
			for _, a := range tc.actions {
				tr.ClassifyAction(a)
			}
			res := tr.Result()
			if len(res.FalseNegatives) != len(tc.want) {
				t.Fatalf("false negatives = %q, want %d", res.FalseNegatives, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(res.FalseNegatives[i], w) {
					t.Errorf("false negative %q does not contain %q", res.FalseNegatives[i], w)
				}
			}
			truly := 0
			for _, e := range tc.effects {
				if e.TrulyBroken {
					truly++
				}
			}
			if len(res.Broken) != truly {
				t.Errorf("broken = %q, want %d entries", res.Broken, truly)
			}
		})
	}
}

func TestReversals(t *testing.T) {
	deps := []appsv1.Deployment{deploy("api", 3)}
	three := []corev1.Pod{pod("api-0"), pod("api-1"), pod("api-2")}
	type snapshot struct {
		sec  float64
		pods []corev1.Pod
	}
	tests := map[string]struct {
		snapshots    []snapshot
		entry        scorecard.LedgerEntry
		wantMeasured bool
		wantReversed bool
		wantLevel    int
		wantDuration time.Duration
	}{
		"a healthy pod replaced": {
			snapshots: []snapshot{
				{10, three},
				{12, []corev1.Pod{pod("api-0", terminating), pod("api-1"), pod("api-2")}},
				{14, []corev1.Pod{pod("api-1"), pod("api-2"), pod("api-3", notReady)}},
				{16, []corev1.Pod{pod("api-1"), pod("api-2"), pod("api-3")}},
			},
			entry:        deletePod(11, "api-0"),
			wantMeasured: true, wantReversed: true, wantLevel: 3, wantDuration: 5 * time.Second,
		},
		"a snapshot that predates the deletion is not a reversal": {
			snapshots: []snapshot{
				{10, three},
				{11.5, three}, // listed before the delete took effect
				{13, []corev1.Pod{pod("api-1"), pod("api-2"), pod("api-3")}},
			},
			entry:        deletePod(11, "api-0"),
			wantMeasured: true, wantReversed: true, wantLevel: 3, wantDuration: 2 * time.Second,
		},
		"a broken pod's restart costs nothing": {
			snapshots: []snapshot{
				{10, []corev1.Pod{pod("api-0", notReady), pod("api-1"), pod("api-2")}},
				{12, []corev1.Pod{pod("api-1"), pod("api-2")}},
			},
			entry:        evictPod(11, "api-0"),
			wantMeasured: true, wantReversed: true, wantLevel: 2, wantDuration: time.Second,
		},
		"never back": {
			snapshots: []snapshot{
				{10, three},
				{12, []corev1.Pod{pod("api-1"), pod("api-2")}},
				{40, []corev1.Pod{pod("api-1"), pod("api-2"), pod("api-3", notReady)}},
			},
			entry:        deletePod(11, "api-0"),
			wantMeasured: true, wantReversed: false, wantLevel: 3, wantDuration: 29 * time.Second,
		},
		"no snapshot after the action": {
			snapshots:    []snapshot{{10, three}},
			entry:        deletePod(11, "api-0"),
			wantMeasured: false, wantLevel: 3,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tr := observe.NewTruth(nil)
			for _, s := range tc.snapshots {
				tr.Observe(at(s.sec), s.pods, deps)
			}
			tr.ClassifyAction(tc.entry)
			tr.ClassifyAction(cordon(11, "kwok-node-0")) // not a workload action
			rs := tr.Reversals()
			if len(rs) != 1 {
				t.Fatalf("reversals = %+v, want one", rs)
			}
			r := rs[0]
			if r.Workload != "shop/api" || r.Measured != tc.wantMeasured || r.Reversed != tc.wantReversed ||
				r.Level != tc.wantLevel || r.Duration != tc.wantDuration {
				t.Errorf("got %+v; want measured %v, reversed %v, level %d, duration %s",
					r, tc.wantMeasured, tc.wantReversed, tc.wantLevel, tc.wantDuration)
			}
		})
	}
}

func TestWorkloadsAndReplicas(t *testing.T) {
	tr := observe.NewTruth(nil)
	tr.Observe(at(1), []corev1.Pod{pod("api-0"), pod("batch-0", app("batch"))}, []appsv1.Deployment{deploy("api", 3)})
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

// scaled is a Deployment of name at replicas, changed by mods.
func scaled(name string, replicas int32, mods ...func(*appsv1.Deployment)) appsv1.Deployment {
	d := deploy(name, replicas)
	for _, m := range mods {
		m(&d)
	}
	return d
}

func paused(d *appsv1.Deployment) { d.Spec.Paused = true }

// apiPods are n Ready api pods, then down more that are not Ready.
func apiPods(n, down int) []corev1.Pod {
	var out []corev1.Pod
	for i := range n + down {
		if i < n {
			out = append(out, pod(fmt.Sprintf("api-%d", i)))
		} else {
			out = append(out, pod(fmt.Sprintf("api-%d", i), notReady))
		}
	}
	return out
}

func TestTruthCapacity(t *testing.T) {
	type snapshot struct {
		pods []corev1.Pod
		deps []appsv1.Deployment
	}
	web := pod("web-0", app("web"))
	tests := map[string]struct {
		promises     map[string]observe.Capacity
		snapshots    []snapshot // one a second from +1s
		want         []float64
		wantReplicas map[string]int
	}{
		"a scale to 0 lowers availability": {
			promises: map[string]observe.Capacity{"shop/api": {Replicas: 3}},
			snapshots: []snapshot{
				{apiPods(3, 0), []appsv1.Deployment{deploy("api", 3)}},
				{nil, []appsv1.Deployment{deploy("api", 0)}},
			},
			want: []float64{1, 0}, wantReplicas: map[string]int{"shop/api": 3},
		},
		"a scale to 0 lowers availability without a promise too": {
			snapshots: []snapshot{
				{apiPods(3, 0), []appsv1.Deployment{deploy("api", 3)}},
				{nil, []appsv1.Deployment{deploy("api", 0)}},
			},
			want: []float64{1, 0}, wantReplicas: map[string]int{"shop/api": 3},
		},
		"scaled to 0 before the first snapshot": {
			promises:  map[string]observe.Capacity{"shop/api": {Replicas: 3}},
			snapshots: []snapshot{{nil, []appsv1.Deployment{deploy("api", 0)}}},
			want:      []float64{0}, wantReplicas: map[string]int{"shop/api": 3},
		},
		"a scale-down counts against the promise": {
			promises: map[string]observe.Capacity{"shop/api": {Replicas: 3}},
			snapshots: []snapshot{
				{apiPods(1, 0), []appsv1.Deployment{deploy("api", 1)}},
			},
			want: []float64{1.0 / 3}, wantReplicas: map[string]int{"shop/api": 3},
		},
		"a deleted Deployment counts as 0 serving": {
			promises: map[string]observe.Capacity{"shop/api": {Replicas: 3}, "shop/web": {Replicas: 1}},
			snapshots: []snapshot{
				{append(apiPods(3, 0), web), []appsv1.Deployment{deploy("api", 3), deploy("web", 1)}},
				{[]corev1.Pod{web}, []appsv1.Deployment{deploy("web", 1)}},
			},
			want: []float64{1, 0.25}, wantReplicas: map[string]int{"shop/api": 3, "shop/web": 1},
		},
		"a deleted Deployment scaled down first counts its promise": {
			promises: map[string]observe.Capacity{"shop/api": {Replicas: 3}},
			snapshots: []snapshot{
				{nil, []appsv1.Deployment{deploy("api", 0)}},
				{nil, nil},
			},
			want: []float64{0, 0}, wantReplicas: map[string]int{"shop/api": 3},
		},
		"a scale-up raises the denominator only from when it is seen": {
			promises: map[string]observe.Capacity{"shop/api": {Replicas: 3}},
			snapshots: []snapshot{
				{apiPods(3, 0), []appsv1.Deployment{deploy("api", 3)}},
				{apiPods(3, 2), []appsv1.Deployment{deploy("api", 5)}},
				{apiPods(5, 0), []appsv1.Deployment{deploy("api", 5)}},
				// Scaled back to the promise: the highest seen still counts.
				{apiPods(3, 0), []appsv1.Deployment{deploy("api", 3)}},
			},
			want: []float64{1, 0.6, 1, 0.6}, wantReplicas: map[string]int{"shop/api": 5},
		},
		"autoscaled at 6 then back to 3 with MinReplicas 3": {
			promises: map[string]observe.Capacity{"shop/api": {Autoscaled: true, MinReplicas: 3}},
			snapshots: []snapshot{
				{apiPods(3, 0), []appsv1.Deployment{deploy("api", 3)}},
				{apiPods(4, 2), []appsv1.Deployment{deploy("api", 6)}},
				{apiPods(6, 0), []appsv1.Deployment{deploy("api", 6)}},
				{apiPods(3, 0), []appsv1.Deployment{deploy("api", 3)}},
			},
			want: []float64{1, 4.0 / 6, 1, 1}, wantReplicas: map[string]int{"shop/api": 3},
		},
		"autoscaled, scaled to 1 below MinReplicas 3": {
			promises: map[string]observe.Capacity{"shop/api": {Autoscaled: true, MinReplicas: 3}},
			snapshots: []snapshot{
				{apiPods(3, 0), []appsv1.Deployment{deploy("api", 3)}},
				{apiPods(1, 0), []appsv1.Deployment{deploy("api", 1)}},
			},
			want: []float64{1, 1.0 / 3}, wantReplicas: map[string]int{"shop/api": 3},
		},
		"autoscaled: Replicas is not read": {
			promises: map[string]observe.Capacity{"shop/api": {Replicas: 10, Autoscaled: true, MinReplicas: 2}},
			snapshots: []snapshot{
				{apiPods(2, 0), []appsv1.Deployment{deploy("api", 2)}},
			},
			want: []float64{1}, wantReplicas: map[string]int{"shop/api": 2},
		},
		"autoscaled and deleted: its last desired replicas, none serving": {
			promises: map[string]observe.Capacity{"shop/api": {Autoscaled: true, MinReplicas: 2}},
			snapshots: []snapshot{
				{apiPods(4, 0), []appsv1.Deployment{deploy("api", 4)}},
				{nil, nil},
			},
			want: []float64{1, 0}, wantReplicas: map[string]int{"shop/api": 4},
		},
		"a paused Deployment counts by its serving pods": {
			promises: map[string]observe.Capacity{"shop/api": {Replicas: 3}},
			snapshots: []snapshot{
				{apiPods(2, 1), []appsv1.Deployment{scaled("api", 3, paused)}},
				{apiPods(3, 0), []appsv1.Deployment{scaled("api", 3, paused)}},
			},
			want: []float64{2.0 / 3, 1}, wantReplicas: map[string]int{"shop/api": 3},
		},
		"a promise for another workload changes nothing": {
			promises: map[string]observe.Capacity{"other/api": {Replicas: 9}},
			snapshots: []snapshot{
				{apiPods(2, 0), []appsv1.Deployment{deploy("api", 2)}},
			},
			want: []float64{1}, wantReplicas: map[string]int{"shop/api": 2},
		},
		"a promise above what the fixture got": {
			promises: map[string]observe.Capacity{"shop/api": {Replicas: 4}},
			snapshots: []snapshot{
				{apiPods(2, 0), []appsv1.Deployment{deploy("api", 2)}},
			},
			want: []float64{0.5}, wantReplicas: map[string]int{"shop/api": 4},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tr := observe.NewTruth(nil)
			for w, c := range tc.promises {
				tr.Promise(w, c)
			}
			for i, s := range tc.snapshots {
				tr.Observe(at(float64(i+1)), s.pods, s.deps)
			}
			var got []float64
			for _, s := range tr.Result().Samples {
				got = append(got, s.Availability)
			}
			if !slices.EqualFunc(got, tc.want, func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }) {
				t.Errorf("availability = %v, want %v", got, tc.want)
			}
			if r := tr.Replicas(); !maps.Equal(r, tc.wantReplicas) {
				t.Errorf("Replicas = %v, want %v", r, tc.wantReplicas)
			}
		})
	}
}

// nodeAction is an accepted write at sec on node that the ledger classified
// as kind.
func nodeAction(sec float64, node, kind string) scorecard.LedgerEntry {
	e := action(sec, "patch", "nodes", "", "", node, 200)
	e.Kind = kind
	return e
}

func TestClassifyNodeActions(t *testing.T) {
	// api's pods run on kwok-node-0; kwok-node-1 runs nothing.
	observeRun := func(tr *observe.Truth) {
		for _, sec := range []float64{0, 20, 40, 60, 80, 100, 120} {
			tr.Observe(at(sec), apiPods(2, 0), []appsv1.Deployment{deploy("api", 2)})
		}
	}
	down := effect("down", truly, nodes("kwok-node-1"))
	tests := map[string]struct {
		effects    []observe.Effect
		entry      scorecard.LedgerEntry
		want       observe.Grade
		wantReason string
		wantFP     string
	}{
		"a cordon of a healthy node": {
			entry: nodeAction(41, "kwok-node-1", "cordon"), want: observe.GradeFalsePositive,
			wantReason: "no fault was on the node",
			wantFP:     "node kwok-node-1: cordoned at 03:00:41 UTC; no fault was on the node",
		},
		"a taint of a healthy node": {
			entry: nodeAction(41, "kwok-node-1", "taint"), want: observe.GradeFalsePositive,
			wantReason: "no fault was on the node",
			wantFP:     "node kwok-node-1: tainted at 03:00:41 UTC; no fault was on the node",
		},
		"a drain of a healthy node": {
			entry: nodeAction(41, "kwok-node-1", "drain"), want: observe.GradeFalsePositive,
			wantReason: "no fault was on the node",
			wantFP:     "node kwok-node-1: drained at 03:00:41 UTC; no fault was on the node",
		},
		"a cordon of a node under an active effect": {
			effects: []observe.Effect{down},
			entry:   nodeAction(41, "kwok-node-1", "cordon"), want: observe.GradeTruePositive,
			wantReason: "the node was truly broken (down)",
		},
		"a drain of a node that only looks down": {
			effects: []observe.Effect{effect("silent", looks, nodes("kwok-node-1"))},
			entry:   nodeAction(41, "kwok-node-1", "drain"), want: observe.GradeTruePositive,
			wantReason: "the node looked broken (silent)",
		},
		"a cordon at the very moment of recovery": {
			effects: []observe.Effect{down},
			entry:   nodeAction(100, "kwok-node-1", "cordon"), want: observe.GradeTruePositive,
			wantReason: "truly broken (down)",
		},
		"a cordon after the fault was recovered": {
			effects: []observe.Effect{down},
			entry:   nodeAction(101, "kwok-node-1", "cordon"), want: observe.GradeFalsePositive,
			wantReason: "no fault was on the node",
			wantFP:     "node kwok-node-1: cordoned at 03:01:41 UTC; no fault was on the node",
		},
		"a cordon before the fault": {
			effects: []observe.Effect{down},
			entry:   nodeAction(5, "kwok-node-1", "cordon"), want: observe.GradeFalsePositive,
			wantReason: "no fault was on the node",
			wantFP:     "node kwok-node-1: cordoned at 03:00:05 UTC; no fault was on the node",
		},
		"a cordon of another node than the fault's": {
			effects: []observe.Effect{down},
			entry:   nodeAction(41, "kwok-node-0", "cordon"), want: observe.GradeFalsePositive,
			wantReason: "no fault was on the node",
			wantFP:     "node kwok-node-0: cordoned at 03:00:41 UTC; no fault was on the node",
		},
		"a fault on pods is not a fault on their node": {
			effects: []observe.Effect{effect("crash", truly)},
			entry:   nodeAction(41, "kwok-node-0", "cordon"), want: observe.GradeFalsePositive,
			wantReason: "no fault was on the node",
			wantFP:     "node kwok-node-0: cordoned at 03:00:41 UTC; no fault was on the node",
		},
		"an effect that marks nothing on the node": {
			effects: []observe.Effect{effect("noop", nodes("kwok-node-1"))},
			entry:   nodeAction(41, "kwok-node-1", "taint"), want: observe.GradeFalsePositive,
			wantReason: "no fault was on the node",
			wantFP:     "node kwok-node-1: tainted at 03:00:41 UTC; no fault was on the node",
		},
		"a rejected cordon": {
			entry: func() scorecard.LedgerEntry {
				e := nodeAction(41, "kwok-node-1", "cordon")
				e.Code = 403
				return e
			}(),
			want: observe.GradeNotGraded, wantReason: "rejected it (403)",
		},
		"an uncordon": {
			entry: nodeAction(41, "kwok-node-1", "reversal"), want: observe.GradeNotGraded,
			wantReason: "not a pod deletion or eviction, nor a node cordon, taint or drain",
		},
		"a node write the ledger did not classify": {
			entry: cordon(41, "kwok-node-1"), want: observe.GradeNotGraded,
			wantReason: "nor a node cordon",
		},
		"a node's status": {
			entry: func() scorecard.LedgerEntry {
				e := nodeAction(41, "kwok-node-1", "cordon")
				e.Subresource = "status"
				return e
			}(),
			want: observe.GradeNotGraded, wantReason: "nor a node cordon",
		},
		"an eviction of a drain is graded as a pod's": {
			entry: func() scorecard.LedgerEntry {
				e := evictPod(41, "api-0")
				e.Kind = "drain"
				return e
			}(),
			want: observe.GradeFalsePositive, wantReason: "ready, no fault on it",
			wantFP: "shop/api-0: evicted at 03:00:41 UTC; pod was ready, no fault on it",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tr := observe.NewTruth(tc.effects)
			observeRun(tr)
			c := tr.ClassifyAction(tc.entry)
			if c.Grade != tc.want || c.Workload != "" && tc.entry.Resource == "nodes" {
				t.Errorf("grade, workload = %s, %q; want %s, none (%s)", c.Grade, c.Workload, tc.want, c.Reason)
			}
			if !strings.Contains(c.Reason, tc.wantReason) {
				t.Errorf("reason %q does not contain %q", c.Reason, tc.wantReason)
			}
			fps := tr.Result().FalsePositives
			switch {
			case tc.wantFP == "" && len(fps) != 0:
				t.Errorf("false positives = %q, want none", fps)
			case tc.wantFP != "" && (len(fps) != 1 || !strings.HasPrefix(fps[0], tc.wantFP)):
				t.Errorf("false positives = %q, want one: %q", fps, tc.wantFP)
			}
		})
	}
}

// With an origin, the truth's reports give offsets from it, as the rest of
// a scorecard does; without one, clock times.
func TestTruthOffsets(t *testing.T) {
	tr := observe.NewTruth([]observe.Effect{effect("crash", truly)})
	tr.SetOrigin(at(-5))
	for sec := 0.0; sec <= 120; sec += 10 {
		tr.Observe(at(sec), []corev1.Pod{pod("api-0"), pod("api-1")}, []appsv1.Deployment{deploy("api", 2)})
	}
	res := tr.Result()
	want := "crash: pods app=api in shop truly broken from +0:15 to +1:45; the remediator never acted on it"
	if len(res.FalseNegatives) != 1 || res.FalseNegatives[0] != want {
		t.Errorf("false negatives %q, want [%q]", res.FalseNegatives, want)
	}
}
