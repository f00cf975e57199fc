package builtin_test

import (
	"bytes"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/builtin"
)

// certNamespace holds the certificate TestTimeChaos skews.
const certNamespace = "certs"

// certFixture is the certificate TestTimeChaos skews, web-tls in
// certNamespace, mounted by the two pods of web, and the injector its
// subtests share; they run in order.
type certFixture struct {
	env
	inj *builtin.Injector
	// secret is web-tls as created.
	secret *corev1.Secret
	// orig is its certificate.
	orig *x509.Certificate
}

func newCertFixture(t *testing.T) *certFixture {
	t.Helper()
	e := newEnv(t)
	inj := newInjector(t, e.cfg)
	const ns = certNamespace
	const validFor = 90 * 24 * time.Hour
	secret := tlsSecret(t, ns, "web-tls", validFor)
	if _, err := e.cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cs.CoreV1().Secrets(ns).Create(t.Context(), secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d := deployment(ns, "web", 2, "kwok-node-1", withSecretVolume("web-tls"))
	if _, err := e.cs.AppsV1().Deployments(ns).Create(t.Context(), d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitPodsHealthy(t, e.cs, ns, "app=web", 2)
	return &certFixture{env: e, inj: inj, secret: secret, orig: parseCert(t, secret.Data[corev1.TLSCertKey])}
}

// getCert reads web-tls and its certificate.
func (c *certFixture) getCert(t *testing.T) (*corev1.Secret, *x509.Certificate) {
	t.Helper()
	s, err := c.cs.CoreV1().Secrets(certNamespace).Get(t.Context(), "web-tls", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s, parseCert(t, s.Data[corev1.TLSCertKey])
}

// timeChaos skews the clock of every pod of web by offset.
func timeChaos(offset string) *chaosv1alpha1.TimeChaos {
	return &chaosv1alpha1.TimeChaos{
		ObjectMeta: metav1.ObjectMeta{Namespace: certNamespace},
		Spec: chaosv1alpha1.TimeChaosSpec{
			ContainerSelector: chaosv1alpha1.ContainerSelector{PodSelector: podSelector("web", chaosv1alpha1.AllMode, "")},
			TimeOffset:        offset,
		},
	}
}

func TestTimeChaos(t *testing.T) {
	c := newCertFixture(t)
	t.Run("the certificate expires timeOffset sooner, and comes back", c.testClockAhead)
	t.Run("an offset past the certificate's life expires it", c.testClockPastExpiry)
	t.Run("a certificate renewed during the fault is kept", c.testRenewedDuringFault)
}

func (c *certFixture) testClockAhead(t *testing.T) {
	f := experiments.Fault{Name: "clock-ahead", Object: timeChaos("720h")}
	eff := inject(t, c.inj, f)
	if eff.TrulyBroken || !eff.LooksBroken {
		t.Errorf("effect of a certificate close to expiry: TrulyBroken=%v LooksBroken=%v, want LooksBroken only", eff.TrulyBroken, eff.LooksBroken)
	}
	orig := c.orig
	_, skewed := c.getCert(t)
	if want := orig.NotAfter.Add(-720 * time.Hour); !skewed.NotAfter.Equal(want) {
		t.Errorf("NotAfter = %s, want %s (720h before the original %s)", skewed.NotAfter, want, orig.NotAfter)
	}
	if !skewed.NotAfter.Before(orig.NotAfter) || skewed.Subject.CommonName != orig.Subject.CommonName ||
		strings.Join(skewed.DNSNames, ",") != strings.Join(orig.DNSNames, ",") || !bytes.Equal(skewed.RawSubjectPublicKeyInfo, orig.RawSubjectPublicKeyInfo) {
		t.Errorf("re-issued certificate differs from the original beyond NotAfter: %v %v", skewed.Subject, skewed.DNSNames)
	}
	for _, p := range listPods(t.Context(), t, c.cs, certNamespace, "app=web") {
		if !eff.Affects(&p) {
			t.Errorf("pod %s mounts the certificate but is not affected", p.Name)
		}
	}
	recoverFault(t, c.inj, c.cfg, f)
	s, _ := c.getCert(t)
	if !bytes.Equal(s.Data[corev1.TLSCertKey], c.secret.Data[corev1.TLSCertKey]) || s.Annotations[builtin.OriginalCertAnnotation] != "" || hasMarker(s.Labels) {
		t.Errorf("secret not restored: annotations %v labels %v", s.Annotations, s.Labels)
	}
	waitPodsHealthy(t, c.cs, certNamespace, "app=web", 2)
}

func (c *certFixture) testClockPastExpiry(t *testing.T) {
	f := experiments.Fault{Name: "clock-far-ahead", Object: timeChaos("2400h")}
	eff := inject(t, c.inj, f)
	if !eff.TrulyBroken {
		t.Errorf("effect of an expired certificate: TrulyBroken=false, want true")
	}
	if _, crt := c.getCert(t); !crt.NotAfter.Before(time.Now()) || !crt.NotBefore.Before(crt.NotAfter) {
		t.Errorf("certificate valid %s to %s, want expired", crt.NotBefore, crt.NotAfter)
	}
	recoverFault(t, c.inj, c.cfg, f)
}

func (c *certFixture) testRenewedDuringFault(t *testing.T) {
	f := experiments.Fault{Name: "clock-renewed", Object: timeChaos("720h")}
	inject(t, c.inj, f)
	renewed := tlsSecret(t, certNamespace, "web-tls", 365*24*time.Hour)
	s, _ := c.getCert(t)
	s.Data = renewed.Data
	if _, err := c.cs.CoreV1().Secrets(certNamespace).Update(t.Context(), s, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	recoverFault(t, c.inj, c.cfg, f)
	s, _ = c.getCert(t)
	if !bytes.Equal(s.Data[corev1.TLSCertKey], renewed.Data[corev1.TLSCertKey]) || s.Annotations[builtin.OriginalCertAnnotation] != "" {
		t.Errorf("Recover overwrote a renewed certificate, or left its annotation: %v", s.Annotations)
	}
}
