package e2e

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/interlock-dev/interlock/harness/setup"
	"github.com/interlock-dev/interlock/harness/staleview"
)

// TestStaleViewHoldsBackWatches: through the proxy, a watch-fed cache runs
// the set lag behind while a plain read sees the truth at once, requests
// keep their ServiceAccount identity, and lifting the lag replays what was
// held.
func TestStaleViewHoldsBackWatches(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const ns = "staleview"
	admin := kubernetes.NewForConfigOrDie(shared.Config)
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	id, err := setup.Remediator(ctx, shared.Config, ns, "stale", nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	p, err := staleview.Start(id.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	kc, err := p.Kubeconfig(id.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kc)
	if err != nil {
		t.Fatal(err)
	}
	viaProxy := kubernetes.NewForConfigOrDie(cfg)
	f := informers.NewSharedInformerFactoryWithOptions(viaProxy, 0, informers.WithNamespace(ns))
	pods := f.Core().V1().Pods().Lister()
	f.Start(ctx.Done())
	f.WaitForCacheSync(ctx.Done())

	// The identity survives the proxy: the API server still names the
	// ServiceAccount, which may list pods and may not delete namespaces.
	if _, err := viaProxy.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("list through the proxy: %v", err)
	}
	if err := viaProxy.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}}); err == nil {
		t.Fatal("the proxy lent the request more rights than the ServiceAccount has")
	}

	const lag = 3 * time.Second
	p.SetLag(lag)
	created := time.Now()
	pod := testPod(ns, "late")
	if _, err := admin.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := viaProxy.CoreV1().Pods(ns).Get(ctx, "late", metav1.GetOptions{}); err != nil {
		t.Fatalf("a plain read through the proxy does not see the pod at once: %v", err)
	}
	if _, err := pods.Pods(ns).Get("late"); err == nil {
		t.Fatal("the cache saw the pod at once, despite the lag")
	}
	waitCached := func(name string, within time.Duration) time.Duration {
		t.Helper()
		start := time.Now()
		err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, within, true, func(context.Context) (bool, error) {
			_, err := pods.Pods(ns).Get(name)
			return err == nil, nil
		})
		if err != nil {
			t.Fatalf("pod %s never reached the cache within %s", name, within)
		}
		return time.Since(start)
	}
	waitCached("late", 30*time.Second)
	if got := time.Since(created); got < lag-500*time.Millisecond {
		t.Errorf("the cache saw the pod %s after it was created, want about %s", got, lag)
	}
	if p.Held() == 0 {
		t.Error("the proxy reports nothing held back")
	}

	// Held events are replayed as soon as the lag is lifted.
	if _, err := admin.CoreV1().Pods(ns).Create(ctx, testPod(ns, "held"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p.SetLag(0)
	if took := waitCached("held", 30*time.Second); took > 2*time.Second {
		t.Errorf("the held event came %s after the lag was lifted, want at once", took)
	}
}

func testPod(ns, name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app:1"}}},
	}
}
