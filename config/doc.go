// Package config embeds the generated CRDs, the remediator's RBAC and kustomize manifests, and the Prometheus alert rules; it imports nothing of interlock.
package config
