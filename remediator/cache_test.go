package remediator

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestTrimCached(t *testing.T) {
	managed := []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply}}
	tests := map[string]struct {
		obj      any
		wantData bool
	}{
		"a TLS secret keeps its certificate": {
			obj: &corev1.Secret{ObjectMeta: metav1.ObjectMeta{ManagedFields: managed}, Type: corev1.SecretTypeTLS,
				Data: map[string][]byte{corev1.TLSCertKey: []byte("cert")}},
			wantData: true,
		},
		"an opaque secret loses its data": {
			obj: &corev1.Secret{ObjectMeta: metav1.ObjectMeta{ManagedFields: managed}, Type: corev1.SecretTypeOpaque,
				Data: map[string][]byte{"password": []byte("hunter2")}, StringData: map[string]string{"user": "root"}},
		},
		"a pod keeps its spec and status": {
			obj: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{ManagedFields: managed}, Spec: corev1.PodSpec{NodeName: "n1"},
				Status: corev1.PodStatus{Phase: corev1.PodRunning}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := trimCached(tc.obj)
			if err != nil {
				t.Fatal(err)
			}
			switch o := got.(type) {
			case *corev1.Secret:
				if o.ManagedFields != nil {
					t.Errorf("managed fields kept: %v", o.ManagedFields)
				}
				if hasData := len(o.Data)+len(o.StringData) > 0; hasData != tc.wantData {
					t.Errorf("data kept = %v, want %v", hasData, tc.wantData)
				}
			case *corev1.Pod:
				if o.ManagedFields != nil {
					t.Errorf("managed fields kept: %v", o.ManagedFields)
				}
				if o.Spec.NodeName != "n1" || o.Status.Phase != corev1.PodRunning {
					t.Errorf("pod changed beyond its managed fields: %+v", o)
				}
			default:
				t.Fatalf("got a %T", got)
			}
		})
	}
}
