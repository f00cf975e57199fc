package builtin_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/interlock-dev/interlock/experiments/builtin"
	"github.com/interlock-dev/interlock/harness/cluster"
	"github.com/interlock-dev/interlock/internal/certs"
	"github.com/interlock-dev/interlock/internal/testutil"
)

// Named timeouts.
const (
	// podsUp bounds a Deployment's pods becoming Ready.
	podsUp = time.Minute
	// effectShows bounds a fault's effect becoming visible.
	effectShows = 30 * time.Second
	// heartbeatLost bounds the node lifecycle controller noticing a silent
	// node: the 20s grace period of clusterArgs plus its 2.5s monitor period.
	heartbeatLost = 45 * time.Second
	// backToHealth bounds the cluster's recovery once Recover returned.
	backToHealth = 30 * time.Second
)

// deployment is a Deployment of replicas pods (containers app and side)
// pinned to node, with modifiers applied to its pod spec.
func deployment(ns, name string, replicas int32, node string, mods ...func(*corev1.PodSpec)) *appsv1.Deployment {
	spec := corev1.PodSpec{
		NodeSelector: map[string]string{"kubernetes.io/hostname": node},
		Containers: []corev1.Container{
			{Name: "app", Image: "app:1"},
			{Name: "side", Image: "side:1"},
		},
	}
	for _, m := range mods {
		m(&spec)
	}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec:       spec,
			},
		},
	}
}

// withReadinessProbe gives the app container an HTTP readiness probe.
func withReadinessProbe(path string, port int) func(*corev1.PodSpec) {
	return func(s *corev1.PodSpec) {
		s.Containers[0].Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: int32(port)}}
		s.Containers[0].ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
			HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString("http")},
		}}
	}
}

// withSecretVolume mounts a secret into the app container.
func withSecretVolume(secret string) func(*corev1.PodSpec) {
	return func(s *corev1.PodSpec) {
		s.Volumes = append(s.Volumes, corev1.Volume{Name: "tls", VolumeSource: corev1.VolumeSource{
			Secret: &corev1.SecretVolumeSource{SecretName: secret},
		}})
		s.Containers[0].VolumeMounts = append(s.Containers[0].VolumeMounts, corev1.VolumeMount{Name: "tls", MountPath: "/tls"})
	}
}

// workload creates a namespace and the Deployment in it, and waits until
// its pods are Ready.
func workload(t *testing.T, cs kubernetes.Interface, d *appsv1.Deployment) []corev1.Pod {
	t.Helper()
	ctx := t.Context()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: d.Namespace}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("failed to create namespace: %v", err)
	}
	if _, err := cs.AppsV1().Deployments(d.Namespace).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatalf("failed to create deployment: %v", err)
	}
	var pods []corev1.Pod
	testutil.WaitFor(t, podsUp, "the deployment's pods to be Ready", func(ctx context.Context) (bool, error) {
		pods = listPods(ctx, t, cs, d.Namespace, "app="+d.Name)
		ready := 0
		for i := range pods {
			if testutil.PodReady(&pods[i]) {
				ready++
			}
		}
		return ready == int(*d.Spec.Replicas) && len(pods) == ready, nil
	}, testutil.DescribePods(cs, d.Namespace, ""))
	return pods
}

func listPods(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns, selector string) []corev1.Pod {
	t.Helper()
	list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		// Inside a wait, which reports a lasting failure.
		t.Logf("failed to list pods: %v", err)
		return nil
	}
	var live []corev1.Pod
	for _, p := range list.Items {
		if p.DeletionTimestamp == nil {
			live = append(live, p)
		}
	}
	return live
}

func podCondition(p *corev1.Pod, t corev1.PodConditionType) corev1.ConditionStatus {
	for _, c := range p.Status.Conditions {
		if c.Type == t {
			return c.Status
		}
	}
	return ""
}

func containerStatus(p *corev1.Pod, name string) corev1.ContainerStatus {
	for _, s := range p.Status.ContainerStatuses {
		if s.Name == name {
			return s
		}
	}
	return corev1.ContainerStatus{}
}

func nodeCondition(n *corev1.Node, t corev1.NodeConditionType) corev1.NodeCondition {
	for _, c := range n.Status.Conditions {
		if c.Type == t {
			return c
		}
	}
	return corev1.NodeCondition{}
}

func hasTaint(n *corev1.Node, key string) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == key {
			return true
		}
	}
	return false
}

func getNode(ctx context.Context, t *testing.T, cs kubernetes.Interface, name string) *corev1.Node {
	t.Helper()
	n, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		// Inside a wait, which reports a lasting failure.
		t.Logf("failed to get node %s: %v", name, err)
		return &corev1.Node{}
	}
	return n
}

// hasMarker reports whether any interlock fault marks the labels.
func hasMarker(l map[string]string) bool {
	for k := range l {
		if strings.HasPrefix(k, builtin.MarkerPrefix) {
			return true
		}
	}
	return false
}

// waitNodeHealthy waits until the node is Ready, without pressure, untainted
// by the node lifecycle controller, and no fault marks it.
func waitNodeHealthy(t *testing.T, cs kubernetes.Interface, name string) {
	t.Helper()
	testutil.WaitFor(t, backToHealth, "node "+name+" to be healthy", func(ctx context.Context) (bool, error) {
		n := getNode(ctx, t, cs, name)
		return cluster.NodeReady(n) &&
			nodeCondition(n, corev1.NodeDiskPressure).Status == corev1.ConditionFalse &&
			len(n.Spec.Taints) == 0 && !hasMarker(n.Labels), nil
	})
}

// waitPodsHealthy waits until the selected pods are want, all Ready, and
// no fault marks them.
func waitPodsHealthy(t *testing.T, cs kubernetes.Interface, ns, selector string, want int) []corev1.Pod {
	t.Helper()
	var pods []corev1.Pod
	testutil.WaitFor(t, backToHealth, "pods "+selector+" in "+ns+" to be healthy", func(ctx context.Context) (bool, error) {
		pods = listPods(ctx, t, cs, ns, selector)
		if len(pods) != want {
			return false, nil
		}
		for i := range pods {
			if !testutil.PodReady(&pods[i]) || hasMarker(pods[i].Labels) {
				return false, nil
			}
		}
		return true, nil
	}, testutil.DescribePods(cs, ns, ""))
	return pods
}

var stageGVR = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "stages"}

// stagesOf lists the kwok Stages of the fault; all interlock faults' if
// fault is empty.
func stagesOf(t *testing.T, cfg *rest.Config, fault string) []string {
	t.Helper()
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sel := builtin.FaultLabel
	if fault != "" {
		sel += "=" + fault
	}
	list, err := dc.Resource(stageGVR).List(t.Context(), metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		t.Fatalf("failed to list stages: %v", err)
	}
	var names []string
	for _, s := range list.Items {
		names = append(names, s.GetName())
	}
	return names
}

// tlsSecret is a kubernetes.io/tls Secret with a fresh self-signed
// certificate valid for validFor.
func tlsSecret(t *testing.T, ns, name string, validFor time.Duration) *corev1.Secret {
	t.Helper()
	crt, key := selfSigned(t, name+"."+ns+".svc", validFor)
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Type:       corev1.SecretTypeTLS,
		Data:       map[string][]byte{corev1.TLSCertKey: crt, corev1.TLSPrivateKeyKey: key},
	}
}

func selfSigned(t *testing.T, host string, validFor time.Duration) (crt, key []byte) {
	t.Helper()
	now := time.Now().Truncate(time.Second)
	crt, key, err := certs.Server(host, []string{host}, now.Add(-time.Hour), now.Add(validFor))
	if err != nil {
		t.Fatal(err)
	}
	return crt, key
}

func parseCert(t *testing.T, crt []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(crt)
	if block == nil {
		t.Fatal("no PEM block in tls.crt")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
