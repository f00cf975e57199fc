package cluster_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kindv1alpha4 "sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/yaml"

	"github.com/interlock-dev/interlock/harness/cluster"
)

// fakeKind puts stand-ins for kind, docker and helm first on PATH and
// serves the nodes list of an API server; ready is how many nodes it
// reports Ready. It returns the stand-ins' directory, where they log.
func fakeKind(t *testing.T, ready *atomic.Int32) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/nodes" {
			http.NotFound(w, r)
			return
		}
		list := corev1.NodeList{TypeMeta: metav1.TypeMeta{Kind: "NodeList", APIVersion: "v1"}}
		for i := range int(ready.Load()) {
			list.Items = append(list.Items, corev1.Node{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("n%d", i)},
				Status:     corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}},
			})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(list)
	}))
	t.Cleanup(srv.Close)

	bin := t.TempDir()
	kubeconfig := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: kind, cluster: {server: %q}}]
users: [{name: kind, user: {token: t}}]
contexts: [{name: kind, context: {cluster: kind, user: kind}}]
current-context: kind
`, srv.URL)
	if err := os.WriteFile(filepath.Join(bin, "kubeconfig"), []byte(kubeconfig), 0o644); err != nil {
		t.Fatal(err)
	}
	writeScript(t, bin, "docker", okDocker)
	writeScript(t, bin, "helm", `echo "$@" >> "$(dirname "$0")/helm.log"`+"\n")
	// kind keeps its clusters, one name a line, in clusters.txt.
	writeScript(t, bin, "kind", `d=$(dirname "$0")
echo "$@" >> "$d/kind.log"
touch "$d/clusters.txt"
case "$1 $2" in
"get clusters") cat "$d/clusters.txt";;
"create cluster") cp "$6" "$d/created-$4.yaml"; echo "$4" >> "$d/clusters.txt";;
"get kubeconfig") cat "$d/kubeconfig";;
"get nodes") echo "$4-worker"; echo "$4-control-plane";;
"load docker-image") ;;
"delete cluster") grep -vx "$4" "$d/clusters.txt" > "$d/clusters.new"; mv "$d/clusters.new" "$d/clusters.txt";;
*) echo "unexpected: $*" >&2; exit 1;;
esac
`)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+"/usr/bin"+string(os.PathListSeparator)+"/bin")
	return bin
}

// Up creates the cluster with its derived config and its audit directory,
// waits for every node, loads the images and installs Chaos Mesh; Status,
// List and Down then find and remove it. kind itself is a stand-in.
func TestKindUpDown(t *testing.T) {
	var ready atomic.Int32
	ready.Store(3)
	bin := fakeKind(t, &ready)
	home := t.TempDir()
	k, err := cluster.NewKind(cluster.KindOptions{Home: home, Root: repoRoot, Images: []string{cluster.RemediatorImage}, ChaosMesh: true})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "a.kubeconfig")
	var progress strings.Builder
	c, err := k.Up(t.Context(), cluster.UpOptions{Name: "storm-1", Nodes: 2, Kubeconfig: out, Wait: 10 * time.Second, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	dir := k.Dir("storm-1")
	if c.Dir != dir || c.Kubeconfig != out || c.AuditLog != filepath.Join(dir, "audit", "audit.log") || c.Config == nil {
		t.Errorf("cluster %+v", c)
	}
	if !strings.HasPrefix(dir, home) {
		t.Errorf("dir %s is not under home %s", dir, home)
	}
	checkKindCreated(t, bin, dir, c)
	checkKindRan(t, k, bin)

	if _, err := k.Up(t.Context(), cluster.UpOptions{Name: "storm-1"}); !errors.Is(err, cluster.ErrExists) {
		t.Errorf("second Up: %v, want ErrExists", err)
	}
	checkKindFound(t, k, c)
	checkKindDown(t, k, dir)
}

// checkKindCreated checks that kind got the derived config of cluster c, in
// dir, pointing at its audit files, and that those are in place.
func checkKindCreated(t *testing.T, bin, dir string, c *cluster.Cluster) {
	t.Helper()
	created, err := os.ReadFile(filepath.Join(bin, "created-storm-1.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg kindv1alpha4.Cluster
	if err := yaml.UnmarshalStrict(created, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Name != "storm-1" || len(cfg.Nodes) != 3 {
		t.Errorf("created %q with %d nodes, want storm-1 with 3", cfg.Name, len(cfg.Nodes))
	}
	policy, err := os.ReadFile(filepath.Join(dir, "audit-policy.yaml"))
	if err != nil || string(policy) != string(cluster.AuditPolicy) {
		t.Errorf("the mounted audit policy is not the embedded one: %v", err)
	}
	if fi, err := os.Stat(c.AuditLog); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("audit log %v, %v: want it created, mode 0644", fi, err)
	}
}

// checkKindRan checks that kind created storm-1 and loaded the image into
// it, and that helm installed Chaos Mesh, as the stand-ins in bin logged.
func checkKindRan(t *testing.T, k *cluster.Kind, bin string) {
	t.Helper()
	kindLog, _ := os.ReadFile(filepath.Join(bin, "kind.log"))
	for _, want := range []string{
		"create cluster --name storm-1 --config " + k.ConfigPath("storm-1") + " --kubeconfig " + k.KubeconfigPath("storm-1"),
		"load docker-image --name storm-1 " + cluster.RemediatorImage,
	} {
		if !strings.Contains(string(kindLog), want) {
			t.Errorf("kind was not run with %q:\n%s", want, kindLog)
		}
	}
	helmLog, _ := os.ReadFile(filepath.Join(bin, "helm.log"))
	wantHelm := strings.Join(cluster.ChaosMeshHelmArgs(k.KubeconfigPath("storm-1"), filepath.Join(k.Options().Root, cluster.ChaosMeshValuesFile)), " ")
	if strings.TrimSpace(string(helmLog)) != wantHelm {
		t.Errorf("helm ran with\n%s\nwant\n%s", helmLog, wantHelm)
	}
}

// checkKindFound checks that Status and List find cluster c, storm-1.
func checkKindFound(t *testing.T, k *cluster.Kind, c *cluster.Cluster) {
	t.Helper()
	st, err := k.Status(t.Context(), "storm-1")
	if err != nil {
		t.Fatal(err)
	}
	want := []cluster.ComponentStatus{{Name: "storm-1-control-plane", PID: 4242, Running: true}, {Name: "storm-1-worker", PID: 4242, Running: true}}
	if diff := cmp.Diff(want, st.Components); diff != "" || st.AuditLog != c.AuditLog {
		t.Errorf("status components (-want +got):\n%s\naudit log %s", diff, st.AuditLog)
	}
	if names, err := k.List(t.Context()); err != nil || !slices.Equal(names, []string{"storm-1"}) {
		t.Errorf("List: %v, %v", names, err)
	}
}

// checkKindDown checks that Down removes storm-1 and its files, in dir,
// that it then is found no more, and that a second Down is no error.
func checkKindDown(t *testing.T, k *cluster.Kind, dir string) {
	t.Helper()
	if err := k.Down(t.Context(), "storm-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s left behind: %v", dir, err)
	}
	if names, err := k.List(t.Context()); err != nil || len(names) != 0 {
		t.Errorf("List after Down: %v, %v", names, err)
	}
	if err := k.Down(t.Context(), "storm-1"); err != nil {
		t.Errorf("Down of a deleted cluster: %v", err)
	}
	if _, err := k.Status(t.Context(), "storm-1"); !errors.Is(err, cluster.ErrNotFound) {
		t.Errorf("Status after Down: %v, want ErrNotFound", err)
	}
}

// A cluster whose nodes never turn Ready is deleted, files and all.
func TestKindUpCleansUpOnFailure(t *testing.T) {
	var ready atomic.Int32
	ready.Store(1)
	bin := fakeKind(t, &ready)
	k, err := cluster.NewKind(cluster.KindOptions{Home: t.TempDir(), Root: repoRoot})
	if err != nil {
		t.Fatal(err)
	}
	_, err = k.Up(t.Context(), cluster.UpOptions{Name: "stuck", Wait: 3 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "failed waiting for 4 Ready node(s), 1 ready") {
		t.Fatalf("Up: %v, want a timeout waiting for nodes", err)
	}
	if _, err := os.Stat(k.Dir("stuck")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s left behind: %v", k.Dir("stuck"), err)
	}
	kindLog, _ := os.ReadFile(filepath.Join(bin, "kind.log"))
	if !strings.Contains(string(kindLog), "delete cluster --name stuck") {
		t.Errorf("the cluster was not deleted:\n%s", kindLog)
	}
}

func TestKindRefusesMetrics(t *testing.T) {
	var ready atomic.Int32
	bin := fakeKind(t, &ready)
	k, err := cluster.NewKind(cluster.KindOptions{Home: t.TempDir(), Root: repoRoot})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Up(t.Context(), cluster.UpOptions{Name: "hpa", Metrics: true}); !errors.Is(err, cluster.ErrNoMetrics) {
		t.Fatalf("Up with Metrics: %v, want ErrNoMetrics", err)
	}
	if kindLog, _ := os.ReadFile(filepath.Join(bin, "kind.log")); strings.Contains(string(kindLog), "create cluster") {
		t.Errorf("a cluster was created:\n%s", kindLog)
	}
}
