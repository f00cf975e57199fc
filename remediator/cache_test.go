package remediator

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestTrimCached(t *testing.T) {
	managed := []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply}}
	requests := corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceEphemeralStorage: resource.MustParse("1Gi")}}
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
		"a pod keeps its node, its containers' resources and its status": {
			obj: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{ManagedFields: managed, Labels: map[string]string{"app": "web"}},
				Spec: corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{
					Name: "app", Image: "agnhost", Args: []string{"netexec"}, Resources: requests,
					ReadinessProbe: &corev1.Probe{PeriodSeconds: 5},
				}}, Volumes: []corev1.Volume{{Name: "token"}}, Tolerations: []corev1.Toleration{{Key: "k"}}},
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
				want := corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "app", Resources: requests}}}
				if !equality.Semantic.DeepEqual(o.Spec, want) {
					t.Errorf("cached spec = %+v, want only the node and the containers' names and resources", o.Spec)
				}
				if o.Status.Phase != corev1.PodRunning || o.Labels["app"] != "web" {
					t.Errorf("pod's status or metadata changed: %+v", o)
				}
			default:
				t.Fatalf("got a %T", got)
			}
		})
	}
}
