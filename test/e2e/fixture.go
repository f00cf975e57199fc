package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/harness/pages"
	"github.com/interlock-dev/interlock/harness/setup"
	"github.com/interlock-dev/interlock/internal/testutil"
	"github.com/interlock-dev/interlock/safetycases"
)

const remNS = "interlock-system"

// fixture is what a remediator feature needs on the shared cluster: the
// admin's clients, the remediator's identity and kubeconfig, and the undo
// of everything its steps made there.
type fixture struct {
	undo
	admin    client.Client
	cs       *kubernetes.Clientset
	identity *setup.Identity
	kc       string // the remediator's kubeconfig path
}

var (
	installOnce sync.Once
	installErr  error
	identity    *setup.Identity
)

// init installs the CRDs and the remediator's identity on the shared
// cluster, once, and fills in the fixture, whose undo is guarded by t, the
// feature's setup's. A feature makes its fixture, empty, when it is built,
// so that its Teardown step is f.teardown, and calls init in its setup.
func (f *fixture) init(t *testing.T) {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", shared.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	installOnce.Do(func() {
		ctx := context.Background()
		if installErr = setup.InstallCRDs(ctx, cfg); installErr != nil {
			return
		}
		identity, installErr = setup.Remediator(ctx, cfg, remNS, "remediator", nil, time.Hour)
	})
	if installErr != nil {
		t.Fatal(installErr)
	}
	admin, err := client.New(cfg, client.Options{Scheme: contract.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	kc := filepath.Join(t.TempDir(), "remediator.kubeconfig")
	if err := os.WriteFile(kc, identity.Kubeconfig, 0o600); err != nil {
		t.Fatal(err)
	}
	f.admin, f.cs, f.identity, f.kc = admin, kubernetes.NewForConfigOrDie(cfg), identity, kc
	f.guard(t)
}

func (f *fixture) namespace(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	if err := f.admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	f.push(func() {
		_ = f.admin.Delete(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
	})
}

// deployment creates a Deployment of replicas pods of image name:1 with
// the labels app=name and lbls, and waits until they are all available.
func (f *fixture) deployment(t *testing.T, ns, name string, replicas int32, lbls map[string]string) *appsv1.Deployment {
	t.Helper()
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: merge(map[string]string{"app": name}, lbls)},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: name + ":1"}}},
			},
		},
	}
	if err := f.admin.Create(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	f.waitAvailable(t, d, replicas)
	return d
}

func (f *fixture) waitAvailable(t *testing.T, d *appsv1.Deployment, replicas int32) {
	t.Helper()
	testutil.WaitDeploymentAvailable(t, f.cs, d.Namespace, d.Name, replicas, time.Minute)
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// crashLoop makes every Running pod that matches sel report its container
// in CrashLoopBackOff, not Ready, until the feature's teardown: what a
// container that keeps crashing looks like to the API. Replacement pods
// crash too.
func (f *fixture) crashLoop(ns, sel string) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	f.push(func() { cancel(); <-done })
	lastRestart := map[types.UID]time.Time{}
	go func() {
		defer close(done)
		_ = wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
			pods, err := f.cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
			if err != nil {
				return false, nil
			}
			for i := range pods.Items {
				f.crash(ctx, &pods.Items[i], lastRestart)
			}
			return false, nil
		})
	}()
}

// crash makes the Running pod p crash, or, if it is already crashing,
// restarts it again every few seconds, as the kubelet would, with the
// count rising.
func (f *fixture) crash(ctx context.Context, p *corev1.Pod, lastRestart map[types.UID]time.Time) {
	if p.Status.Phase != corev1.PodRunning || p.DeletionTimestamp != nil || len(p.Status.ContainerStatuses) == 0 {
		return
	}
	cs := &p.Status.ContainerStatuses[0]
	if cs.State.Waiting != nil && cs.State.Waiting.Reason == "CrashLoopBackOff" {
		if time.Since(lastRestart[p.UID]) > 3*time.Second {
			lastRestart[p.UID] = time.Now()
			cs.RestartCount++
			_, _ = f.cs.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{})
		}
		return
	}
	lastRestart[p.UID] = time.Now()
	now := metav1.Now()
	cs.Ready = false
	cs.RestartCount++
	cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off restarting failed container"}}
	for j := range p.Status.Conditions {
		if c := &p.Status.Conditions[j]; c.Type == corev1.PodReady || c.Type == corev1.ContainersReady {
			c.Status, c.LastTransitionTime = corev1.ConditionFalse, now
		}
	}
	_, _ = f.cs.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{})
}

// unhealthyCase returns the shipped unhealthy-workload safety case with
// short times and a budget of max actions, so a test sees a storm quickly.
func unhealthyCase(t *testing.T, max int32) *v1alpha1.SafetyCaseSpec {
	sc, err := safetycases.Get("unhealthy-workload")
	if err != nil {
		t.Fatal(err)
	}
	spec := sc.Spec.DeepCopy()
	spec.Trigger.For = metav1.Duration{Duration: time.Second}
	spec.Budget.MaxActions = max
	spec.Budget.PerTarget = ptr.To[int32](1)
	spec.Budget.Window = metav1.Duration{Duration: 10 * time.Minute}
	spec.Reversal.TimeToReverse = metav1.Duration{Duration: 2 * time.Second}
	return spec
}

// shipped returns a shipped safety case with a short hold, for tests.
func shipped(t *testing.T, name string, edit func(*v1alpha1.SafetyCaseSpec)) *v1alpha1.SafetyCaseSpec {
	t.Helper()
	sc, err := safetycases.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	spec := sc.Spec.DeepCopy()
	spec.Trigger.For = metav1.Duration{Duration: 2 * time.Second}
	if edit != nil {
		edit(spec)
	}
	return spec
}

func (f *fixture) automation(t *testing.T, name string, typ v1alpha1.AutomationType, rung string, nss []string, sc *v1alpha1.SafetyCaseSpec) {
	t.Helper()
	a := &v1alpha1.Automation{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: remNS},
		Spec:       v1alpha1.AutomationSpec{Type: typ, Rung: rung, Namespaces: nss, SafetyCase: sc, Runbook: "https://runbooks.example/" + name},
	}
	if err := f.admin.Create(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	f.push(func() { _ = f.admin.Delete(context.Background(), a) })
}

func (f *fixture) getAutomation(t *testing.T, name string) *v1alpha1.Automation {
	t.Helper()
	var a v1alpha1.Automation
	if err := f.admin.Get(context.Background(), client.ObjectKey{Namespace: remNS, Name: name}, &a); err != nil {
		t.Fatal(err)
	}
	return &a
}

func (f *fixture) waitHalted(t *testing.T, name string, timeout time.Duration) *v1alpha1.Automation {
	t.Helper()
	var a v1alpha1.Automation
	testutil.WaitFor(t, timeout, "automation "+name+" to halt", func(ctx context.Context) (bool, error) {
		if err := f.admin.Get(ctx, client.ObjectKey{Namespace: remNS, Name: name}, &a); err != nil {
			return false, nil
		}
		return meta.IsStatusConditionTrue(a.Status.Conditions, v1alpha1.ConditionHalted), nil
	}, func() string { return fmt.Sprintf("status %+v", a.Status) })
	return &a
}

// storm sets up a storm in ns: a crash-looping Deployment of 3 beside a
// healthy one of 2, an unhealthy-workload automation with the given budget,
// and a page receiver, closed at the feature's teardown.
func (f *fixture) storm(t *testing.T, ns, automation string, budget int32) *pages.Receiver {
	t.Helper()
	f.namespace(t, ns)
	f.deployment(t, ns, "crasher", 3, nil)
	f.deployment(t, ns, "bystander", 2, nil)
	rcv, err := pages.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.push(func() { _ = rcv.Close() })
	f.automation(t, automation, v1alpha1.UnhealthyWorkload, "unsupervised", []string{ns}, unhealthyCase(t, budget))
	f.crashLoop(ns, "app=crasher")
	return rcv
}
