package controllers

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/remediator/engine"
	"github.com/interlock-dev/interlock/remediator/policy"
)

// The remediator may read and update TLS secrets to renew them after a
// human approves; it may never delete a secret.
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;update

// RenewedFor is how long a renewed certificate is valid.
const RenewedFor = 90 * 24 * time.Hour

// CertificateReconciler runs the certificate-expiry automation: a TLS secret whose
// certificate expires within the trigger's window raises an alert and files
// a proposal. Renewal rotates a credential, a destructive class, so it runs
// only after a named human approves.
type CertificateReconciler struct {
	Engine *engine.Engine
}

// SetupWithManager adds the reconciler to mgr as the "certificate-expiry"
// controller.
func (r *CertificateReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if err := ctrl.NewControllerManagedBy(mgr).Named("certificate-expiry").
		For(&corev1.Secret{}).
		Watches(&v1alpha1.RemediationProposal{}, proposalsFor(r.Engine, v1alpha1.CertificateExpiry)).
		Complete(r); err != nil {
		return fmt.Errorf("failed to set up the certificate-expiry controller: %w", err)
	}
	return nil
}

// notAfter parses the secret's leaf certificate.
func notAfter(s *corev1.Secret) (*x509.Certificate, bool) {
	if s.Type != corev1.SecretTypeTLS {
		return nil, false
	}
	block, _ := pem.Decode(s.Data[corev1.TLSCertKey])
	if block == nil {
		return nil, false
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, false
	}
	return cert, true
}

// Reconcile implements reconcile.Reconciler.
func (r *CertificateReconciler) Reconcile(ctx context.Context, req reconcile.Request) (ctrl.Result, error) {
	var secret corev1.Secret
	if err := r.Engine.Client.Get(ctx, req.NamespacedName, &secret); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	cert, ok := notAfter(&secret)
	if !ok {
		return ctrl.Result{}, nil
	}
	autos, err := r.Engine.AutomationsOfType(ctx, v1alpha1.CertificateExpiry)
	if err != nil {
		return ctrl.Result{}, err
	}
	var result ctrl.Result
	for i := range autos {
		a := &autos[i]
		if !scopeOf(a, true, secret.Namespace, secret.Labels) {
			continue
		}
		res, err := r.handle(ctx, a, &secret, cert)
		if err != nil {
			r.Engine.Metrics.ReconcileErrors.WithLabelValues("certificate-expiry").Inc()
			return ctrl.Result{}, err
		}
		result = earliest(result, res)
	}
	return result, nil
}

func (r *CertificateReconciler) handle(ctx context.Context, a *v1alpha1.Automation, secret *corev1.Secret, cert *x509.Certificate) (ctrl.Result, error) {
	res, err := r.Engine.Resolve(ctx, a)
	if err != nil {
		return ctrl.Result{}, err
	}
	now := r.Engine.Clock.Now()
	if res.SafetyCase.Trigger.Within == nil {
		return ctrl.Result{}, nil // an incomplete safety case: resolve reports it
	}
	window := res.SafetyCase.Trigger.Within.Duration
	enters := cert.NotAfter.Add(-window)
	if now.Before(enters) {
		return ctrl.Result{RequeueAfter: enters.Sub(now)}, nil
	}
	var secrets corev1.SecretList
	if err := r.Engine.Client.List(ctx, &secrets, client.InNamespace(secret.Namespace)); err != nil {
		return ctrl.Result{}, fmt.Errorf("failed to list secrets: %w", err)
	}
	scope := policy.Scope{}
	for i := range secrets.Items {
		s := &secrets.Items[i]
		c, ok := notAfter(s)
		if !ok || !scopeOf(a, true, s.Namespace, s.Labels) {
			continue
		}
		scope.Size++
		if !now.Before(c.NotAfter.Add(-window)) {
			scope.Matched++
		}
	}
	target := key(secret.Namespace, secret.Name)
	c := engine.Candidate{
		Target: target, UID: secret.UID, Since: enters, Verb: "renew-certificate", Group: target,
		Why:        fmt.Sprintf("certificate %s in secret %s expires %s (in %s)", cert.Subject.CommonName, target, cert.NotAfter.UTC().Format(time.RFC3339), cert.NotAfter.Sub(now).Round(time.Second)),
		Scope:      scope,
		BlastGroup: policy.Group{Size: scope.Size},
		Act: func(ctx context.Context) error {
			return r.renew(ctx, secret, cert, now)
		},
	}
	return r.Engine.Consider(ctx, a, c)
}

// renew replaces the secret's certificate with a fresh self-signed one for
// the same subject and names.
func (r *CertificateReconciler) renew(ctx context.Context, secret *corev1.Secret, old *x509.Certificate, now time.Time) error {
	certPEM, keyPEM, err := SelfSigned(old.Subject.CommonName, old.DNSNames, now, now.Add(RenewedFor))
	if err != nil {
		return err
	}
	s := secret.DeepCopy()
	s.Data[corev1.TLSCertKey] = certPEM
	s.Data[corev1.TLSPrivateKeyKey] = keyPEM
	if err := r.Engine.Client.Update(ctx, s); err != nil {
		return fmt.Errorf("failed to update secret %s/%s: %w", s.Namespace, s.Name, err)
	}
	return nil
}

// SelfSigned makes a self-signed ECDSA certificate and key, PEM-encoded.
func SelfSigned(cn string, dnsNames []string, notBefore, notAfter time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, fmt.Errorf("failed to generate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn}, DNSNames: dnsNames,
		NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to create certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to encode key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}
