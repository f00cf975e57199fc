#!/usr/bin/env bash
# generate-chaosmesh-crds.sh regenerates experiments/chaosmesh/crds/*.yaml:
# the CustomResourceDefinitions of the Chaos Mesh kinds the chaosmesh
# injector renders, generated with the pinned controller-gen from the Go
# types of github.com/chaos-mesh/chaos-mesh/api/v1alpha1 at the version
# go.mod requires. controller-gen's version is pinned by
# hack/tools/codegen/go.mod.
set -o errexit -o nounset -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

BIN="${ROOT}/bin"
CONTROLLER_GEN="${BIN}/controller-gen"
OUT="experiments/chaosmesh/crds"
# The kinds the injector renders (experiments/chaosmesh.Kinds), by the
# plural controller-gen names their files after.
KINDS=(podchaos httpchaos timechaos networkchaos stresschaos)

mkdir -p "${BIN}"
echo "Building controller-gen from hack/tools/codegen ..." >&2
go build -C hack/tools/codegen -o "${CONTROLLER_GEN}" sigs.k8s.io/controller-tools/cmd/controller-gen

# The package's directory in the module cache, downloading it if needed.
go mod download github.com/chaos-mesh/chaos-mesh/api
API_DIR="$(go list -f '{{.Dir}}' github.com/chaos-mesh/chaos-mesh/api/v1alpha1)"

# controller-gen writes a CRD for every kind of the package; keep ours.
TMP="$(mktemp -d)"
trap 'rm -rf "${TMP}"' EXIT
echo "Generating Chaos Mesh CRDs from ${API_DIR} ..." >&2
"${CONTROLLER_GEN}" crd paths="${API_DIR}" output:crd:artifacts:config="${TMP}"

rm -f "${OUT}"/*.yaml
mkdir -p "${OUT}"
for kind in "${KINDS[@]}"; do
	cp "${TMP}/chaos-mesh.org_${kind}.yaml" "${OUT}/"
done
