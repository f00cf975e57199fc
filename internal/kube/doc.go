// Package kube holds the small readings of Kubernetes objects that the harness, its injectors and its tests share, such as whether a pod is Ready; it imports nothing of interlock, and the remediator keeps its own, so that grader and graded never share a judgement.
package kube
