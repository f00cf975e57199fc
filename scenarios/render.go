package scenarios

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/interlock-dev/interlock/api/v1alpha1"
	"github.com/interlock-dev/interlock/contract"
	"github.com/interlock-dev/interlock/internal/certs"
	"github.com/interlock-dev/interlock/safetycases"
)

// Names and figures of what Render creates.
const (
	// RemediatorNamespace holds the remediator, its ServiceAccount and the
	// Automations under test (contract.Namespace).
	RemediatorNamespace = contract.Namespace
	// RemediatorServiceAccount is the remediator's ServiceAccount in
	// RemediatorNamespace (contract.ServiceAccount).
	RemediatorServiceAccount = contract.ServiceAccount
	// RemediatorUser is the remediator's identity as the API server (and so
	// the audit log) sees it (contract.Identity).
	RemediatorUser = contract.Identity
	// RemediatorRole names the ClusterRole, Role and their bindings that
	// grant the remediator its rights; harness/setup names the ClusterRole
	// it creates for an identity the same way.
	RemediatorRole = "interlock:" + RemediatorNamespace + ":" + RemediatorServiceAccount
	// ScenarioLabel is set on every object Render creates and every fault's
	// object, to the scenario's name, so that a run can find what to tear down.
	ScenarioLabel = "interlock.dev/scenario"
	// AppLabel is set on a workload's pods to the workload's name; the
	// Deployment selects its pods by it.
	AppLabel = "app"
	// AppContainer names the workloads' one container.
	AppContainer = "app"
	// AppImage is the workloads' image: agnhost's netexec, an HTTP server
	// that answers on AppPort, /healthz included. On the embedded cluster
	// no image is pulled; kwok plays the pods.
	AppImage = "registry.k8s.io/e2e-test-images/agnhost:2.53"
	// AppPort is the port the workloads serve HTTP on and are probed at.
	AppPort = 8080
	// TLSMountPath is where a workload's TLS secret is mounted.
	TLSMountPath = "/etc/tls"
)

// NodeName is the name of the i-th node of the fixture, counting from 0.
// It matches the simulated nodes of the embedded cluster.
func NodeName(i int) string { return fmt.Sprintf("kwok-node-%d", i) }

// NodeNames returns the names of a fixture's n nodes.
func NodeNames(n int) []string {
	names := make([]string, 0, max(n, 0))
	for i := range n {
		names = append(names, NodeName(i))
	}
	return names
}

// RevisionLabels returns the labels of a workload's pods in each of its
// revisions: the first, then each rollout's, whose labels override.
func RevisionLabels(w *Workload) []map[string]string {
	out := []map[string]string{PodLabels(w)}
	for _, ro := range w.Rollouts {
		l := PodLabels(w)
		maps.Copy(l, ro.Labels)
		out = append(out, l)
	}
	return out
}

// PodLabels returns the labels of a workload's pods: its Labels and
// app=NAME.
func PodLabels(w *Workload) map[string]string {
	out := make(map[string]string, len(w.Labels)+1)
	for k, v := range w.Labels {
		out[k] = v
	}
	out[AppLabel] = w.Name
	return out
}

// Render returns the objects the fixture creates, in the order to create
// them: the Namespaces (RemediatorNamespace, then the workloads' and
// automations' namespaces, sorted, except "default", which every cluster
// has and no teardown may delete); the remediator's ServiceAccount; a
// ClusterRole with spec.rbac (DefaultRBAC when empty) and its
// ClusterRoleBinding; a Role with NamespaceRBAC in RemediatorNamespace and
// its RoleBinding; the workloads' TLS Secrets; the Deployments; the
// autoscaled workloads' HorizontalPodAutoscalers; and the Automations under
// test, each with its safety case copied inline into spec.safetyCase. Every
// object carries ScenarioLabel.
//
// TLS certificates are valid from the time given by At (by default, the
// time Render is called) for their workload's validFor. Everything else is
// fixed by the scenario, so Render is deterministic: the same scenario and
// At give the same objects, keys included (they are derived from the
// scenario and are test keys, not secrets). The nodes are not rendered: the
// cluster provider creates spec.fixture.nodes of them, named by NodeName.
//
// Render validates the scenario first and returns its *Error if it is not
// valid.
func Render(s *Scenario, opts ...RenderOption) ([]client.Object, error) {
	if err := Validate(s); err != nil {
		return nil, err
	}
	r := &renderer{s: s}
	for _, o := range opts {
		o(r)
	}
	if r.now.IsZero() {
		r.now = time.Now()
	}
	var out []client.Object
	for _, ns := range r.namespaces() {
		out = append(out, &corev1.Namespace{TypeMeta: typeMeta("v1", "Namespace"), ObjectMeta: r.meta("", ns)})
	}
	identity, err := r.identity()
	if err != nil {
		return nil, err
	}
	out = append(out, identity...)
	workloads := r.sortedWorkloads()
	for _, w := range workloads {
		if w.TLSSecret == "" {
			continue
		}
		secret, err := r.tlsSecret(w)
		if err != nil {
			return nil, fmt.Errorf("failed to render the TLS secret of workload %s/%s: %w", w.Namespace, w.Name, err)
		}
		out = append(out, secret)
	}
	for _, w := range workloads {
		out = append(out, r.deployment(w))
	}
	for _, w := range workloads {
		if w.Autoscale != nil {
			out = append(out, r.autoscaler(w))
		}
	}
	for i := range s.Spec.Automations {
		a, err := r.automation(&s.Spec.Automations[i])
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// RenderOption changes what Render renders.
type RenderOption func(*renderer)

// At makes Render create the fixture as of now: TLS certificates are valid
// from now. Without it they are valid from the time Render is called.
func At(now time.Time) RenderOption {
	return func(r *renderer) { r.now = now }
}

type renderer struct {
	s   *Scenario
	now time.Time
}

func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

// meta returns the metadata of a rendered object, labelled with the scenario.
func (r *renderer) meta(namespace, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: map[string]string{ScenarioLabel: r.s.Name()}}
}

// namespaces returns RemediatorNamespace, then the other namespaces sorted,
// leaving out "default", which every cluster has.
func (r *renderer) namespaces() []string {
	var other []string
	for _, w := range r.s.Spec.Fixture.Workloads { // copies share a namespace
		other = append(other, w.Namespace)
	}
	for _, a := range r.s.Spec.Automations {
		other = append(other, a.Namespaces...)
	}
	slices.Sort(other)
	other = slices.Compact(other)
	other = slices.DeleteFunc(other, func(ns string) bool { return ns == RemediatorNamespace || ns == "default" })
	return append([]string{RemediatorNamespace}, other...)
}

func (r *renderer) sortedWorkloads() []*Workload {
	expanded := r.s.Spec.Fixture.Expand()
	ws := make([]*Workload, len(expanded))
	for i := range expanded {
		ws[i] = &expanded[i]
	}
	slices.SortStableFunc(ws, func(a, b *Workload) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	return ws
}

// identity returns the remediator's ServiceAccount and its rights.
func (r *renderer) identity() ([]client.Object, error) {
	rules := r.s.Spec.RBAC
	if len(rules) == 0 {
		var err error
		if rules, err = DefaultRBAC(); err != nil {
			return nil, err
		}
	}
	subject := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: RemediatorServiceAccount, Namespace: RemediatorNamespace}}
	return []client.Object{
		&corev1.ServiceAccount{TypeMeta: typeMeta("v1", "ServiceAccount"), ObjectMeta: r.meta(RemediatorNamespace, RemediatorServiceAccount)},
		&rbacv1.ClusterRole{
			TypeMeta:   typeMeta(rbacv1.SchemeGroupVersion.String(), "ClusterRole"),
			ObjectMeta: r.meta("", RemediatorRole),
			Rules:      clonePolicyRules(rules),
		},
		&rbacv1.ClusterRoleBinding{
			TypeMeta:   typeMeta(rbacv1.SchemeGroupVersion.String(), "ClusterRoleBinding"),
			ObjectMeta: r.meta("", RemediatorRole),
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: RemediatorRole},
			Subjects:   subject,
		},
		&rbacv1.Role{
			TypeMeta:   typeMeta(rbacv1.SchemeGroupVersion.String(), "Role"),
			ObjectMeta: r.meta(RemediatorNamespace, RemediatorRole),
			Rules:      NamespaceRBAC(),
		},
		&rbacv1.RoleBinding{
			TypeMeta:   typeMeta(rbacv1.SchemeGroupVersion.String(), "RoleBinding"),
			ObjectMeta: r.meta(RemediatorNamespace, RemediatorRole),
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: RemediatorRole},
			Subjects:   subject,
		},
	}, nil
}

func clonePolicyRules(rules []rbacv1.PolicyRule) []rbacv1.PolicyRule {
	out := make([]rbacv1.PolicyRule, len(rules))
	for i := range rules {
		rules[i].DeepCopyInto(&out[i])
	}
	return out
}

// deployment renders a workload.
func (r *renderer) deployment(w *Workload) *appsv1.Deployment {
	meta := r.meta(w.Namespace, w.Name)
	meta.Labels[AppLabel] = w.Name
	c := corev1.Container{
		Name:  AppContainer,
		Image: AppImage,
		Args:  []string{"netexec", fmt.Sprintf("--http-port=%d", AppPort)},
		Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: AppPort, Protocol: corev1.ProtocolTCP}},
	}
	if w.ReadinessPath != "" {
		c.ReadinessProbe = &corev1.Probe{
			ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Path: w.ReadinessPath, Port: intstr.FromInt32(AppPort), Scheme: corev1.URISchemeHTTP,
			}},
			PeriodSeconds:    5,
			FailureThreshold: 1,
		}
	}
	if w.CPURequest != nil {
		c.Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: w.CPURequest.DeepCopy()}
	}
	pod := corev1.PodSpec{Containers: []corev1.Container{c}}
	if w.TLSSecret != "" {
		pod.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "tls", MountPath: TLSMountPath, ReadOnly: true}}
		pod.Volumes = []corev1.Volume{{Name: "tls", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: w.TLSSecret}}}}
	}
	podLabels := PodLabels(w)
	return &appsv1.Deployment{
		TypeMeta:   typeMeta(appsv1.SchemeGroupVersion.String(), "Deployment"),
		ObjectMeta: meta,
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(w.Replicas),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{AppLabel: w.Name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels},
				Spec:       pod,
			},
		},
	}
}

// autoscaler renders a workload's HorizontalPodAutoscaler: on the average
// CPU utilization of its pods, scaling down as soon as the recommendation
// drops (the default waits 5 minutes), and up at the default rate.
func (r *renderer) autoscaler(w *Workload) *autoscalingv2.HorizontalPodAutoscaler {
	meta := r.meta(w.Namespace, w.Name)
	meta.Labels[AppLabel] = w.Name
	a := w.Autoscale
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   typeMeta(autoscalingv2.SchemeGroupVersion.String(), "HorizontalPodAutoscaler"),
		ObjectMeta: meta,
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: appsv1.SchemeGroupVersion.String(), Kind: "Deployment", Name: w.Name},
			MinReplicas:    ptr.To(a.MinReplicas),
			MaxReplicas:    a.MaxReplicas,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{
					Name:   corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To(a.TargetCPUUtilizationPercent)},
				},
			}},
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr.To[int32](0)},
			},
		},
	}
}

// tlsSecret renders a workload's TLS secret: a self-signed Ed25519
// certificate for the workload's service names, valid from now for
// validFor, with a key derived from the scenario, namespace and secret name.
func (r *renderer) tlsSecret(w *Workload) (*corev1.Secret, error) {
	seed := sha256.Sum256([]byte("interlock.dev/scenarios/" + r.s.Name() + "/" + w.Namespace + "/" + w.TLSSecret))
	key := ed25519.NewKeyFromSeed(seed[:])
	serial := new(big.Int).SetBytes(seed[:16])
	notBefore := r.now.UTC().Truncate(time.Second)
	host := w.Name + "." + w.Namespace + ".svc"
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: host, Organization: []string{"interlock scenario " + r.s.Name()}},
		DNSNames:              []string{w.Name, w.Name + "." + w.Namespace, host, host + ".cluster.local"},
		NotBefore:             notBefore,
		NotAfter:              notBefore.Add(w.ValidFor.Duration),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	// Ed25519 signatures need no randomness: the certificate is the same
	// every time the scenario is rendered.
	_, certPEM, err := certs.SelfSign(tmpl, key, certs.ZeroReader{})
	if err != nil {
		return nil, err
	}
	keyPEM, err := certs.EncodeKey(key)
	if err != nil {
		return nil, err
	}
	meta := r.meta(w.Namespace, w.TLSSecret)
	meta.Labels[AppLabel] = w.Name
	return &corev1.Secret{
		TypeMeta:   typeMeta("v1", "Secret"),
		ObjectMeta: meta,
		Type:       corev1.SecretTypeTLS,
		Data: map[string][]byte{
			corev1.TLSCertKey:       certPEM,
			corev1.TLSPrivateKeyKey: keyPEM,
		},
	}, nil
}

// SafetyCaseOf returns a fresh copy of an automation's safety case: the
// shipped one it names, or its inline one.
func (s *Scenario) SafetyCaseOf(a Automation) (*v1alpha1.SafetyCaseSpec, error) {
	switch {
	case a.SafetyCaseSpec != nil:
		return a.SafetyCaseSpec.DeepCopy(), nil
	case a.SafetyCase == "":
		return nil, fmt.Errorf("automation %s has no safety case", a.Name)
	}
	sc, err := safetycases.Get(a.SafetyCase)
	if err != nil {
		return nil, fmt.Errorf("failed to get the safety case of automation %s: %w", a.Name, err)
	}
	return &sc.Spec, nil
}

// automation renders an automation under test with its safety case inline.
func (r *renderer) automation(a *Automation) (*v1alpha1.Automation, error) {
	spec, err := r.s.SafetyCaseOf(*a)
	if err != nil {
		return nil, fmt.Errorf("failed to render automation %s: %w", a.Name, err)
	}
	return &v1alpha1.Automation{
		TypeMeta:   typeMeta(v1alpha1.GroupVersion.String(), "Automation"),
		ObjectMeta: r.meta(RemediatorNamespace, a.Name),
		Spec: v1alpha1.AutomationSpec{
			Type:       a.Type,
			Rung:       a.Rung,
			Selector:   a.Selector.DeepCopy(),
			Namespaces: slices.Clone(a.Namespaces),
			SafetyCase: spec,
			Runbook:    a.Runbook,
		},
	}, nil
}
