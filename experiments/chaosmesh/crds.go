package chaosmesh

import (
	"context"
	"embed"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/client-go/rest"

	"github.com/interlock-dev/interlock/internal/crds"
)

// crdFS holds the CRDs of Kinds that hack/generate-chaosmesh-crds.sh
// generates with controller-gen from the chaos-mesh api module's Go types.
//
//go:embed crds/*.yaml
var crdFS embed.FS

// crdDir is the directory of crdFS that holds the CRDs.
const crdDir = "crds"

// EstablishTimeout bounds how long InstallCRDs waits for each CRD to be
// served.
const EstablishTimeout = 30 * time.Second

// CRDFiles returns the embedded CRD manifests by file name, as generated.
func CRDFiles() (map[string][]byte, error) {
	return crds.Files(crdFS, crdDir)
}

// CRDs returns the CustomResourceDefinitions of Kinds, generated from the
// chaos-mesh api module go.mod requires, decoded and sorted by name. They
// let a cluster without Chaos Mesh check rendered objects against Chaos
// Mesh's schema (a server-side dry run); a cluster that runs Chaos Mesh has
// its own. Each call returns fresh objects that the caller may modify.
func CRDs() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	return crds.Decode(crdFS, crdDir)
}

// InstallCRDs creates the CRDs of Kinds on the cluster cfg reaches, keeping
// any that exist (such as Chaos Mesh's own), and waits until the API serves
// each, at most EstablishTimeout.
func InstallCRDs(ctx context.Context, cfg *rest.Config) error {
	all, err := CRDs()
	if err != nil {
		return err
	}
	return crds.Install(ctx, cfg, all, EstablishTimeout)
}
