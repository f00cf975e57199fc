package cluster

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	nodefast "sigs.k8s.io/kwok/kustomize/stage/node/fast"
	nodeheartbeat "sigs.k8s.io/kwok/kustomize/stage/node/heartbeat-with-lease"
	podfast "sigs.k8s.io/kwok/kustomize/stage/pod/fast"
	"sigs.k8s.io/yaml"
)

// StageGVR is kwok's Stage resource. The embedded cluster runs kwok with
// Stages as API objects, so that the fault injector can add and remove
// stages while a scenario runs.
var StageGVR = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "stages"}

// defaultStages are the lifecycle stages kwok ships: nodes initialize and
// heartbeat through their lease; pods become Ready, complete and are deleted.
var defaultStages = []string{
	nodefast.DefaultNodeInit,
	nodeheartbeat.DefaultNodeHeartbeatWithLease,
	podfast.DefaultPodReady,
	podfast.DefaultPodComplete,
	podfast.DefaultPodDelete,
}

// ApplyDefaultStages creates kwok's default node and pod lifecycle stages.
func ApplyDefaultStages(ctx context.Context, cfg *rest.Config) error {
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("failed to create client: %w", err)
	}
	for _, raw := range defaultStages {
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(raw), &obj.Object); err != nil {
			return fmt.Errorf("failed to decode kwok's default stage: %w", err)
		}
		if _, err := dc.Resource(StageGVR).Create(ctx, obj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("failed to create stage %s: %w", obj.GetName(), err)
		}
	}
	return nil
}
