package cluster_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	kindv1alpha4 "sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/interlock-dev/interlock/harness/cluster"
)

// repoRoot is the repository checkout, seen from this package's directory.
const repoRoot = "../.."

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// writeScript writes an executable shell script into dir.
func writeScript(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
}

const okDocker = `case "$1" in
info) exit 0;;
inspect) echo "4242 true"; exit 0;;
esac
exit 1
`

// NewKind checks its prerequisites first and says what is missing, and
// that the embedded provider needs none of it, without touching Docker.
func TestKindPrerequisites(t *testing.T) {
	tests := map[string]struct {
		scripts map[string]string
		opts    cluster.KindOptions
		want    string
	}{
		"no container engine": {
			want: "kind provider needs a running Docker engine: docker not found on PATH (the embedded provider needs none: use --provider embedded)",
		},
		"engine not running": {
			scripts: map[string]string{"docker": "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2\nexit 1\n"},
			want:    `kind provider needs a running Docker engine: "docker info" failed: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?: exit status 1 (the embedded provider needs none: use --provider embedded)`,
		},
		"no kind and no go": {
			scripts: map[string]string{"docker": okDocker},
			want:    "kind provider needs kind: kind not found on PATH, nor go to build kind " + cluster.KindVersion + " (the embedded provider needs none: use --provider embedded)",
		},
		"no helm for chaos mesh": {
			scripts: map[string]string{"docker": okDocker, "kind": "exit 0\n"},
			opts:    cluster.KindOptions{ChaosMesh: true},
			want:    "kind provider needs helm to install Chaos Mesh: helm not found on PATH",
		},
		"not in the repository": {
			scripts: map[string]string{"docker": okDocker, "kind": "exit 0\n"},
			opts:    cluster.KindOptions{Root: "testdata-none"},
			want:    "kind provider needs kind-config.yaml: run from the repository root or set KindOptions.Root",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			bin := t.TempDir()
			for n, body := range tc.scripts {
				writeScript(t, bin, n, body)
			}
			t.Setenv("PATH", bin)
			opts := tc.opts
			if opts.Root == "" {
				opts.Root = repoRoot
			}
			_, err := cluster.NewKind(opts)
			if err == nil {
				t.Fatal("NewKind succeeded")
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error\n got: %s\nwant: %s", err, tc.want)
			}
			var pe *cluster.PrerequisiteError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *PrerequisiteError", err)
			}
		})
	}

	t.Run("podman stands in for docker", func(t *testing.T) {
		bin := t.TempDir()
		writeScript(t, bin, "podman", okDocker)
		writeScript(t, bin, "kind", "exit 0\n")
		t.Setenv("PATH", bin)
		k, err := cluster.NewKind(cluster.KindOptions{Root: repoRoot, Home: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if got := k.Options().Engine; got != filepath.Join(bin, "podman") {
			t.Errorf("engine %s, want podman", got)
		}
		if got := k.Options().Binary; got != filepath.Join(bin, "kind") {
			t.Errorf("kind %s, want the one on PATH", got)
		}
		if !filepath.IsAbs(k.Options().Root) {
			t.Errorf("root %s is not absolute", k.Options().Root)
		}
	})
}

// Each cluster's config is the repository's kind-config.yaml with the
// cluster's name, its own audit policy and log directory, and as many
// workers as asked, spread over the zones.
func TestKindClusterConfig(t *testing.T) {
	base := []byte(readRepoFile(t, cluster.KindConfigFile))
	dir := "/home/u/.interlock/kind/clusters/storm-1"
	tests := map[string]struct {
		workers   int
		wantZones []string
	}{
		"the config's workers": {workers: 0, wantZones: []string{"zone-a", "zone-b", "zone-c"}},
		"five workers":         {workers: 5, wantZones: []string{"zone-a", "zone-b", "zone-c", "zone-a", "zone-b"}},
		"one worker":           {workers: 1, wantZones: []string{"zone-a"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := cluster.KindClusterConfig(base, "storm-1", dir, tc.workers)
			if err != nil {
				t.Fatal(err)
			}
			// What kind reads is the encoded config: it must decode strictly.
			data, err := yaml.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			var got kindv1alpha4.Cluster
			if err := yaml.UnmarshalStrict(data, &got); err != nil {
				t.Fatalf("the derived config does not decode as kind v1alpha4: %v\n%s", err, data)
			}
			if got.Name != "storm-1" {
				t.Errorf("name %q", got.Name)
			}
			if got.Nodes[0].Role != kindv1alpha4.ControlPlaneRole {
				t.Fatalf("first node is a %s", got.Nodes[0].Role)
			}
			mounts := map[string]string{}
			for _, m := range got.Nodes[0].ExtraMounts {
				mounts[m.ContainerPath] = m.HostPath
			}
			want := map[string]string{
				"/etc/kubernetes/interlock/audit-policy.yaml": dir + "/audit-policy.yaml",
				"/var/log/kubernetes/interlock":               dir + "/audit",
			}
			if diff := cmp.Diff(want, mounts); diff != "" {
				t.Errorf("control-plane mounts (-want +got):\n%s", diff)
			}
			if !slices.Equal(got.Nodes[0].KubeadmConfigPatches, c.Nodes[0].KubeadmConfigPatches) || len(got.Nodes[0].KubeadmConfigPatches) == 0 {
				t.Error("the control plane lost its kubeadm patches (audit flags)")
			}
			var zones []string
			for _, n := range got.Nodes[1:] {
				if n.Role != kindv1alpha4.WorkerRole {
					t.Errorf("node role %s, want worker", n.Role)
				}
				zones = append(zones, n.Labels[cluster.ZoneLabel])
			}
			if diff := cmp.Diff(tc.wantZones, zones); diff != "" {
				t.Errorf("worker zones (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("errors", func(t *testing.T) {
		for name, cfg := range map[string]string{
			"not kind's":         "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodez: []\n",
			"no control plane":   "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: worker\n",
			"no audit log mount": "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n    extraMounts:\n      - hostPath: p\n        containerPath: /etc/kubernetes/interlock/audit-policy.yaml\n",
		} {
			if _, err := cluster.KindClusterConfig([]byte(cfg), "a", "/d", 0); err == nil {
				t.Errorf("%s: no error", name)
			}
		}
	})
}

// Chaos Mesh is installed from the pinned chart with the values kept in
// hack/kind, which point chaos-daemon at kind's containerd; the nightly
// script installs the same version with the same values.
func TestKindChaosMeshHelmArgs(t *testing.T) {
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(cluster.ChaosMeshVersion) {
		t.Fatalf("ChaosMeshVersion %q is not a pinned chart version", cluster.ChaosMeshVersion)
	}
	got := cluster.ChaosMeshHelmArgs("/k/a.kubeconfig", "/r/hack/kind/chaos-mesh-values.yaml")
	want := []string{
		"upgrade", "--install", "chaos-mesh", "chaos-mesh",
		"--repo", "https://charts.chaos-mesh.org",
		"--version", cluster.ChaosMeshVersion,
		"--namespace", "chaos-mesh", "--create-namespace",
		"--values", "/r/hack/kind/chaos-mesh-values.yaml",
		"--kubeconfig", "/k/a.kubeconfig",
		"--wait", "--timeout", "10m",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("helm args (-want +got):\n%s", diff)
	}

	var values struct {
		ChaosDaemon struct {
			Runtime    string `json:"runtime"`
			SocketPath string `json:"socketPath"`
		} `json:"chaosDaemon"`
	}
	if err := yaml.Unmarshal([]byte(readRepoFile(t, cluster.ChaosMeshValuesFile)), &values); err != nil {
		t.Fatal(err)
	}
	if values.ChaosDaemon.Runtime != "containerd" || values.ChaosDaemon.SocketPath != "/run/containerd/containerd.sock" {
		t.Errorf("chaosDaemon %+v, want kind's containerd", values.ChaosDaemon)
	}

	script := readRepoFile(t, "hack/nightly-kind.sh")
	for _, s := range []string{"CHAOS_MESH_VERSION=" + cluster.ChaosMeshVersion, cluster.ChaosMeshValuesFile, cluster.ChaosMeshRepo} {
		if !strings.Contains(script, s) {
			t.Errorf("hack/nightly-kind.sh lacks %q", s)
		}
	}
}

// The kind that is built when none is on PATH is the one go.mod pins, and
// the nightly path installs the same.
func TestKindVersionPinned(t *testing.T) {
	m := regexp.MustCompile(`(?m)^\s*sigs\.k8s\.io/kind (v\S+)`).FindStringSubmatch(readRepoFile(t, "go.mod"))
	if m == nil || m[1] != cluster.KindVersion {
		t.Errorf("go.mod pins kind %v, KindVersion is %s", m, cluster.KindVersion)
	}
	for _, f := range []string{".github/workflows/nightly.yaml", "hack/nightly-kind.sh"} {
		if !strings.Contains(readRepoFile(t, f), "sigs.k8s.io/kind@"+cluster.KindVersion) &&
			!strings.Contains(readRepoFile(t, f), "KIND_VERSION: "+cluster.KindVersion) {
			t.Errorf("%s does not install kind %s", f, cluster.KindVersion)
		}
	}
}

// One image name, cluster.RemediatorImage, is built by the Dockerfile's
// users, loaded by the kind path and deployed by config/default, whose
// args run `interlock remediator` once the image's entrypoint is added.
func TestKindRemediatorImage(t *testing.T) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	rm, err := k.Run(filesys.MakeFsOnDisk(), filepath.Join(repoRoot, "config", "default"))
	if err != nil {
		t.Fatalf("kustomize build config/default: %v", err)
	}
	var containers []corev1.Container
	for _, r := range rm.Resources() {
		if r.GetKind() != "Deployment" {
			continue
		}
		data, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Spec struct {
				Template corev1.PodTemplateSpec `json:"template"`
			} `json:"spec"`
		}
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatal(err)
		}
		containers = append(containers, d.Spec.Template.Spec.Containers...)
	}
	if len(containers) != 1 {
		t.Fatalf("config/default renders %d containers, want the remediator alone", len(containers))
	}
	c := containers[0]
	if c.Image != cluster.RemediatorImage {
		t.Errorf("the Deployment runs image %q, the kind path loads %q", c.Image, cluster.RemediatorImage)
	}

	// ENTRYPOINT ["/interlock"] + the Deployment's args = interlock remediator ...
	var entrypoint, cmd []string
	for _, line := range strings.Split(readRepoFile(t, "Dockerfile"), "\n") {
		if v, ok := strings.CutPrefix(line, "ENTRYPOINT "); ok {
			entrypoint = nil
			if err := json.Unmarshal([]byte(v), &entrypoint); err != nil {
				t.Fatalf("ENTRYPOINT is not exec form: %v", err)
			}
		}
		if v, ok := strings.CutPrefix(line, "CMD "); ok {
			cmd = nil
			if err := json.Unmarshal([]byte(v), &cmd); err != nil {
				t.Fatalf("CMD is not exec form: %v", err)
			}
		}
	}
	if diff := cmp.Diff([]string{"/interlock"}, entrypoint); diff != "" {
		t.Errorf("ENTRYPOINT (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"remediator"}, cmd); diff != "" {
		t.Errorf("CMD (-want +got):\n%s", diff)
	}
	if len(c.Command) != 0 || len(c.Args) == 0 || c.Args[0] != "remediator" {
		t.Errorf("the Deployment runs command %q args %q; want the image's entrypoint with args remediator ...", c.Command, c.Args)
	}

	if script := readRepoFile(t, "hack/nightly-kind.sh"); !strings.Contains(script, "IMAGE="+cluster.RemediatorImage) {
		t.Errorf("hack/nightly-kind.sh does not build and load %s", cluster.RemediatorImage)
	}
}
