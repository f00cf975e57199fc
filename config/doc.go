// Package config embeds the generated CRDs, the remediator's RBAC and kustomize manifests, and the Prometheus alert rules, also as a PrometheusRule; config/prometheus holds the ServiceMonitor too, and config/grafana the dashboard. It imports only the API types.
package config
