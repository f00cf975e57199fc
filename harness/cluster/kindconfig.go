package cluster

import (
	"errors"
	"fmt"
	"path/filepath"

	kindv1alpha4 "sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/yaml"
)

// Where kind-config.yaml mounts the audit policy and the audit log
// directory inside the control-plane node.
const (
	kindPolicyPath = "/etc/kubernetes/interlock/audit-policy.yaml"
	kindAuditDir   = "/var/log/kubernetes/interlock"
)

// KindClusterConfig derives one cluster's kind config from base (the
// repository's kind-config.yaml): it names the cluster, mounts the audit
// policy from dir/audit-policy.yaml and the audit log directory from
// dir/audit, so that clusters never share a log, and, if workers > 0, runs
// that many workers spread over Zones.
func KindClusterConfig(base []byte, name, dir string, workers int) (*kindv1alpha4.Cluster, error) {
	var c kindv1alpha4.Cluster
	if err := yaml.UnmarshalStrict(base, &c); err != nil {
		return nil, fmt.Errorf("failed to decode the kind config: %w", err)
	}
	c.Name = name
	var cp *kindv1alpha4.Node
	var worker *kindv1alpha4.Node
	for i := range c.Nodes {
		switch c.Nodes[i].Role {
		case kindv1alpha4.ControlPlaneRole, "":
			if cp == nil {
				cp = &c.Nodes[i]
			}
		case kindv1alpha4.WorkerRole:
			if worker == nil {
				worker = &c.Nodes[i]
			}
		}
	}
	if cp == nil {
		return nil, errors.New("the kind config has no control-plane node")
	}
	var policy, logDir bool
	for i := range cp.ExtraMounts {
		m := &cp.ExtraMounts[i]
		switch m.ContainerPath {
		case kindPolicyPath:
			m.HostPath, policy = filepath.Join(dir, "audit-policy.yaml"), true
		case kindAuditDir:
			m.HostPath, logDir = filepath.Join(dir, "audit"), true
		}
	}
	if !policy || !logDir {
		return nil, fmt.Errorf("the kind config's control plane must mount the audit policy at %s and the audit log directory at %s", kindPolicyPath, kindAuditDir)
	}
	if workers > 0 {
		tmpl := kindv1alpha4.Node{Role: kindv1alpha4.WorkerRole}
		if worker != nil {
			tmpl = *worker
		}
		nodes := []kindv1alpha4.Node{*cp}
		for i := range workers {
			n := tmpl
			n.Labels = map[string]string{}
			for k, v := range tmpl.Labels {
				n.Labels[k] = v
			}
			n.Labels[ZoneLabel] = Zones[i%len(Zones)]
			nodes = append(nodes, n)
		}
		c.Nodes = nodes
	}
	return &c, nil
}
