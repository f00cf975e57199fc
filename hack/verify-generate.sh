#!/usr/bin/env bash
# verify-generate.sh regenerates the generated files and fails if they differ
# from what is committed (or if generation adds files git does not track).
set -o errexit -o nounset -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

GENERATED=(api/v1alpha1/zz_generated.deepcopy.go config/crd/bases config/rbac experiments/chaosmesh/crds)

"${ROOT}/hack/generate.sh"

status=0
if ! git diff --exit-code -- "${GENERATED[@]}"; then
	status=1
fi
untracked="$(git ls-files --others --exclude-standard -- "${GENERATED[@]}")"
if [[ -n "${untracked}" ]]; then
	echo "Generated files not tracked by git:" >&2
	echo "${untracked}" >&2
	status=1
fi
if [[ ${status} -ne 0 ]]; then
	echo "Generated files are out of date: run hack/generate.sh and commit the result." >&2
fi
exit ${status}
