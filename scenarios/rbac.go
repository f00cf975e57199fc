package scenarios

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/interlock-dev/interlock/config"
)

// DefaultRBAC returns the built-in remediator's rules: those of its
// ClusterRole generated from the +kubebuilder:rbac markers in remediator/
// (config.RemediatorRole). Render grants them cluster-wide when a scenario's
// spec.rbac is empty. The slice is the caller's to keep.
func DefaultRBAC() ([]rbacv1.PolicyRule, error) {
	role, err := config.RemediatorRole()
	if err != nil {
		return nil, fmt.Errorf("failed to read the built-in remediator's role: %w", err)
	}
	return role.Rules, nil
}

// NamespaceRBAC returns the rules every remediator under test is granted in
// RemediatorNamespace, whatever its spec.rbac: to read the Automations it is
// tested on and their SafetyCases, and to report on them in their status.
// The slice is the caller's to keep.
func NamespaceRBAC() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{APIGroups: []string{"interlock.dev"}, Resources: []string{"automations", "safetycases"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{"interlock.dev"}, Resources: []string{"automations/status"}, Verbs: []string{"get", "patch", "update"}},
	}
}
