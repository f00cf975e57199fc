package workload

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/interlock-dev/interlock/harness/observe"
	"github.com/interlock-dev/interlock/scenarios"
)

func TestLoadFigures(t *testing.T) {
	start := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	now := start.Add(time.Minute)
	pod := func(app string, ready bool, born time.Time) *corev1.Pod {
		status := corev1.ConditionFalse
		if ready {
			status = corev1.ConditionTrue
		}
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: app + born.Format("150405"), Labels: map[string]string{scenarios.AppLabel: app},
				CreationTimestamp: metav1.NewTime(born)},
			Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}},
		}
	}
	three := int32(3)
	deps := []*appsv1.Deployment{{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "db"}, Spec: appsv1.DeploymentSpec{Replicas: &three}}}
	demand := scenarios.Demand{Name: "q", Namespace: "shop", Workload: "db", Demand: resource.MustParse("450m"), PodCapacity: resource.MustParse("300m"),
		ColdStart: &scenarios.ColdStart{Workload: "web", Cost: resource.MustParse("100m"), Window: scenarios.Dur(12 * time.Second)}}
	tests := map[string]struct {
		pods                    []*corev1.Pod
		wantDemand              int64
		wantReady, wantStarting int
		overloaded, fits        bool
	}{
		"steady: three db pods carry 450m": {
			pods:       []*corev1.Pod{pod("db", true, start.Add(-time.Hour)), pod("db", true, start.Add(-time.Hour+time.Second)), pod("db", true, start.Add(-time.Hour+2*time.Second))},
			wantDemand: 450, wantReady: 3, fits: true,
		},
		"two cold starts fit": {
			pods: []*corev1.Pod{pod("db", true, start.Add(-time.Hour)), pod("db", true, start.Add(-time.Hour+time.Second)), pod("db", true, start.Add(-time.Hour+2*time.Second)),
				pod("web", false, now.Add(-5*time.Second)), pod("web", false, now.Add(-6*time.Second))},
			wantDemand: 650, wantReady: 3, wantStarting: 2, fits: true,
		},
		"six cold starts overload db": {
			pods: []*corev1.Pod{pod("db", true, start.Add(-time.Hour)), pod("db", true, start.Add(-time.Hour+time.Second)), pod("db", true, start.Add(-time.Hour+2*time.Second)),
				pod("web", false, now.Add(-1*time.Second)), pod("web", false, now.Add(-2*time.Second)), pod("web", false, now.Add(-3*time.Second)),
				pod("web", false, now.Add(-4*time.Second)), pod("web", false, now.Add(-5*time.Second)), pod("web", false, now.Add(-6*time.Second))},
			wantDemand: 1050, wantReady: 3, wantStarting: 6, overloaded: true,
		},
		"old and pre-run starts add nothing": {
			pods: []*corev1.Pod{pod("db", true, start.Add(-time.Hour)), pod("db", true, start.Add(-time.Hour+time.Second)), pod("db", true, start.Add(-time.Hour+2*time.Second)),
				pod("web", true, now.Add(-20*time.Second)), pod("web", true, start.Add(-time.Second))},
			wantDemand: 450, wantReady: 3, fits: true,
		},
		"one db pod down cannot carry the steady demand, but three would": {
			pods:       []*corev1.Pod{pod("db", true, start.Add(-time.Hour)), pod("db", false, start.Add(-time.Hour+time.Second))},
			wantDemand: 450, wantReady: 1, overloaded: true, fits: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := figures(&demand, observe.Sample{At: now, Pods: tc.pods, Deployments: deps}, start)
			if f.Demand != tc.wantDemand || f.Ready != tc.wantReady || f.Starting != tc.wantStarting || f.Desired != 3 {
				t.Errorf("figures = %+v, want demand %d, ready %d, starting %d, desired 3", f, tc.wantDemand, tc.wantReady, tc.wantStarting)
			}
			if got := f.Overloaded(300); got != tc.overloaded {
				t.Errorf("Overloaded = %v, want %v", got, tc.overloaded)
			}
			if got := f.Fits(300); got != tc.fits {
				t.Errorf("Fits = %v, want %v", got, tc.fits)
			}
		})
	}
}

// A Ready pod reports its share of the demand; a pod that is not Ready
// serves nothing and reports IdleUsage, not the share it last carried.
func TestPodUsage(t *testing.T) {
	pod := func(ready bool) *corev1.Pod {
		status := corev1.ConditionFalse
		if ready {
			status = corev1.ConditionTrue
		}
		return &corev1.Pod{Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}}}
	}
	tests := map[string]struct {
		ready bool
		f     LoadFigures
		want  int64
	}{
		"ready pods share the demand":          {ready: true, f: LoadFigures{Demand: 300, Ready: 4}, want: 75},
		"cold starts raise the share":          {ready: true, f: LoadFigures{Demand: 460, Ready: 4, Starting: 4}, want: 115},
		"a crash-looping pod idles":            {ready: false, f: LoadFigures{Demand: 300, Ready: 3}, want: IdleUsage},
		"an overloaded workload idles":         {ready: false, f: LoadFigures{Demand: 300}, want: IdleUsage},
		"no Ready pod counted: the whole load": {ready: true, f: LoadFigures{Demand: 300}, want: 300},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := podUsage(pod(tc.ready), tc.f); got != tc.want {
				t.Errorf("podUsage = %dm, want %dm", got, tc.want)
			}
		})
	}
}
