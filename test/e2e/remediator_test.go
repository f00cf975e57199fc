package e2e

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
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
	"github.com/interlock-dev/interlock/harness/ledger"
	"github.com/interlock-dev/interlock/harness/pages"
	"github.com/interlock-dev/interlock/harness/scorecard"
	"github.com/interlock-dev/interlock/harness/setup"
	"github.com/interlock-dev/interlock/remediator"
	"github.com/interlock-dev/interlock/safetycases"
)

const remNS = "interlock-system"

// fixture is what a remediator test needs on the shared cluster.
type fixture struct {
	t        *testing.T
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

func newFixture(t *testing.T) *fixture {
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
	return &fixture{t: t, admin: admin, cs: kubernetes.NewForConfigOrDie(cfg), identity: identity, kc: kc}
}

// proc is a running remediator process.
type proc struct {
	cmd     *exec.Cmd
	metrics string
	out     *bytes.Buffer
	done    chan struct{}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startRemediator runs `interlock remediator` as its own process with the
// ServiceAccount's token, so the audit log names it.
func (f *fixture) startRemediator(pageURL string) *proc {
	f.t.Helper()
	p := &proc{metrics: freeAddr(f.t), out: &bytes.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(interlockBin, "remediator", "--kubeconfig", f.kc, "--metrics-addr", p.metrics, "--page-url", pageURL, "-n", remNS)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		f.t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	f.t.Cleanup(func() { p.kill() })
	return p
}

func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
	}
	<-p.done
}

// metric sums the samples of a metric whose labels include want.
func (p *proc) metric(name string, want map[string]string) (float64, error) {
	resp, err := http.Get("http://" + p.metrics + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return 0, err
	}
	fam, ok := fams[name]
	if !ok {
		return 0, nil
	}
	sum := 0.0
	for _, m := range fam.Metric {
		match := true
		for k, v := range want {
			found := false
			for _, l := range m.Label {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			match = match && found
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		}
	}
	return sum, nil
}

func (f *fixture) namespace(name string) {
	f.t.Helper()
	ctx := context.Background()
	if err := f.admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil && !apierrors.IsAlreadyExists(err) {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() {
		_ = f.admin.Delete(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
	})
}

func (f *fixture) deployment(ns, name string, replicas int32, lbls map[string]string) *appsv1.Deployment {
	f.t.Helper()
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
		f.t.Fatal(err)
	}
	f.waitAvailable(d, replicas)
	return d
}

func (f *fixture) waitAvailable(d *appsv1.Deployment, replicas int32) {
	f.t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		var got appsv1.Deployment
		if err := f.admin.Get(ctx, client.ObjectKeyFromObject(d), &got); err != nil {
			return false, nil
		}
		return got.Status.AvailableReplicas == replicas && got.Status.UpdatedReplicas == replicas, nil
	})
	if err != nil {
		f.t.Fatalf("deployment %s/%s never had %d available replicas: %v", d.Namespace, d.Name, replicas, err)
	}
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
// in CrashLoopBackOff, not Ready, until the test ends: what a container that
// keeps crashing looks like to the API. Replacement pods crash too.
func (f *fixture) crashLoop(ns, sel string) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	f.t.Cleanup(func() { cancel(); <-done })
	lastRestart := map[types.UID]time.Time{}
	go func() {
		defer close(done)
		_ = wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
			pods, err := f.cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
			if err != nil {
				return false, nil
			}
			for i := range pods.Items {
				p := &pods.Items[i]
				if p.Status.Phase != corev1.PodRunning || p.DeletionTimestamp != nil || len(p.Status.ContainerStatuses) == 0 {
					continue
				}
				cs := &p.Status.ContainerStatuses[0]
				if cs.State.Waiting != nil && cs.State.Waiting.Reason == "CrashLoopBackOff" {
					// Already crashing: restart it again every few seconds, as
					// the kubelet would, with the count rising.
					if time.Since(lastRestart[p.UID]) > 3*time.Second {
						lastRestart[p.UID] = time.Now()
						cs.RestartCount++
						_, _ = f.cs.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{})
					}
					continue
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
				_, _ = f.cs.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{})
			}
			return false, nil
		})
	}()
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

func (f *fixture) automation(name string, typ v1alpha1.AutomationType, rung string, nss []string, sc *v1alpha1.SafetyCaseSpec) {
	f.t.Helper()
	a := &v1alpha1.Automation{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: remNS},
		Spec:       v1alpha1.AutomationSpec{Type: typ, Rung: rung, Namespaces: nss, SafetyCase: sc, Runbook: "https://runbooks.example/" + name},
	}
	if err := f.admin.Create(context.Background(), a); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { _ = f.admin.Delete(context.Background(), a) })
}

func (f *fixture) getAutomation(name string) *v1alpha1.Automation {
	var a v1alpha1.Automation
	if err := f.admin.Get(context.Background(), client.ObjectKey{Namespace: remNS, Name: name}, &a); err != nil {
		f.t.Fatal(err)
	}
	return &a
}

func (f *fixture) waitHalted(name string, timeout time.Duration) *v1alpha1.Automation {
	f.t.Helper()
	var a v1alpha1.Automation
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		if err := f.admin.Get(ctx, client.ObjectKey{Namespace: remNS, Name: name}, &a); err != nil {
			return false, nil
		}
		return meta.IsStatusConditionTrue(a.Status.Conditions, v1alpha1.ConditionHalted), nil
	})
	if err != nil {
		f.t.Fatalf("automation %s never halted: %v; status %+v", name, err, a.Status)
	}
	return &a
}

// deletions counts, from the API server's audit log, the remediator's
// successful pod deletions in ns: the budget is judged on this, not on
// what the remediator says of itself.
func (f *fixture) deletions(ns string) int {
	f.t.Helper()
	entries, err := auditEntries(f.identity.Username)
	if err != nil {
		f.t.Fatal(err)
	}
	return len(ledger.Accepted(ledger.Actions(entries, func(e scorecard.LedgerEntry) bool {
		return ledger.PodDeletions(e) && e.Namespace == ns
	})))
}

// waitMetric waits until the metric's sum reaches at least min.
func (f *fixture) waitMetric(p *proc, name string, labels map[string]string, min float64) {
	f.t.Helper()
	var got float64
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		v, err := p.metric(name, labels)
		got = v
		return err == nil && v >= min, nil
	})
	if err != nil {
		f.t.Fatalf("%s%v = %v, want >= %v: %v\n%s", name, labels, got, min, err, tail(p.out.String()))
	}
}

func tail(s string) string {
	if len(s) > 3000 {
		return s[len(s)-3000:]
	}
	return s
}

// TestStormHaltsAndPages: a workload that keeps crashing is restarted
// exactly N times, then the automation halts, one page reaches a real HTTP
// receiver, and no further restart happens.
func TestStormHaltsAndPages(t *testing.T) {
	f := newFixture(t)
	const ns, name, budget = "storm", "storm-restarts", 3
	rcv := f.storm(ns, name, budget)
	p := f.startRemediator(rcv.URL())

	a := f.waitHalted(name, 90*time.Second)
	if c := meta.FindStatusCondition(a.Status.Conditions, v1alpha1.ConditionHalted); c.Reason != v1alpha1.ReasonBudgetExhausted {
		t.Errorf("halted with reason %q, want %q", c.Reason, v1alpha1.ReasonBudgetExhausted)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	page, err := rcv.WaitFor(ctx, func(p pages.Page) bool { return p.Labels["automation"] == name })
	if err != nil {
		t.Fatalf("no page for %s: %v", name, err)
	}
	if page.Labels["alertname"] != "InterlockRemediatorBudgetExhausted" {
		t.Errorf("page alertname = %q", page.Labels["alertname"])
	}
	// The remediator goes on seeing crashing pods and refuses them as
	// halted: wait for such decisions, then count what it did.
	f.waitMetric(p, "interlock_remediator_decisions_total", map[string]string{"automation": name, "reason": "Halted"}, 3)
	if got := f.waitDeletions(ns, budget); got != budget {
		t.Errorf("remediator deleted %d pods according to the audit log, want exactly %d", got, budget)
	}
	n := 0
	for _, pg := range rcv.Pages() {
		if pg.Labels["automation"] == name {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d pages for %s, want 1", n, name)
	}
	if v, _ := p.metric("interlock_remediator_actions_total", map[string]string{"automation": name, "outcome": "succeeded"}); v != budget {
		t.Errorf("actions metric = %v, want %d (the ledger's count)", v, budget)
	}
	if v, _ := p.metric("interlock_remediator_halted", map[string]string{"automation": name}); v != 1 {
		t.Errorf("halted metric = %v, want 1", v)
	}
	// A human resumes it: the halt is lifted under the name the API server
	// gives them, the budget starts afresh, and the storm is acted on again.
	out, errOut, code := runCLI(t, "resume", name, "--kubeconfig", shared.Kubeconfig, "-n", remNS)
	if code != 0 {
		t.Fatalf("resume exited %d: %s %s", code, out, errOut)
	}
	resumed := f.getAutomation(name)
	if meta.IsStatusConditionTrue(resumed.Status.Conditions, v1alpha1.ConditionHalted) || resumed.Status.ResumedBy != "kwok-admin" || resumed.Status.ResumedAt == nil {
		t.Errorf("after resume: halted=%v resumedBy=%q resumedAt=%v", meta.IsStatusConditionTrue(resumed.Status.Conditions, v1alpha1.ConditionHalted), resumed.Status.ResumedBy, resumed.Status.ResumedAt)
	}
	f.waitMetric(p, "interlock_remediator_actions_total", map[string]string{"automation": name, "outcome": "succeeded"}, budget+1)
	if _, _, code := runCLI(t, "resume", name, "--kubeconfig", shared.Kubeconfig, "-n", remNS); code == 0 && !meta.IsStatusConditionTrue(f.getAutomation(name).Status.Conditions, v1alpha1.ConditionHalted) {
		t.Error("resuming an automation that is not halted succeeded")
	}
	// The bystander was never touched.
	var bystanders corev1.PodList
	if err := f.admin.List(context.Background(), &bystanders, client.InNamespace(ns), client.MatchingLabels{"app": "bystander"}); err != nil {
		t.Fatal(err)
	}
	for _, pod := range bystanders.Items {
		if time.Since(pod.CreationTimestamp.Time) < 5*time.Second {
			t.Errorf("bystander pod %s is new: a healthy pod was restarted", pod.Name)
		}
	}
}

// storm sets up a storm in ns: a crash-looping Deployment of 3 beside a
// healthy one of 2, an unhealthy-workload automation with the given budget,
// and a page receiver, closed when the test ends.
func (f *fixture) storm(ns, automation string, budget int32) *pages.Receiver {
	f.t.Helper()
	f.namespace(ns)
	f.deployment(ns, "crasher", 3, nil)
	f.deployment(ns, "bystander", 2, nil)
	rcv, err := pages.Start("127.0.0.1:0")
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { _ = rcv.Close() })
	f.automation(automation, v1alpha1.UnhealthyWorkload, "unsupervised", []string{ns}, unhealthyCase(f.t, budget))
	f.crashLoop(ns, "app=crasher")
	return rcv
}

// waitDeletions waits until the audit log shows at least want deletions (it
// is flushed in batches) and returns the count.
func (f *fixture) waitDeletions(ns string, want int) int {
	got := 0
	_ = wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, 20*time.Second, true, func(context.Context) (bool, error) {
		got = f.deletions(ns)
		return got >= want, nil
	})
	return got
}

// TestRestartMidStormKeepsBudget kills the remediator after its first
// actions and starts a new one: the budget carries over.
func TestRestartMidStormKeepsBudget(t *testing.T) {
	f := newFixture(t)
	const ns, name, budget = "storm-restart", "restart-budget", 4
	rcv := f.storm(ns, name, budget)
	first := f.startRemediator(rcv.URL())
	f.waitMetric(first, "interlock_remediator_actions_total", map[string]string{"automation": name}, 2)
	first.kill() // SIGKILL: no chance to flush anything

	f.startRemediator(rcv.URL())
	f.waitHalted(name, 90*time.Second)
	if got := f.waitDeletions(ns, budget); got != budget {
		t.Errorf("%d pod deletions across the restart, want exactly %d", got, budget)
	}
}

// TestKillSwitch: with the switch on nothing is restarted; turned off, the
// same storm is acted on.
func TestKillSwitch(t *testing.T) {
	f := newFixture(t)
	const ns, name = "killswitch", "killswitch-test"
	f.namespace(ns)
	f.deployment(ns, "crasher", 3, nil)
	f.deployment(ns, "bystander", 2, nil)
	ctx := context.Background()
	if err := remediator.SetKillSwitch(ctx, f.admin, remNS, true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = remediator.SetKillSwitch(context.Background(), f.admin, remNS, false) })
	f.automation(name, v1alpha1.UnhealthyWorkload, "unsupervised", []string{ns}, unhealthyCase(t, 5))
	f.crashLoop(ns, "app=crasher")
	p := f.startRemediator("http://127.0.0.1:1/")
	f.waitMetric(p, "interlock_remediator_decisions_total", map[string]string{"automation": name, "reason": "KillSwitch"}, 3)
	if got := f.deletions(ns); got != 0 {
		t.Fatalf("%d pods deleted while the kill switch was on", got)
	}
	if err := remediator.SetKillSwitch(ctx, f.admin, remNS, false); err != nil {
		t.Fatal(err)
	}
	f.waitMetric(p, "interlock_remediator_actions_total", map[string]string{"automation": name}, 1)
	// And back on: the next decision refuses at once.
	if err := remediator.SetKillSwitch(ctx, f.admin, remNS, true); err != nil {
		t.Fatal(err)
	}
	before, _ := p.metric("interlock_remediator_decisions_total", map[string]string{"automation": name, "reason": "KillSwitch"})
	f.waitMetric(p, "interlock_remediator_decisions_total", map[string]string{"automation": name, "reason": "KillSwitch"}, before+1)
	acted, _ := p.metric("interlock_remediator_actions_total", map[string]string{"automation": name})
	f.waitMetric(p, "interlock_remediator_decisions_total", map[string]string{"automation": name, "reason": "KillSwitch"}, before+3)
	if after, _ := p.metric("interlock_remediator_actions_total", map[string]string{"automation": name}); after != acted {
		t.Errorf("actions went from %v to %v with the kill switch on", acted, after)
	}
}

// TestCertificateNeedsApproval: an expiring certificate is proposed, never
// rotated without approval, and rotated once a named human approves.
func TestCertificateNeedsApproval(t *testing.T) {
	f := newFixture(t)
	const ns, name = "certs", "cert-expiry"
	f.namespace(ns)
	ctx := context.Background()
	now := time.Now()
	certPEM, keyPEM, err := remediator.SelfSigned("shop.example", []string{"shop.example"}, now.Add(-time.Hour), now.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "shop-tls", Namespace: ns}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: certPEM, corev1.TLSPrivateKeyKey: keyPEM}}
	if err := f.admin.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	other, otherKey, _ := remediator.SelfSigned("other.example", nil, now.Add(-time.Hour), now.Add(365*24*time.Hour))
	if err := f.admin.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "other-tls", Namespace: ns}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: other, corev1.TLSPrivateKeyKey: otherKey}}); err != nil {
		t.Fatal(err)
	}
	sc, err := safetycases.Get("certificate-expiry")
	if err != nil {
		t.Fatal(err)
	}
	spec := sc.Spec.DeepCopy()
	spec.Trigger.For = metav1.Duration{Duration: time.Second}
	f.automation(name, v1alpha1.CertificateExpiry, "supervised", []string{ns}, spec)
	p := f.startRemediator("http://127.0.0.1:1/")

	propName := remediator.ProposalName(name, ns+"/shop-tls")
	var prop v1alpha1.RemediationProposal
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		return f.admin.Get(ctx, client.ObjectKey{Namespace: remNS, Name: propName}, &prop) == nil, nil
	})
	if err != nil {
		var a v1alpha1.Automation
		_ = f.admin.Get(ctx, client.ObjectKey{Namespace: remNS, Name: name}, &a)
		t.Fatalf("no proposal %s: %v\nstatus: %+v\n%s", propName, err, a.Status, tail(p.out.String()))
	}
	if prop.Spec.Owner == "" || prop.Spec.Class != "destructive" || prop.Spec.Verb != "renew-certificate" {
		t.Errorf("proposal spec = %+v", prop.Spec)
	}
	// The decision was to propose, not to act: nothing rotated.
	f.waitMetric(p, "interlock_remediator_decisions_total", map[string]string{"automation": name, "reason": "AwaitingApproval"}, 1)
	if v, _ := p.metric("interlock_remediator_actions_total", map[string]string{"automation": name}); v != 0 {
		t.Errorf("%v actions before approval", v)
	}
	f.waitMetric(p, "interlock_remediator_proposals_pending", map[string]string{"automation": name}, 1)
	var got corev1.Secret
	if err := f.admin.Get(ctx, client.ObjectKeyFromObject(secret), &got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Data[corev1.TLSCertKey], certPEM) {
		t.Fatal("certificate rotated without approval")
	}
	if prop2 := remediator.ProposalName(name, ns+"/other-tls"); f.admin.Get(ctx, client.ObjectKey{Namespace: remNS, Name: prop2}, &v1alpha1.RemediationProposal{}) == nil {
		t.Error("a proposal was filed for a certificate that is not expiring")
	}

	out, errOut, code := runCLI(t, "approve", propName, "--kubeconfig", shared.Kubeconfig, "-n", remNS)
	if code != 0 {
		t.Fatalf("approve exited %d: %s %s", code, out, errOut)
	}
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		if err := f.admin.Get(ctx, client.ObjectKeyFromObject(secret), &got); err != nil {
			return false, nil
		}
		block, _ := pem.Decode(got.Data[corev1.TLSCertKey])
		c, err := x509.ParseCertificate(block.Bytes)
		return err == nil && time.Until(c.NotAfter) > 80*24*time.Hour, nil
	})
	if err != nil {
		t.Fatalf("certificate not renewed after approval: %v\n%s", err, tail(p.out.String()))
	}
	if err := f.admin.Get(ctx, client.ObjectKey{Namespace: remNS, Name: propName}, &prop); err != nil {
		t.Fatal(err)
	}
	if prop.Approval == nil || prop.Approval.By != "kwok-admin" {
		t.Errorf("approval = %+v, want by the API server's name for the admin, kwok-admin", prop.Approval)
	}
	if prop.Status.Phase != v1alpha1.ProposalExecuted {
		wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
			_ = f.admin.Get(ctx, client.ObjectKey{Namespace: remNS, Name: propName}, &prop)
			return prop.Status.Phase == v1alpha1.ProposalExecuted, nil
		})
		if prop.Status.Phase != v1alpha1.ProposalExecuted {
			t.Errorf("proposal phase %s, want Executed", prop.Status.Phase)
		}
	}
}

// TestRemediatorIdentityIsLeastPrivilege: the remediator's own identity is
// denied what its role does not grant.
func TestRemediatorIdentityIsLeastPrivilege(t *testing.T) {
	f := newFixture(t)
	cfg, err := clientcmd.RESTConfigFromKubeConfig(f.identity.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()
	const ns = "rbac-check"
	f.namespace(ns)
	if err := f.admin.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "keep", Namespace: ns}}); err != nil {
		t.Fatal(err)
	}
	cases := map[string]func() error{
		"delete a secret": func() error {
			return cs.CoreV1().Secrets(ns).Delete(ctx, "keep", metav1.DeleteOptions{})
		},
		"delete a namespace": func() error {
			return cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
		},
		"delete a node": func() error {
			return cs.CoreV1().Nodes().Delete(ctx, "kwok-node-0", metav1.DeleteOptions{})
		},
		"scale a deployment": func() error {
			_, err := cs.AppsV1().Deployments(ns).UpdateScale(ctx, "x", nil, metav1.UpdateOptions{})
			return err
		},
		"create a pod": func() error {
			_, err := cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i"}}}}, metav1.CreateOptions{})
			return err
		},
	}
	for name, do := range cases {
		t.Run(name, func(t *testing.T) {
			if err := do(); !apierrors.IsForbidden(err) {
				t.Errorf("got %v, want Forbidden", err)
			}
		})
	}
	// What the role grants works.
	if _, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("list pods: %v", err)
	}
	if who, err := remediator.WhoAmI(ctx, cfg); err != nil || who != f.identity.Username {
		t.Errorf("WhoAmI = %q, %v; want %q", who, err, f.identity.Username)
	}
	if !strings.HasPrefix(f.identity.Username, "system:serviceaccount:") {
		t.Errorf("identity %q", f.identity.Username)
	}
}

// TestLeaderElection: two replicas with leader election share one storm;
// only the leader ever acts.
func TestLeaderElection(t *testing.T) {
	f := newFixture(t)
	const ns, name = "leader", "leader-test"
	f.namespace(ns)
	f.deployment(ns, "crasher", 3, nil)
	f.deployment(ns, "bystander", 2, nil)
	f.automation(name, v1alpha1.UnhealthyWorkload, "unsupervised", []string{ns}, unhealthyCase(t, 3))
	f.crashLoop(ns, "app=crasher")
	var procs []*proc
	for i := 0; i < 2; i++ {
		p := &proc{metrics: freeAddr(t), out: &bytes.Buffer{}, done: make(chan struct{})}
		p.cmd = exec.Command(interlockBin, "remediator", "--kubeconfig", f.kc, "--metrics-addr", p.metrics,
			"--page-url", "http://127.0.0.1:1/", "-n", remNS, "--leader-elect")
		p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { _ = p.cmd.Wait(); close(p.done) }()
		t.Cleanup(p.kill)
		procs = append(procs, p)
	}
	f.waitHalted(name, 90*time.Second)
	var counts []float64
	for _, p := range procs {
		v, err := p.metric("interlock_remediator_actions_total", map[string]string{"automation": name})
		if err != nil {
			t.Fatal(err)
		}
		counts = append(counts, v)
	}
	if !(counts[0] == 3 && counts[1] == 0) && !(counts[0] == 0 && counts[1] == 3) {
		t.Errorf("actions per replica = %v, want 3 by one and 0 by the other", counts)
	}
	if got := f.waitDeletions(ns, 3); got != 3 {
		t.Errorf("%d deletions, want 3", got)
	}
}

// TestUnfitAutomationOnlyAlerts: an automation whose safety case is
// incomplete, or whose rung is above its class's posture, is not Ready, and
// its condition says exactly why.
func TestUnfitAutomationOnlyAlerts(t *testing.T) {
	f := newFixture(t)
	incomplete := unhealthyCase(t, 3)
	incomplete.Owner = ""
	incomplete.Reversal.TimeToReverse = metav1.Duration{}
	f.automation("incomplete-case", v1alpha1.UnhealthyWorkload, "unsupervised", []string{"nowhere"}, incomplete)
	sc, err := safetycases.Get("certificate-expiry")
	if err != nil {
		t.Fatal(err)
	}
	// Written straight to the API: the CRD does not know postures, the remediator does.
	f.automation("cert-unsupervised", v1alpha1.CertificateExpiry, "unsupervised", []string{"nowhere"}, sc.Spec.DeepCopy())
	f.startRemediator("http://127.0.0.1:1/")
	cases := map[string]struct {
		automation string
		reason     string
		mentions   []string
	}{
		"incomplete safety case": {"incomplete-case", v1alpha1.ReasonSafetyCaseIncomplete, []string{"spec.safetyCase.owner", "spec.safetyCase.reversal.timeToReverse"}},
		"rung above posture":     {"cert-unsupervised", v1alpha1.ReasonRungExceedsPosture, []string{`"unsupervised" exceeds the posture of class "destructive"`}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var cond *metav1.Condition
			err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
				cond = meta.FindStatusCondition(f.getAutomation(tc.automation).Status.Conditions, v1alpha1.ConditionReady)
				return cond != nil && cond.Reason == tc.reason, nil
			})
			if err != nil {
				t.Fatalf("Ready condition %+v, want reason %s", cond, tc.reason)
			}
			if cond.Status != metav1.ConditionFalse {
				t.Errorf("Ready = %s, want False", cond.Status)
			}
			for _, m := range tc.mentions {
				if !strings.Contains(cond.Message, m) {
					t.Errorf("message %q does not mention %q", cond.Message, m)
				}
			}
		})
	}
}
