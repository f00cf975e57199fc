package e2e

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"github.com/interlock-dev/interlock/harness/setup"
	"github.com/interlock-dev/interlock/harness/staleview"
	"github.com/interlock-dev/interlock/internal/testutil"
	"github.com/interlock-dev/interlock/scenarios"
)

const staleNS = "staleview"

// staleView is a ServiceAccount's view of namespace staleview through the
// stale-view proxy: plain reads, and a watch-fed cache of its pods.
type staleView struct {
	undo
	ctx      context.Context
	admin    kubernetes.Interface
	proxy    *staleview.Proxy
	viaProxy kubernetes.Interface
	pods     listersv1.PodLister
}

// staleViewHoldsBackWatches: through the proxy, a watch-fed cache runs the
// set lag behind while a plain read sees the truth at once, requests keep
// their ServiceAccount identity, and lifting the lag replays what was held.
func staleViewHoldsBackWatches() features.Feature {
	v := &staleView{}
	return features.New("the stale view holds back watches").WithLabel("tier", scenarios.TierPR).
		Setup(v.setup).
		Assess("requests keep the ServiceAccount's identity", v.identity).
		Assess("the cache runs the lag behind a plain read", v.lagged).
		Assess("held events are replayed as soon as the lag is lifted", v.replayed).
		Teardown(v.teardown).
		Feature()
}

func (v *staleView) setup(featureCtx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	v.guard(t)
	ctx, cancel := context.WithCancel(context.Background())
	v.ctx = ctx
	v.push(cancel)
	v.admin = kubernetes.NewForConfigOrDie(shared.Config)
	if _, err := v.admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: staleNS}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	id, err := setup.Remediator(ctx, shared.Config, staleNS, "stale", nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if v.proxy, err = staleview.Start(id.Kubeconfig); err != nil {
		t.Fatal(err)
	}
	v.push(func() { v.proxy.Close() })
	kc, err := v.proxy.Kubeconfig(id.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kc)
	if err != nil {
		t.Fatal(err)
	}
	v.viaProxy = kubernetes.NewForConfigOrDie(cfg)
	f := informers.NewSharedInformerFactoryWithOptions(v.viaProxy, 0, informers.WithNamespace(staleNS))
	v.pods = f.Core().V1().Pods().Lister()
	f.Start(ctx.Done())
	f.WaitForCacheSync(ctx.Done())
	return featureCtx
}

// identity: the identity survives the proxy: the API server still names
// the ServiceAccount, which may list pods and may not delete namespaces.
func (v *staleView) identity(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	if _, err := v.viaProxy.CoreV1().Pods(staleNS).List(v.ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("list through the proxy: %v", err)
	}
	if err := v.viaProxy.CoreV1().Namespaces().Delete(v.ctx, staleNS, metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}}); err == nil {
		t.Fatal("the proxy lent the request more rights than the ServiceAccount has")
	}
	return ctx
}

func (v *staleView) lagged(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	const lag = 3 * time.Second
	v.proxy.SetLag(lag)
	created := time.Now()
	if _, err := v.admin.CoreV1().Pods(staleNS).Create(v.ctx, testPod(staleNS, "late"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.viaProxy.CoreV1().Pods(staleNS).Get(v.ctx, "late", metav1.GetOptions{}); err != nil {
		t.Fatalf("a plain read through the proxy does not see the pod at once: %v", err)
	}
	if _, err := v.pods.Pods(staleNS).Get("late"); err == nil {
		t.Fatal("the cache saw the pod at once, despite the lag")
	}
	v.waitCached(t, "late", 30*time.Second)
	if got := time.Since(created); got < lag-500*time.Millisecond {
		t.Errorf("the cache saw the pod %s after it was created, want about %s", got, lag)
	}
	if v.proxy.Held() == 0 {
		t.Error("the proxy reports nothing held back")
	}
	return ctx
}

func (v *staleView) replayed(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	if _, err := v.admin.CoreV1().Pods(staleNS).Create(v.ctx, testPod(staleNS, "held"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	v.proxy.SetLag(0)
	if took := v.waitCached(t, "held", 30*time.Second); took > 2*time.Second {
		t.Errorf("the held event came %s after the lag was lifted, want at once", took)
	}
	return ctx
}

// waitCached waits, checking every 20ms, until the pod is in the cache,
// and returns how long that took.
func (v *staleView) waitCached(t *testing.T, name string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	err := testutil.Until(v.ctx, 20*time.Millisecond, within, func(context.Context) (bool, error) {
		_, err := v.pods.Pods(staleNS).Get(name)
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("pod %s never reached the cache within %s", name, within)
	}
	return time.Since(start)
}

func testPod(ns, name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app:1"}}},
	}
}
