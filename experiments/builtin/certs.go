package builtin

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/internal/certs"
)

// injectTimeChaos interprets a TimeChaos as certificates that expire
// sooner. A clock running spec.timeOffset ahead sees every certificate
// that much closer to its NotAfter; the builtin injector cannot move a
// process's clock, so it moves the certificates instead. Each
// kubernetes.io/tls Secret mounted (as a secret volume) by the selected pods
// (by their containers in spec.containerNames, if set) gets a tls.crt
// re-issued with the same subject, names, usages and key, self-signed, its
// NotAfter timeOffset earlier than the original's. Whoever checks expiry
// (a monitor, a remediator, a TLS client) sees it.
//
// The original tls.crt is kept in the secret's OriginalCertAnnotation and
// put back by Recover, unless the certificate was replaced since (a
// remediator renewed it), in which case the renewal is kept. A secret is
// shared by every pod that mounts it, so pods outside the selection that
// mount it see the same certificate.
func (i *Injector) injectTimeChaos(ctx context.Context, fault string, o *chaosv1alpha1.TimeChaos) (experiments.Effect, error) {
	offset, err := time.ParseDuration(o.Spec.TimeOffset)
	if err != nil {
		return experiments.Effect{}, fmt.Errorf("failed to parse timeOffset: %w", err)
	}
	t, err := i.selectPods(ctx, &o.Spec.PodSelector, o.Namespace)
	if err != nil {
		return experiments.Effect{}, err
	}
	var secrets []string
	for _, p := range t.chosen {
		for _, name := range mountedSecrets(&p, o.Spec.ContainerNames) {
			if !slices.Contains(secrets, name) {
				secrets = append(secrets, name)
			}
		}
	}
	slices.Sort(secrets)

	matchLabels, exprs := stageLabelMatch(&o.Spec.PodSelector)
	mark := markStage(fault, t.namespace, matchLabels, t.candidateNames())
	mark.exprs = append(mark.exprs, exprs...)
	if err := i.createStages(ctx, mark); err != nil {
		return experiments.Effect{}, err
	}
	if err := i.markPods(ctx, fault, t.chosen); err != nil {
		return experiments.Effect{}, err
	}

	now := time.Now()
	var done []string
	expired := false
	for _, name := range secrets {
		notAfter, ok, err := i.skewSecret(ctx, fault, t.namespace, name, offset)
		if err != nil {
			return experiments.Effect{}, err
		}
		if !ok {
			continue
		}
		done = append(done, fmt.Sprintf("%s (NotAfter now %s)", name, notAfter.UTC().Format(time.RFC3339)))
		expired = expired || notAfter.Before(now)
	}
	if len(done) == 0 {
		return experiments.Effect{}, fmt.Errorf("pod(s) %s in %s mount no kubernetes.io/tls secret", t.list(), t.namespace)
	}
	return experiments.Effect{
		Namespace: t.namespace,
		Selector:  markerSelector(t.selector, fault),
		// An expired certificate fails every TLS handshake; one that is
		// only close to expiry still works.
		TrulyBroken: expired,
		LooksBroken: true,
		Description: fmt.Sprintf("clock %s ahead for pod(s) %s in %s: certificate(s) re-issued to expire %s sooner: %s",
			offset, t.list(), t.namespace, offset, strings.Join(done, "; ")),
	}, nil
}

// mountedSecrets lists the secrets the pod mounts as volumes, by the named
// containers (all, if none is named).
func mountedSecrets(p *corev1.Pod, containers []string) []string {
	mounted := map[string]bool{}
	for _, c := range p.Spec.Containers {
		if len(containers) > 0 && !slices.Contains(containers, c.Name) {
			continue
		}
		for _, m := range c.VolumeMounts {
			mounted[m.Name] = true
		}
	}
	var out []string
	for _, v := range p.Spec.Volumes {
		if v.Secret != nil && mounted[v.Name] {
			out = append(out, v.Secret.SecretName)
		}
	}
	return out
}

// skewSecret re-issues a TLS secret's certificate offset earlier. It
// returns ok false for a secret that is not of type kubernetes.io/tls.
func (i *Injector) skewSecret(ctx context.Context, fault, namespace, name string, offset time.Duration) (notAfter time.Time, ok bool, err error) {
	secrets := i.cs.CoreV1().Secrets(namespace)
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		s, err := secrets.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if s.Type != corev1.SecretTypeTLS {
			ok = false
			return nil
		}
		if _, taken := s.Annotations[OriginalCertAnnotation]; taken {
			return fmt.Errorf("secret %s/%s is already skewed by another fault", namespace, name)
		}
		crt, na, err := reissue(s.Data[corev1.TLSCertKey], s.Data[corev1.TLSPrivateKeyKey], offset)
		if err != nil {
			return fmt.Errorf("secret %s/%s: %w", namespace, name, err)
		}
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		if s.Annotations == nil {
			s.Annotations = map[string]string{}
		}
		s.Labels[Marker(fault)] = markerActive
		s.Annotations[OriginalCertAnnotation] = base64.StdEncoding.EncodeToString(s.Data[corev1.TLSCertKey])
		s.Annotations[InjectedCertAnnotation] = digest(crt)
		s.Data[corev1.TLSCertKey] = crt
		if _, err := secrets.Update(ctx, s, metav1.UpdateOptions{}); err != nil {
			return err
		}
		notAfter, ok = na, true
		return nil
	})
	if apierrors.IsNotFound(err) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("failed to skew the certificate of secret %s/%s: %w", namespace, name, err)
	}
	return notAfter, ok, nil
}

// restoreSecret puts a secret's original certificate back, unless it was
// replaced since the fault wrote it, and drops the fault's marks.
func (i *Injector) restoreSecret(ctx context.Context, fault string, s corev1.Secret) error {
	secrets := i.cs.CoreV1().Secrets(s.Namespace)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := secrets.Get(ctx, s.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if orig, ok := cur.Annotations[OriginalCertAnnotation]; ok && cur.Annotations[InjectedCertAnnotation] == digest(cur.Data[corev1.TLSCertKey]) {
			raw, err := base64.StdEncoding.DecodeString(orig)
			if err != nil {
				return fmt.Errorf("the saved certificate is corrupt: %w", err)
			}
			if cur.Data == nil {
				cur.Data = map[string][]byte{}
			}
			cur.Data[corev1.TLSCertKey] = raw
		}
		delete(cur.Annotations, OriginalCertAnnotation)
		delete(cur.Annotations, InjectedCertAnnotation)
		delete(cur.Labels, Marker(fault))
		_, err = secrets.Update(ctx, cur, metav1.UpdateOptions{})
		return err
	})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("failed to restore secret %s/%s: %w", s.Namespace, s.Name, err)
	}
	return nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// reissue returns a self-signed copy of the PEM certificate, signed with
// the PEM key, its NotAfter offset earlier.
func reissue(certPEM, keyPEM []byte, offset time.Duration) ([]byte, time.Time, error) {
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, time.Time{}, errors.New("tls.crt holds no PEM certificate")
	}
	orig, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("failed to parse tls.crt: %w", err)
	}
	key, err := parseTLSKey(keyPEM)
	if err != nil {
		return nil, time.Time{}, err
	}
	notAfter := orig.NotAfter.Add(-offset)
	notBefore := orig.NotBefore
	if !notBefore.Before(notAfter) {
		notBefore = notAfter.Add(-time.Minute)
	}
	tmpl := &x509.Certificate{
		Subject:               orig.Subject,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              orig.KeyUsage,
		ExtKeyUsage:           orig.ExtKeyUsage,
		BasicConstraintsValid: orig.BasicConstraintsValid,
		IsCA:                  orig.IsCA,
		DNSNames:              orig.DNSNames,
		IPAddresses:           orig.IPAddresses,
		EmailAddresses:        orig.EmailAddresses,
		URIs:                  orig.URIs,
	}
	_, reissued, err := certs.SelfSign(tmpl, key, nil)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("failed to re-issue the certificate: %w", err)
	}
	return reissued, notAfter, nil
}

// parseTLSKey reads a TLS Secret's tls.key.
func parseTLSKey(keyPEM []byte) (crypto.Signer, error) {
	k, err := certs.ParseKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("tls.key: %w", err)
	}
	return k, nil
}
