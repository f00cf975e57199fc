package config

import (
	_ "embed"
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// roleYAML is the remediator's ClusterRole, generated from the
// +kubebuilder:rbac markers in remediator/.
//
//go:embed rbac/role.yaml
var roleYAML []byte

// RemediatorRole returns the built-in remediator's least-privilege ClusterRole.
func RemediatorRole() (*rbacv1.ClusterRole, error) {
	role := &rbacv1.ClusterRole{}
	if err := yaml.UnmarshalStrict(roleYAML, role); err != nil {
		return nil, fmt.Errorf("failed to decode the embedded remediator role: %w", err)
	}
	return role, nil
}
