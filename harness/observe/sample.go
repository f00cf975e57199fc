package observe

import (
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// Sample is the cluster as the harness listed it at one instant: what truth,
// loads and the grader read.
type Sample struct {
	At          time.Time
	Pods        []*corev1.Pod
	Deployments []*appsv1.Deployment
	Nodes       []*corev1.Node
}
