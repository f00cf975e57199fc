package cluster

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
)

// The pinned Chaos Mesh Helm chart that the kind path installs.
const (
	// ChaosMeshRepo is the chart repository.
	ChaosMeshRepo = "https://charts.chaos-mesh.org"
	// ChaosMeshChart is the chart's name, and the Helm release's.
	ChaosMeshChart = "chaos-mesh"
	// ChaosMeshVersion is the chart's version, which is also Chaos Mesh's.
	ChaosMeshVersion = "2.8.2"
	// ChaosMeshNamespace is where Chaos Mesh runs.
	ChaosMeshNamespace = "chaos-mesh"
	// ChaosMeshValuesFile holds the chart values for kind's containerd,
	// relative to the repository root.
	ChaosMeshValuesFile = "hack/kind/chaos-mesh-values.yaml"
)

// ChaosMeshHelmArgs returns the helm arguments that install the pinned Chaos
// Mesh chart, with the values in valuesFile, into the cluster of kubeconfig,
// and wait until it runs.
func ChaosMeshHelmArgs(kubeconfig, valuesFile string) []string {
	return []string{
		"upgrade", "--install", ChaosMeshChart, ChaosMeshChart,
		"--repo", ChaosMeshRepo,
		"--version", ChaosMeshVersion,
		"--namespace", ChaosMeshNamespace, "--create-namespace",
		"--values", valuesFile,
		"--kubeconfig", kubeconfig,
		"--wait", "--timeout", "10m",
	}
}

// InstallChaosMesh installs the pinned Chaos Mesh chart with
// hack/kind/chaos-mesh-values.yaml into the cluster of kubeconfig and waits
// until it runs.
func (k *Kind) InstallChaosMesh(ctx context.Context, kubeconfig string) error {
	helm := k.opts.Helm
	if helm == "" {
		p, err := exec.LookPath("helm")
		if err != nil {
			return &PrerequisiteError{Need: "helm to install Chaos Mesh", Detail: "helm not found on PATH", Err: err}
		}
		helm = p
	}
	args := ChaosMeshHelmArgs(kubeconfig, filepath.Join(k.opts.Root, ChaosMeshValuesFile))
	out, err := exec.CommandContext(ctx, helm, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("failed to install Chaos Mesh %s: %s: %w", ChaosMeshVersion, lastLines(string(out), 5), err)
	}
	return nil
}
