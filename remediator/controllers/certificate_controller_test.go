package controllers_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/controllers"
	"github.com/interlock-dev/interlock/remediator/engine"
)

// tlsSecret returns a TLS secret whose certificate expires in validFor.
func tlsSecret(t *testing.T, ns, name string, validFor time.Duration) *corev1.Secret {
	t.Helper()
	now := time.Now()
	certPEM, keyPEM, err := controllers.SelfSigned(name+".example.com", []string{name + ".example.com"}, now.Add(-time.Hour), now.Add(validFor))
	if err != nil {
		t.Fatal(err)
	}
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: certPEM, corev1.TLSPrivateKeyKey: keyPEM}}
}

// notAfter reads the expiry of the secret's certificate.
func notAfter(t *testing.T, s *corev1.Secret) time.Time {
	t.Helper()
	block, _ := pem.Decode(s.Data[corev1.TLSCertKey])
	if block == nil {
		t.Fatalf("secret %s holds no PEM certificate", s.Name)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert.NotAfter
}

// certFixture makes the secrets, each valid for its duration, and a
// supervised certificate-expiry automation (renewal is destructive: it
// never runs unsupervised).
func certFixture(t *testing.T, validFor map[string]time.Duration) *env {
	e := newEnv(t)
	for name, d := range validFor {
		e.create(tlsSecret(t, e.ns, name, d))
	}
	e.automation("certs", v1alpha1.CertificateExpiry, v1alpha1.RungSupervised, shipped(t, v1alpha1.CertificateExpiry, nil), nil)
	e.start(func(eng *engine.Engine) reconciler { return &controllers.CertificateReconciler{Engine: eng} })
	return e
}

// A certificate close to expiry gets a proposal, not a renewal; once a
// named human approves it the certificate is renewed and the proposal
// marked executed. The certificate that stays valid is left alone.
func TestCertificateExpiryProposesThenRenews(t *testing.T) {
	e := certFixture(t, map[string]time.Duration{"expiring": 24 * time.Hour, "lasting": 90 * 24 * time.Hour})
	target := e.ns + "/expiring"
	p := &v1alpha1.RemediationProposal{ObjectMeta: metav1.ObjectMeta{Name: engine.ProposalName("certs", target), Namespace: e.ns}}
	e.eventually("no proposal was filed", func(ctx context.Context) (bool, error) {
		err := e.c.Get(ctx, client.ObjectKeyFromObject(p), p)
		return err == nil && p.Status.Phase == v1alpha1.ProposalPending, client.IgnoreNotFound(err)
	})
	if p.Spec.Target != target || p.Spec.Verb != "renew-certificate" || p.Spec.Automation != "certs" {
		t.Errorf("proposal = %+v, want renew-certificate of %s by certs", p.Spec, target)
	}
	if acts := e.actions("certs"); len(acts) != 0 {
		t.Fatalf("acted before approval: %+v", acts)
	}

	p.Approval = &v1alpha1.Approval{By: "jane@example.com", At: metav1.Now()}
	if err := e.c.Update(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	e.waitAction("certs", target)
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "expiring", Namespace: e.ns}}
	e.get(secret)
	if left := time.Until(notAfter(t, secret)); left < controllers.RenewedFor-time.Hour {
		t.Errorf("the renewed certificate expires in %s, want %s", left, controllers.RenewedFor)
	}
	e.eventually("the proposal was never marked executed", func(context.Context) (bool, error) {
		e.get(p)
		return p.Status.Phase == v1alpha1.ProposalExecuted, nil
	})
	for _, rec := range e.actions("certs") {
		if rec.Target != target {
			t.Errorf("acted on %s, which stays valid", rec.Target)
		}
	}
}

// When every certificate in scope expires at once, the clock is more
// likely wrong than every certificate: nothing is proposed.
func TestCertificateExpiryEverywhereIsRefused(t *testing.T) {
	e := certFixture(t, map[string]time.Duration{"a": 24 * time.Hour, "b": 48 * time.Hour})
	e.waitDecision("certs", "refuse", "AllTargetsMatch")
	var proposals v1alpha1.RemediationProposalList
	if err := e.c.List(context.Background(), &proposals, client.InNamespace(e.ns)); err != nil {
		t.Fatal(err)
	}
	if len(proposals.Items) != 0 {
		t.Errorf("%d proposals filed, want none", len(proposals.Items))
	}
}

// A proposal that cannot be filed fails the reconcile, and counts the
// error.
func TestCertificateProposalNotFiled(t *testing.T) {
	expiring := tlsSecret(t, fakeNamespace, "expiring", 24*time.Hour)
	a := &v1alpha1.Automation{ObjectMeta: metav1.ObjectMeta{Name: "certs", Namespace: fakeNamespace},
		Spec: v1alpha1.AutomationSpec{Type: v1alpha1.CertificateExpiry, Rung: string(v1alpha1.RungSupervised),
			SafetyCase: shipped(t, v1alpha1.CertificateExpiry, nil)}}
	eng := fakeEngine(t, interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			if _, ok := obj.(*v1alpha1.RemediationProposal); ok {
				return apierrors.NewInternalError(errors.New("etcd is down"))
			}
			return c.Create(ctx, obj, opts...)
		},
	}, expiring, tlsSecret(t, fakeNamespace, "lasting", 90*24*time.Hour), a)
	r := &controllers.CertificateReconciler{Engine: eng}
	if _, err := r.Reconcile(context.Background(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(expiring)}); err == nil {
		t.Error("Reconcile succeeded though the proposal could not be filed")
	}
	if got := testutil.ToFloat64(eng.Metrics.ReconcileErrors.WithLabelValues("certificate-expiry")); got != 1 {
		t.Errorf("reconcile errors = %v, want 1", got)
	}
}
