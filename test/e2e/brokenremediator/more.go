package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"time"

	"github.com/interlock-dev/interlock/internal/certs"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
)

// tick runs f every 500ms until ctx ends.
func tick(ctx context.Context, f func()) error {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			f()
		}
	}
}

// periodic restarts one Ready pod every `every`, round robin, with no
// signal that anything is wrong: a remediator acting "to be safe".
func periodic(ctx context.Context, cs kubernetes.Interface, ns string, act func()) error {
	last := time.Now()
	n := 0
	return tick(ctx, func() {
		if time.Since(last) < every {
			return
		}
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil || len(pods.Items) == 0 {
			return
		}
		var ready []corev1.Pod
		for _, p := range pods.Items {
			if p.DeletionTimestamp == nil && podReady(&p) {
				ready = append(ready, p)
			}
		}
		if len(ready) == 0 {
			return
		}
		p := ready[n%len(ready)]
		n++
		if err := cs.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{}); err == nil {
			act()
			last = time.Now()
		}
	})
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// unwellSince is when the node last turned NotReady or came under
// pressure, or the zero time if it is well.
func unwellSince(n *corev1.Node) time.Time {
	var since time.Time
	for _, c := range n.Status.Conditions {
		bad := (c.Type == corev1.NodeReady && c.Status != corev1.ConditionTrue) ||
			(c.Type != corev1.NodeReady && c.Status == corev1.ConditionTrue &&
				(c.Type == corev1.NodeDiskPressure || c.Type == corev1.NodeMemoryPressure || c.Type == corev1.NodePIDPressure))
		if bad && (since.IsZero() || c.LastTransitionTime.Time.Before(since)) {
			since = c.LastTransitionTime.Time
		}
	}
	return since
}

// drainNodes cordons and drains every node unwell for at least hold, at
// most budget times (0: no limit); with uncordon, it uncordons a node it
// cordoned once the node is well again.
func drainNodes(ctx context.Context, cs kubernetes.Interface, act func(), hold time.Duration, budget int, uncordon bool) error {
	used := 0
	cordoned := map[string]bool{}
	return tick(ctx, func() {
		nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return
		}
		for _, n := range nodes.Items {
			since := unwellSince(&n)
			switch {
			case !since.IsZero() && !n.Spec.Unschedulable && time.Since(since) >= hold && (budget == 0 || used < budget):
				if setUnschedulable(ctx, cs, n.Name, true) != nil {
					continue
				}
				used++
				cordoned[n.Name] = true
				act()
				evictAll(ctx, cs, n.Name)
			case since.IsZero() && n.Spec.Unschedulable && cordoned[n.Name] && uncordon:
				if setUnschedulable(ctx, cs, n.Name, false) == nil {
					delete(cordoned, n.Name)
				}
			}
		}
	})
}

func setUnschedulable(ctx context.Context, cs kubernetes.Interface, node string, v bool) error {
	patch := []byte(`{"spec":{"unschedulable":false}}`)
	if v {
		patch = []byte(`{"spec":{"unschedulable":true}}`)
	}
	_, err := cs.CoreV1().Nodes().Patch(ctx, node, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
	return err
}

func evictAll(ctx context.Context, cs kubernetes.Interface, node string) {
	pods, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + node})
	if err != nil {
		return
	}
	for _, p := range pods.Items {
		_ = cs.CoreV1().Pods(p.Namespace).EvictV1(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace}})
	}
}

// rotateCerts renews, at once and without approval, every TLS certificate
// in ns that expires within 14 days.
func rotateCerts(ctx context.Context, cs kubernetes.Interface, ns string, act func()) error {
	return tick(ctx, func() {
		secrets, err := cs.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return
		}
		for _, s := range secrets.Items {
			if s.Type != corev1.SecretTypeTLS {
				continue
			}
			block, _ := pem.Decode(s.Data[corev1.TLSCertKey])
			if block == nil {
				continue
			}
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil || time.Until(cert.NotAfter) > 14*24*time.Hour {
				continue
			}
			crt, key, err := selfSigned(cert.Subject.CommonName, cert.DNSNames)
			if err != nil {
				continue
			}
			s.Data[corev1.TLSCertKey], s.Data[corev1.TLSPrivateKeyKey] = crt, key
			if _, err := cs.CoreV1().Secrets(ns).Update(ctx, &s, metav1.UpdateOptions{}); err == nil {
				act()
			}
		}
	})
}

func selfSigned(cn string, names []string) ([]byte, []byte, error) {
	return certs.Server(cn, names, time.Now().Add(-time.Minute), time.Now().Add(90*24*time.Hour))
}

// trustCache restarts pods its informer shows crashing for hold, one at a
// time, at most budget times, acting on the cached pod as it is.
func trustCache(ctx context.Context, cs kubernetes.Interface, ns string, act func(), budget int, hold time.Duration) error {
	f := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(ns))
	pods := f.Core().V1().Pods().Lister()
	f.Start(ctx.Done())
	f.WaitForCacheSync(ctx.Done())
	used := 0
	return tick(ctx, func() {
		if used >= budget {
			return
		}
		list, err := pods.List(labels.Everything())
		if err != nil {
			return
		}
		for _, p := range list {
			if p.DeletionTimestamp == nil && crashingFor(p) >= hold {
				uid := p.UID
				if cs.CoreV1().Pods(ns).Delete(ctx, p.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}}) == nil {
					used++
					act()
				}
				return
			}
		}
	})
}
