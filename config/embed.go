package config

import (
	"embed"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/interlock-dev/interlock/internal/crds"
)

// crdFS holds the CRDs that hack/generate.sh writes with controller-gen.
//
//go:embed crd/bases/*.yaml
var crdFS embed.FS

// crdDir is the directory of crdFS that holds the CRDs.
const crdDir = "crd/bases"

// CRDFiles returns the embedded CRD manifests by file name, as generated.
func CRDFiles() (map[string][]byte, error) {
	return crds.Files(crdFS, crdDir)
}

// CRDs returns interlock's CustomResourceDefinitions, decoded from the
// embedded manifests and sorted by name, ready to be created on a cluster.
// Each call returns fresh objects that the caller may modify.
func CRDs() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	return crds.Decode(crdFS, crdDir)
}
