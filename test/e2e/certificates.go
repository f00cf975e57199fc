package e2e

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/internal/testutil"
	"github.com/interlock-dev/interlock/remediator"
	"github.com/interlock-dev/interlock/safetycases"
	"github.com/interlock-dev/interlock/scenarios"
)

// expiringCert is a TLS Secret whose certificate expires in two hours,
// beside one that expires in a year, watched by a certificate-expiry
// automation at the supervised rung, and the remediator.
type expiringCert struct {
	fixture
	ns, name string
	secret   *corev1.Secret
	certPEM  []byte
	p        *proc
	propName string
	prop     v1alpha1.RemediationProposal
}

// certificateNeedsApproval: an expiring certificate is proposed, never
// rotated without approval, and rotated once a named human approves.
func certificateNeedsApproval() features.Feature {
	c := &expiringCert{ns: "certs", name: "cert-expiry"}
	return features.New("a certificate renewal needs approval").WithLabel("tier", scenarios.TierPR).
		Setup(c.setup).
		Assess("the expiring certificate is proposed for renewal", c.proposed).
		Assess("nothing is rotated without approval", c.notRotated).
		Assess("approved by a named human, it is rotated", c.approved).
		Teardown(c.teardown).
		Feature()
}

func (c *expiringCert) setup(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	c.init(t)
	c.namespace(t, c.ns)
	now := time.Now()
	certPEM, keyPEM, err := remediator.SelfSigned("shop.example", []string{"shop.example"}, now.Add(-time.Hour), now.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c.certPEM = certPEM
	c.secret = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "shop-tls", Namespace: c.ns}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: certPEM, corev1.TLSPrivateKeyKey: keyPEM}}
	if err := c.admin.Create(ctx, c.secret); err != nil {
		t.Fatal(err)
	}
	other, otherKey, _ := remediator.SelfSigned("other.example", nil, now.Add(-time.Hour), now.Add(365*24*time.Hour))
	if err := c.admin.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "other-tls", Namespace: c.ns}, Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: other, corev1.TLSPrivateKeyKey: otherKey}}); err != nil {
		t.Fatal(err)
	}
	sc, err := safetycases.Get("certificate-expiry")
	if err != nil {
		t.Fatal(err)
	}
	spec := sc.Spec.DeepCopy()
	spec.Trigger.For = metav1.Duration{Duration: time.Second}
	c.automation(t, c.name, v1alpha1.CertificateExpiry, "supervised", []string{c.ns}, spec)
	c.p = c.startRemediator(t, "http://127.0.0.1:1/")
	c.propName = remediator.ProposalName(c.name, c.ns+"/shop-tls")
	return ctx
}

func (c *expiringCert) proposed(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	testutil.WaitFor(t, time.Minute, "proposal "+c.propName, func(ctx context.Context) (bool, error) {
		return c.admin.Get(ctx, client.ObjectKey{Namespace: remNS, Name: c.propName}, &c.prop) == nil, nil
	}, func() string {
		var a v1alpha1.Automation
		_ = c.admin.Get(context.Background(), client.ObjectKey{Namespace: remNS, Name: c.name}, &a)
		return fmt.Sprintf("status: %+v\n%s", a.Status, tail(c.p.out.String()))
	})
	if c.prop.Spec.Owner == "" || c.prop.Spec.Class != "destructive" || c.prop.Spec.Verb != "renew-certificate" {
		t.Errorf("proposal spec = %+v", c.prop.Spec)
	}
	return ctx
}

// notRotated: the decision was to propose, not to act: nothing rotated.
func (c *expiringCert) notRotated(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	c.waitMetric(t, c.p, "interlock_remediator_decisions_total", map[string]string{"automation": c.name, "reason": "AwaitingApproval"}, 1)
	if v, _ := c.p.metric("interlock_remediator_actions_total", map[string]string{"automation": c.name}); v != 0 {
		t.Errorf("%v actions before approval", v)
	}
	c.waitMetric(t, c.p, "interlock_remediator_proposals_pending", map[string]string{"automation": c.name}, 1)
	var got corev1.Secret
	if err := c.admin.Get(ctx, client.ObjectKeyFromObject(c.secret), &got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Data[corev1.TLSCertKey], c.certPEM) {
		t.Fatal("certificate rotated without approval")
	}
	if prop2 := remediator.ProposalName(c.name, c.ns+"/other-tls"); c.admin.Get(ctx, client.ObjectKey{Namespace: remNS, Name: prop2}, &v1alpha1.RemediationProposal{}) == nil {
		t.Error("a proposal was filed for a certificate that is not expiring")
	}
	return ctx
}

func (c *expiringCert) approved(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
	out, errOut, code := runCLI(t, "approve", c.propName, "--kubeconfig", shared.Kubeconfig, "-n", remNS)
	if code != 0 {
		t.Fatalf("approve exited %d: %s %s", code, out, errOut)
	}
	testutil.WaitFor(t, time.Minute, "the certificate to be renewed after approval", func(ctx context.Context) (bool, error) {
		var got corev1.Secret
		if err := c.admin.Get(ctx, client.ObjectKeyFromObject(c.secret), &got); err != nil {
			return false, nil
		}
		block, _ := pem.Decode(got.Data[corev1.TLSCertKey])
		cert, err := x509.ParseCertificate(block.Bytes)
		return err == nil && time.Until(cert.NotAfter) > 80*24*time.Hour, nil
	}, func() string { return tail(c.p.out.String()) })
	key := client.ObjectKey{Namespace: remNS, Name: c.propName}
	if err := c.admin.Get(ctx, key, &c.prop); err != nil {
		t.Fatal(err)
	}
	if c.prop.Approval == nil || c.prop.Approval.By != "kwok-admin" {
		t.Errorf("approval = %+v, want by the API server's name for the admin, kwok-admin", c.prop.Approval)
	}
	_ = testutil.Until(ctx, testutil.Interval, 10*time.Second, func(ctx context.Context) (bool, error) {
		_ = c.admin.Get(ctx, key, &c.prop)
		return c.prop.Status.Phase == v1alpha1.ProposalExecuted, nil
	})
	if c.prop.Status.Phase != v1alpha1.ProposalExecuted {
		t.Errorf("proposal phase %s, want Executed", c.prop.Status.Phase)
	}
	return ctx
}
