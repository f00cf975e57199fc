package chaosmesh_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	chaosv1alpha1 "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/interlock-dev/interlock/experiments"
	"github.com/interlock-dev/interlock/experiments/chaosmesh"
	"github.com/interlock-dev/interlock/internal/testutil"
	"github.com/interlock-dev/interlock/scenarios"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.yaml from what Render returns")

// TestRenderScenarios renders every fault of every shipped scenario into
// testdata/SCENARIO.golden.yaml: the Chaos Mesh objects of the faults the
// injector accepts, and, as comments, why it refuses the others.
func TestRenderScenarios(t *testing.T) {
	names := scenarios.Names()
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			s, err := scenarios.Load(name)
			if err != nil {
				t.Fatalf("failed to load scenario: %v", err)
			}
			objs, refused := scenarioObjects(t, s)
			var b bytes.Buffer
			b.WriteString("# The Chaos Mesh objects of the faults of scenario " + name + ", as chaosmesh.Render\n")
			b.WriteString("# returns them. Regenerate: go test ./experiments/chaosmesh -run TestRenderScenarios -update\n")
			for _, r := range refused {
				b.WriteString("# refused: " + oneLine(r) + "\n")
			}
			for _, u := range objs {
				data, err := yaml.Marshal(u.Object)
				if err != nil {
					t.Fatal(err)
				}
				b.WriteString("---\n")
				b.Write(data)
			}
			testutil.Golden(t, filepath.Join("testdata", name+".golden.yaml"), b.Bytes(), *update)
		})
	}

	// A golden file of a scenario that is no longer shipped is stale.
	files, err := filepath.Glob(filepath.Join("testdata", "*.golden.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".golden.yaml")
		if slices.Contains(names, name) {
			continue
		}
		if *update {
			if err := os.Remove(file); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s: no shipped scenario %s: remove it, or run with -update", file, name)
	}
}

// TestRender checks the metadata and duration Render gives an object.
func TestRender(t *testing.T) {
	labelled := podChaos(func(o *chaosv1alpha1.PodChaos) {
		o.Labels = map[string]string{scenarios.ScenarioLabel: "storm", chaosmesh.FaultLabel: "stale"}
		o.Annotations = map[string]string{"note": "kept"}
		o.UID, o.ResourceVersion = "uid-1", "42"
		o.Spec.Duration = ptr.To("1m0s")
		o.Status.Conditions = []chaosv1alpha1.ChaosCondition{{Type: chaosv1alpha1.ConditionAllInjected, Status: "True"}}
	})
	tests := map[string]struct {
		fault     experiments.Fault
		namespace string
		want      metav1.ObjectMeta
		wantKind  string
		// wantDuration is spec.duration; empty means left out.
		wantDuration string
	}{
		"keeps the object's labels and annotations, drops the rest": {
			fault:     experiments.Fault{Name: "storm-pods-fail", For: time.Minute, Object: labelled},
			namespace: "chaos",
			want: metav1.ObjectMeta{Name: "storm-pods-fail", Namespace: "chaos", Labels: map[string]string{
				scenarios.ScenarioLabel: "storm", chaosmesh.FaultLabel: "storm-pods-fail", chaosmesh.ManagedByLabel: chaosmesh.ManagedBy,
			}, Annotations: map[string]string{"note": "kept"}},
			wantKind:     "PodChaos",
			wantDuration: "1m0s",
		},
		"the object's own namespace wins": {
			fault:     experiments.Fault{Name: "own", For: 90 * time.Second, Object: httpChaos(func(o *chaosv1alpha1.HTTPChaos) { o.Namespace = "shop" })},
			namespace: "chaos",
			want: metav1.ObjectMeta{Name: "own", Namespace: "shop", Labels: map[string]string{
				chaosmesh.FaultLabel: "own", chaosmesh.ManagedByLabel: chaosmesh.ManagedBy,
			}},
			wantKind:     "HTTPChaos",
			wantDuration: "1m30s",
		},
		"no namespace given: interlock-system; no for: no duration": {
			fault: experiments.Fault{Name: "forever", Object: stressChaos()},
			want: metav1.ObjectMeta{Name: "forever", Namespace: chaosmesh.DefaultNamespace, Labels: map[string]string{
				chaosmesh.FaultLabel: "forever", chaosmesh.ManagedByLabel: chaosmesh.ManagedBy,
			}},
			wantKind: "StressChaos",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			before := tc.fault.Object.DeepCopyObject()
			u, err := chaosmesh.Render(tc.fault, tc.namespace)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if diff := cmp.Diff(before, tc.fault.Object); diff != "" {
				t.Errorf("Render changed the fault's object (-before +after):\n%s", diff)
			}
			if u.GetAPIVersion() != "chaos-mesh.org/v1alpha1" || u.GetKind() != tc.wantKind {
				t.Errorf("apiVersion, kind = %s, %s; want chaos-mesh.org/v1alpha1, %s", u.GetAPIVersion(), u.GetKind(), tc.wantKind)
			}
			got := metav1.ObjectMeta{Name: u.GetName(), Namespace: u.GetNamespace(), Labels: u.GetLabels(), Annotations: u.GetAnnotations(),
				UID: u.GetUID(), ResourceVersion: u.GetResourceVersion()}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("metadata (-want +got):\n%s", diff)
			}
			if _, ok := u.Object["status"]; ok {
				t.Errorf("the rendered object has a status: %v", u.Object["status"])
			}
			spec, _ := u.Object["spec"].(map[string]any)
			if d, _ := spec["duration"].(string); d != tc.wantDuration {
				t.Errorf("spec.duration = %q, want %q", d, tc.wantDuration)
			}
			// The rendered object decodes back into the Go type, with the
			// fault's spec.
			typed := before.DeepCopyObject()
			if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.Object, typed, true); err != nil {
				t.Errorf("the rendered object does not decode strictly into %T: %v", typed, err)
			}
		})
	}
}

// TestRenderRefuses checks that Render refuses what Validate refuses.
func TestRenderRefuses(t *testing.T) {
	tests := map[string]struct {
		fault experiments.Fault
		want  string
	}{
		"NodeChaos": {
			fault: experiments.Fault{Name: "node-down", Object: &experiments.NodeChaos{Spec: experiments.NodeChaosSpec{
				Action: experiments.NodeNotReadyAction, Mode: chaosv1alpha1.AllMode,
				Selector: experiments.NodeSelectorSpec{Nodes: []string{"kwok-node-0"}},
			}}},
			want: "fault.nodeChaos: Unsupported value: \"NodeChaos\": Chaos Mesh has no fault",
		},
		"a duration the fault's for contradicts": {
			fault: experiments.Fault{Name: "short", For: time.Minute, Object: podChaos(func(o *chaosv1alpha1.PodChaos) { o.Spec.Duration = ptr.To("30s") })},
			want:  "fault.podChaos.spec.duration: Invalid value: \"30s\": conflicts with the fault's for (1m0s)",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			u, err := chaosmesh.Render(tc.fault, "")
			if err == nil {
				t.Fatalf("Render returned %v, want an error", u)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}
