package config

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// crdFS holds the CRDs that hack/generate.sh writes with controller-gen.
//
//go:embed crd/bases/*.yaml
var crdFS embed.FS

// crdDir is the directory of crdFS that holds the CRDs.
const crdDir = "crd/bases"

// CRDFiles returns the embedded CRD manifests by file name, as generated.
func CRDFiles() (map[string][]byte, error) {
	entries, err := fs.ReadDir(crdFS, crdDir)
	if err != nil {
		return nil, fmt.Errorf("failed to list embedded CRDs: %w", err)
	}
	files := make(map[string][]byte, len(entries))
	for _, e := range entries {
		data, err := fs.ReadFile(crdFS, path.Join(crdDir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("failed to read embedded CRD %s: %w", e.Name(), err)
		}
		files[e.Name()] = data
	}
	return files, nil
}

// CRDs returns interlock's CustomResourceDefinitions, decoded from the
// embedded manifests and sorted by name, ready to be created on a cluster.
// Each call returns fresh objects that the caller may modify.
func CRDs() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	files, err := CRDFiles()
	if err != nil {
		return nil, err
	}
	crds := make([]*apiextensionsv1.CustomResourceDefinition, 0, len(files))
	for name, data := range files {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(data, crd); err != nil {
			return nil, fmt.Errorf("failed to decode embedded CRD %s: %w", name, err)
		}
		crds = append(crds, crd)
	}
	sort.Slice(crds, func(i, j int) bool { return crds[i].Name < crds[j].Name })
	return crds, nil
}
