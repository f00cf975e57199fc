package v1alpha1_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/interlock-dev/interlock/api/v1alpha1"
)

// crdDir is where hack/generate.sh writes the CRDs; hack/verify-generate.sh
// checks that they are up to date with the types.
const crdDir = "../../config/crd/bases"

func loadCRDs(t *testing.T) map[string]*apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(crdDir, "*.yaml"))
	if err != nil {
		t.Fatalf("failed to list CRDs: %v", err)
	}
	if len(paths) == 0 {
		t.Fatalf("no CRDs in %s: run hack/generate.sh", crdDir)
	}
	byKind := map[string]*apiextensionsv1.CustomResourceDefinition{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("failed to read %s: %v", p, err)
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(data, crd); err != nil {
			t.Fatalf("failed to decode %s: %v", p, err)
		}
		if crd.Spec.Group != v1alpha1.GroupVersion.Group {
			t.Errorf("%s: group is %q, want %q", p, crd.Spec.Group, v1alpha1.GroupVersion.Group)
		}
		if want := crd.Spec.Names.Plural + "." + v1alpha1.GroupVersion.Group; crd.Name != want {
			t.Errorf("%s: name is %q, want %q", p, crd.Name, want)
		}
		if prev, ok := byKind[crd.Spec.Names.Kind]; ok {
			t.Errorf("%s: kind %s is also defined by %s", p, crd.Spec.Names.Kind, prev.Name)
		}
		byKind[crd.Spec.Names.Kind] = crd
	}
	return byKind
}

func TestCRDs(t *testing.T) {
	crds := loadCRDs(t)
	tests := map[string]struct {
		kind   string
		status bool
	}{
		"Automation has a status subresource": {
			kind:   "Automation",
			status: true,
		},
		"SafetyCase is spec only": {
			kind:   "SafetyCase",
			status: false,
		},
		"RemediationProposal has a status subresource": {
			kind:   "RemediationProposal",
			status: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			crd, ok := crds[tc.kind]
			if !ok {
				t.Fatalf("no CRD for kind %s in %s", tc.kind, crdDir)
			}
			if crd.Spec.Scope != apiextensionsv1.NamespaceScoped {
				t.Errorf("scope is %q, want %q", crd.Spec.Scope, apiextensionsv1.NamespaceScoped)
			}
			var version *apiextensionsv1.CustomResourceDefinitionVersion
			for i := range crd.Spec.Versions {
				if crd.Spec.Versions[i].Name == v1alpha1.GroupVersion.Version {
					version = &crd.Spec.Versions[i]
				}
			}
			if version == nil {
				t.Fatalf("no version %s", v1alpha1.GroupVersion.Version)
			}
			if !version.Served || !version.Storage {
				t.Errorf("version %s: served=%t storage=%t, want both true", version.Name, version.Served, version.Storage)
			}
			if version.Schema == nil || version.Schema.OpenAPIV3Schema == nil {
				t.Fatalf("version %s has no schema", version.Name)
			}
			if _, ok := version.Schema.OpenAPIV3Schema.Properties["spec"]; !ok {
				t.Errorf("schema has no spec")
			}
			hasStatus := version.Subresources != nil && version.Subresources.Status != nil
			if hasStatus != tc.status {
				t.Errorf("status subresource: got %t, want %t", hasStatus, tc.status)
			}
		})
	}
}

// TestCRDsMatchScheme checks that every kind registered in the scheme has a
// CRD and every CRD a registered kind.
func TestCRDsMatchScheme(t *testing.T) {
	crds := loadCRDs(t)
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		t.Fatalf("failed to add types to scheme: %v", err)
	}
	kinds := scheme.KnownTypes(v1alpha1.GroupVersion)
	for kind := range crds {
		if _, ok := kinds[kind]; !ok {
			t.Errorf("CRD for kind %s has no type in the scheme", kind)
		}
		if _, ok := kinds[kind+"List"]; !ok {
			t.Errorf("CRD for kind %s has no list type in the scheme", kind)
		}
	}
	pkg := reflect.TypeFor[v1alpha1.Automation]().PkgPath()
	for kind, typ := range kinds {
		if typ.PkgPath() != pkg || strings.HasSuffix(kind, "List") {
			continue // meta types such as WatchEvent, and lists
		}
		if _, ok := crds[kind]; !ok {
			t.Errorf("kind %s is in the scheme but has no CRD", kind)
		}
	}
}
