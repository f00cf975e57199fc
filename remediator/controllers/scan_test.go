package controllers_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/remediator/controllers"
	"github.com/interlock-dev/interlock/remediator/engine"
)

// TestScanReadsTheCache checks Engine.Scan on a real API server: through
// the informer's namespace index and through a List it sees the same
// objects, only those of the namespace asked for; it stops when told;
// and the index hands out the cache's own objects rather than copies.
func TestScanReadsTheCache(t *testing.T) {
	e := newEnv(t)
	other := newEnv(t)
	for i := range 3 {
		e.create(&corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("scan-%d", i), Namespace: e.ns},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app"}}},
		})
	}
	other.create(&corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "elsewhere", Namespace: other.ns},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app"}}},
	})
	e.start(func(en *engine.Engine) reconciler { return &controllers.PodReconciler{Engine: en} })
	listed := *e.engine
	listed.Informers = nil
	ctx := context.Background()

	names := func(en *engine.Engine, ns string) []string {
		t.Helper()
		var out []string
		if err := en.Scan(ctx, &corev1.PodList{}, ns, func(o client.Object) bool {
			out = append(out, o.GetNamespace()+"/"+o.GetName())
			return true
		}); err != nil {
			t.Fatalf("Scan(%q): %v", ns, err)
		}
		slices.Sort(out)
		return out
	}
	want := []string{e.ns + "/scan-0", e.ns + "/scan-1", e.ns + "/scan-2"}
	e.eventually("the cache never held the test's pods", func(context.Context) (bool, error) {
		return slices.Equal(names(e.engine, e.ns), want), nil
	})
	if got := names(&listed, e.ns); !slices.Equal(got, want) {
		t.Errorf("listed: %v, want %v", got, want)
	}
	if got := names(e.engine, ""); !slices.Contains(got, other.ns+"/elsewhere") || !slices.Contains(got, want[0]) {
		t.Errorf("every namespace: %v, want both namespaces' pods", got)
	}

	for name, en := range map[string]*engine.Engine{"index": e.engine, "list": &listed} {
		t.Run(name+" stops when told", func(t *testing.T) {
			n := 0
			if err := en.Scan(ctx, &corev1.PodList{}, e.ns, func(client.Object) bool { n++; return n < 2 }); err != nil {
				t.Fatal(err)
			}
			if n != 2 {
				t.Errorf("fn ran %d times, want 2", n)
			}
		})
	}

	seen := map[string]client.Object{}
	_ = e.engine.Scan(ctx, &corev1.PodList{}, e.ns, func(o client.Object) bool { seen[o.GetName()] = o; return true })
	_ = e.engine.Scan(ctx, &corev1.PodList{}, e.ns, func(o client.Object) bool {
		if seen[o.GetName()] != o {
			t.Errorf("%s: two scans gave two objects; want the cache's own, not copies", o.GetName())
		}
		return true
	})
}

// TestPodScopeIndexCounts checks the index the unhealthy-workload scope is
// counted from, on a real API server: a pod bound to a node that does not
// exist is never Ready, so the trigger fires for it; the others turn
// Ready; a deleted pod leaves the count at once. An index never added is
// not read.
func TestPodScopeIndexCounts(t *testing.T) {
	e := newEnv(t)
	for i := range 3 {
		e.create(&corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("ready-%d", i), Namespace: e.ns},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app"}}},
		})
	}
	stuck := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "stuck", Namespace: e.ns},
		Spec:       corev1.PodSpec{NodeName: "nowhere", Containers: []corev1.Container{{Name: "app", Image: "app"}}},
	}
	e.create(stuck)
	e.start(func(en *engine.Engine) reconciler { return &controllers.PodReconciler{Engine: en} })
	ctx := context.Background()
	count := func(value string) int {
		t.Helper()
		n, ok, err := e.engine.Indexed(ctx, &corev1.Pod{}, controllers.PodScopeIndex, e.ns+"/"+value)
		if err != nil || !ok {
			t.Fatalf("Indexed(%s) = %d, %v, %v; want the index read", value, n, ok, err)
		}
		return n
	}
	var live, unhealthy int
	e.eventually("the index never counted 4 pods, 1 of them unhealthy", func(context.Context) (bool, error) {
		live, unhealthy = count("live"), count("unhealthy")
		return live == 4 && unhealthy == 1, nil
	})
	if err := e.c.Delete(ctx, stuck, client.GracePeriodSeconds(0)); err != nil {
		t.Fatal(err)
	}
	e.eventually("the deleted pod stayed in the index", func(context.Context) (bool, error) {
		live, unhealthy = count("live"), count("unhealthy")
		return live == 3 && unhealthy == 0, nil
	})
	if n, ok, err := e.engine.Indexed(ctx, &corev1.Pod{}, "no-such-index", e.ns+"/live"); ok || err != nil {
		t.Errorf("an index never added: %d, %v, %v; want not read, no error", n, ok, err)
	}
	listed := *e.engine
	listed.Informers = nil
	if _, ok, err := listed.Indexed(ctx, &corev1.Pod{}, controllers.PodScopeIndex, e.ns+"/live"); ok || err != nil {
		t.Errorf("without informers: %v, %v; want not read, no error", ok, err)
	}
}
