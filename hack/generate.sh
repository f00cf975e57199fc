#!/usr/bin/env bash
# generate.sh builds the pinned controller-gen into ./bin and regenerates:
#   api/v1alpha1/zz_generated.deepcopy.go   deep-copy methods
#   config/crd/bases/*.yaml                 CustomResourceDefinitions
#   config/rbac/role.yaml                   the remediator's ClusterRole, from
#                                           +kubebuilder:rbac markers (skipped
#                                           while there are none)
# controller-gen's version is pinned by hack/tools/codegen/go.mod.
set -o errexit -o nounset -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

BIN="${ROOT}/bin"
CONTROLLER_GEN="${BIN}/controller-gen"

mkdir -p "${BIN}"
echo "Building controller-gen from hack/tools/codegen ..." >&2
go build -C hack/tools/codegen -o "${CONTROLLER_GEN}" sigs.k8s.io/controller-tools/cmd/controller-gen

echo "Generating deep-copy methods ..." >&2
"${CONTROLLER_GEN}" object paths=./api/...

echo "Generating CRDs into config/crd/bases ..." >&2
rm -f config/crd/bases/*.yaml
"${CONTROLLER_GEN}" crd paths=./api/... output:crd:artifacts:config=config/crd/bases

if grep -rqs --include='*.go' '+kubebuilder:rbac' remediator/; then
	echo "Generating RBAC into config/rbac ..." >&2
	"${CONTROLLER_GEN}" rbac:roleName=interlock-remediator paths=./remediator/... output:rbac:artifacts:config=config/rbac
else
	echo "No +kubebuilder:rbac markers under remediator/: skipping RBAC" >&2
fi
"${ROOT}/hack/generate-chaosmesh-crds.sh"

echo "Generating the scenario and safety-case references into docs/ ..." >&2
(cd "${ROOT}" && go run ./hack/gendocs >&2)
