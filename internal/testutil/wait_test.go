package testutil_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/interlock-dev/interlock/internal/testutil"
)

// fatalRecorder is a testing.TB that records a Fatalf instead of stopping
// the test, so that a wait that times out can be checked.
type fatalRecorder struct {
	testing.TB
	fatal bool
	msg   string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.fatal = true
	r.msg = fmt.Sprintf(format, args...)
}

func pod(name string, ready bool) *corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "shop", Labels: map[string]string{"app": "web"}},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}},
	}
}

func node(name string, ready corev1.ConditionStatus) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Status:     corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready, Reason: "KubeletReady"}}},
	}
}

var errBroken = errors.New("broken")

var untilTests = map[string]struct {
	cond    func(calls int) (bool, error)
	wantErr func(error) bool
	// wantCalls is the least number of checks made.
	wantCalls int
}{
	"holds at once": {
		cond:      func(int) (bool, error) { return true, nil },
		wantErr:   func(err error) bool { return err == nil },
		wantCalls: 1,
	},
	"holds on the third check": {
		cond:      func(calls int) (bool, error) { return calls >= 3, nil },
		wantErr:   func(err error) bool { return err == nil },
		wantCalls: 3,
	},
	"never holds": {
		cond:      func(int) (bool, error) { return false, nil },
		wantErr:   wait.Interrupted,
		wantCalls: 2,
	},
	"an error ends the wait": {
		cond:      func(int) (bool, error) { return false, errBroken },
		wantErr:   func(err error) bool { return errors.Is(err, errBroken) },
		wantCalls: 1,
	},
}

func TestUntil(t *testing.T) {
	for name, tc := range untilTests {
		t.Run(name, func(t *testing.T) {
			calls := 0
			err := testutil.Until(t.Context(), 10*time.Millisecond, 200*time.Millisecond, func(context.Context) (bool, error) {
				calls++
				return tc.cond(calls)
			})
			if !tc.wantErr(err) {
				t.Errorf("Until = %v", err)
			}
			if calls < tc.wantCalls {
				t.Errorf("cond checked %d times, want at least %d", calls, tc.wantCalls)
			}
		})
	}
}

func TestWaitForFailsWithWhatAndState(t *testing.T) {
	r := &fatalRecorder{TB: t}
	testutil.WaitFor(r, 300*time.Millisecond, "the moon to turn blue", func(context.Context) (bool, error) { return false, nil },
		func() string { return "the moon is grey" }, func() string { return "it is night" })
	if !r.fatal {
		t.Fatal("WaitFor did not fail on a condition that never holds")
	}
	for _, want := range []string{"timed out after 300ms waiting for the moon to turn blue", "the moon is grey\nit is night"} {
		if !strings.Contains(r.msg, want) {
			t.Errorf("failure %q lacks %q", r.msg, want)
		}
	}

	r = &fatalRecorder{TB: t}
	testutil.WaitFor(r, time.Second, "nothing", func(context.Context) (bool, error) { return true, nil })
	if r.fatal {
		t.Errorf("WaitFor failed on a condition that holds: %s", r.msg)
	}
}

var readyTests = map[string]struct {
	pod  *corev1.Pod
	node *corev1.Node
	want bool
}{
	"ready pod":           {pod: pod("a", true), want: true},
	"pod not ready":       {pod: pod("a", false)},
	"pod with no status":  {pod: &corev1.Pod{}},
	"ready node":          {node: node("n", corev1.ConditionTrue), want: true},
	"node not ready":      {node: node("n", corev1.ConditionFalse)},
	"node of unknown":     {node: node("n", corev1.ConditionUnknown)},
	"node with no status": {node: &corev1.Node{}},
}

func TestPodAndNodeReady(t *testing.T) {
	for name, tc := range readyTests {
		t.Run(name, func(t *testing.T) {
			var got bool
			if tc.pod != nil {
				got = testutil.PodReady(tc.pod)
			} else {
				got = testutil.NodeReady(tc.node)
			}
			if got != tc.want {
				t.Errorf("ready = %v, want %v", got, tc.want)
			}
		})
	}
}

// later makes change to the fake cluster a moment after a wait has begun,
// so that the wait sees the state change.
func later(t *testing.T, change func(ctx context.Context) error) {
	timer := time.AfterFunc(300*time.Millisecond, func() {
		if err := change(context.Background()); err != nil {
			t.Errorf("failed to change the fake cluster: %v", err)
		}
	})
	t.Cleanup(func() { timer.Stop() })
}

func TestWaitPodsReady(t *testing.T) {
	// Only the app=web pods count: db-0, not Ready, is left out.
	db := pod("db-0", false)
	db.Labels["app"] = "db"
	cs := fake.NewClientset(pod("web-0", true), pod("web-1", false), db)

	r := &fatalRecorder{TB: t}
	testutil.WaitPodsReady(r, cs, "shop", "app=web", 2, 300*time.Millisecond)
	if !r.fatal || !strings.Contains(r.msg, "2 Ready pods app=web in shop") || !strings.Contains(r.msg, "pod web-1 node= phase=Running ready=false") {
		t.Fatalf("a pod not Ready: fatal %v, %q", r.fatal, r.msg)
	}

	later(t, func(ctx context.Context) error {
		_, err := cs.CoreV1().Pods("shop").Update(ctx, pod("web-1", true), metav1.UpdateOptions{})
		return err
	})
	pods := testutil.WaitPodsReady(t, cs, "shop", "app=web", 2, 10*time.Second)
	if len(pods) != 2 {
		t.Errorf("got %d pods, want 2", len(pods))
	}
}

func TestWaitNodeReady(t *testing.T) {
	cs := fake.NewClientset(node("kwok-node-0", corev1.ConditionFalse))
	r := &fatalRecorder{TB: t}
	testutil.WaitNodeReady(r, cs, "kwok-node-0", 300*time.Millisecond)
	if !r.fatal || !strings.Contains(r.msg, "node kwok-node-0 to be Ready") || !strings.Contains(r.msg, "Ready=False (KubeletReady)") {
		t.Fatalf("a node not Ready: fatal %v, %q", r.fatal, r.msg)
	}
	r = &fatalRecorder{TB: t}
	testutil.WaitNodeReady(r, cs, "kwok-node-9", 300*time.Millisecond)
	if !r.fatal || !strings.Contains(r.msg, "the node was never read") {
		t.Fatalf("a missing node: fatal %v, %q", r.fatal, r.msg)
	}

	later(t, func(ctx context.Context) error {
		_, err := cs.CoreV1().Nodes().UpdateStatus(ctx, node("kwok-node-0", corev1.ConditionTrue), metav1.UpdateOptions{})
		return err
	})
	if n := testutil.WaitNodeReady(t, cs, "kwok-node-0", 10*time.Second); !testutil.NodeReady(n) {
		t.Errorf("WaitNodeReady returned a node not Ready: %+v", n.Status)
	}
}

func TestWaitDeploymentAvailable(t *testing.T) {
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Status:     appsv1.DeploymentStatus{Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 2},
	}
	cs := fake.NewClientset(d)
	r := &fatalRecorder{TB: t}
	testutil.WaitDeploymentAvailable(r, cs, "shop", "web", 3, 300*time.Millisecond)
	if !r.fatal || !strings.Contains(r.msg, "deployment shop/web to have 3 available replicas") || !strings.Contains(r.msg, "AvailableReplicas:2") {
		t.Fatalf("2 of 3 available: fatal %v, %q", r.fatal, r.msg)
	}

	later(t, func(ctx context.Context) error {
		up := d.DeepCopy()
		up.Status.AvailableReplicas = 3
		_, err := cs.AppsV1().Deployments("shop").UpdateStatus(ctx, up, metav1.UpdateOptions{})
		return err
	})
	if got := testutil.WaitDeploymentAvailable(t, cs, "shop", "web", 3, 10*time.Second); got.Status.AvailableReplicas != 3 {
		t.Errorf("returned status %+v", got.Status)
	}
}
