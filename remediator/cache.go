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
// and only of TLS secrets.
func trimCached(obj any) (any, error) {
	obj, _ = stripManagedFields(obj)
	if s, ok := obj.(*corev1.Secret); ok && s.Type != corev1.SecretTypeTLS {
		s.Data, s.StringData = nil, nil
	}
	return obj, nil
}

// stripManagedFields is controller-runtime's transform for managed fields.
var stripManagedFields = cache.TransformStripManagedFields()

var _ toolscache.TransformFunc = trimCached
