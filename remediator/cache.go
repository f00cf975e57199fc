package remediator

import (
	corev1 "k8s.io/api/core/v1"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
)

// trimCached is the informer caches' transform: it drops what the
// remediator never reads before an object is stored, so that the cache's
// memory follows what the automations need rather than everything the
// cluster holds. Every object loses its managed fields, often the larger
// part of a small object; a Secret that is not of type kubernetes.io/tls
// loses its data, which only the certificate-expiry automation would read,
// and only of TLS secrets. A pod keeps of its spec only its node and its
// containers' names and resources (see trimPod).
func trimCached(obj any) (any, error) {
	obj, _ = stripManagedFields(obj)
	switch o := obj.(type) {
	case *corev1.Secret:
		if o.Type != corev1.SecretTypeTLS {
			o.Data, o.StringData = nil, nil
		}
	case *corev1.Pod:
		trimPod(o)
	}
	return obj, nil
}

// trimPod drops from a cached pod's spec all the automations do not read:
// they read its node (drains, the trigger's "scheduled"), and its
// containers' resource requests (disk pressure picks pods by ephemeral
// storage); its metadata and status are kept whole. At 10,000 pods the
// specs were a third of the remediator's heap. No pod is written back
// from the cache: a restart deletes the pod as the API server has it live,
// and a drain evicts pods by name.
func trimPod(p *corev1.Pod) {
	containers := make([]corev1.Container, len(p.Spec.Containers))
	for i, c := range p.Spec.Containers {
		containers[i] = corev1.Container{Name: c.Name, Resources: c.Resources}
	}
	p.Spec = corev1.PodSpec{NodeName: p.Spec.NodeName, Containers: containers}
}

// stripManagedFields is controller-runtime's transform for managed fields.
var stripManagedFields = cache.TransformStripManagedFields()

var _ toolscache.TransformFunc = trimCached
