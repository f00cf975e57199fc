package remediator

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	toolscache "k8s.io/client-go/tools/cache"
)

// trimCached is the informer caches' transform: it drops what the
// remediator never reads before an object is stored, so that the cache's
// memory follows what the automations need rather than everything the
// cluster holds. Every object loses its managed fields, often the larger
// part of a small object; a Secret that is not of type kubernetes.io/tls
// loses its data, which only the certificate-expiry automation would read,
// and only of TLS secrets.
func trimCached(obj any) (any, error) {
	if m, err := meta.Accessor(obj); err == nil {
		m.SetManagedFields(nil)
	}
	if s, ok := obj.(*corev1.Secret); ok && s.Type != corev1.SecretTypeTLS {
		s.Data, s.StringData = nil, nil
	}
	return obj, nil
}

var _ toolscache.TransformFunc = trimCached
