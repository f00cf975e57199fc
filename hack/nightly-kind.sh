#!/usr/bin/env bash
# nightly-kind.sh runs interlock's nightly tier on kind, where a Docker
# engine runs (the nightly CI workflow; a laptop with Docker):
#
#   1. checks for docker (running), kind, helm and kubectl, and exits 2 if
#      one is missing;
#   2. builds bin/interlock and the remediator image, interlock-remediator:dev;
#   3. deploys the way a team would, on a kind cluster made from
#      kind-config.yaml: loads the image, applies config/default, installs
#      Chaos Mesh with helm, and checks that the remediator runs and that
#      the API server's audit log reaches this machine; then deletes that
#      cluster (--keep-cluster keeps it);
#   4. runs the scenarios with `interlock nightly --provider kind`, which
#      brings up a kind cluster of its own for each run.
#
# Usage: hack/nightly-kind.sh [--shard I/N] [--out DIR] [--keep-cluster] [--skip-deploy]
# Exit codes: 2 when a prerequisite is missing; otherwise interlock nightly's.
set -o errexit -o nounset -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

# Pins; harness/cluster's TestKind* tests keep them equal to the Go constants.
IMAGE=interlock-remediator:dev
KIND_VERSION=v0.33.0 # go install sigs.k8s.io/kind@v0.33.0
CHAOS_MESH_VERSION=2.8.2
CHAOS_MESH_REPO=https://charts.chaos-mesh.org
CHAOS_MESH_VALUES=hack/kind/chaos-mesh-values.yaml

CLUSTER="${KIND_CLUSTER:-interlock}"
PARALLEL="${PARALLEL:-1}"
OUT=_output/nightly-kind
SHARD=""
KEEP=0
DEPLOY=1

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case "$1" in
	--shard) SHARD="${2:?--shard needs I/N}"; shift 2 ;;
	--out) OUT="${2:?--out needs a directory}"; shift 2 ;;
	--keep-cluster) KEEP=1; shift ;;
	--skip-deploy) DEPLOY=0; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "nightly-kind: unknown argument $1" >&2; usage >&2; exit 2 ;;
	esac
done

log() { echo "== nightly-kind: $*" >&2; }

# 1. Prerequisites, all reported at once.
missing=0
need() {
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "nightly-kind: $1 not found on PATH: $2" >&2
		missing=1
	fi
}
need docker "install Docker Engine and start it (the embedded provider needs none: make nightly)"
need kind "go install sigs.k8s.io/kind@${KIND_VERSION}"
need helm "install Helm 3 (go install helm.sh/helm/v3/cmd/helm@v3.22.0)"
need kubectl "install kubectl, or put the one 'interlock tools build' makes on PATH"
need go "install Go 1.26"
if [ "${missing}" = 1 ]; then
	exit 2
fi
if ! docker info >/dev/null 2>&1; then
	echo "nightly-kind: 'docker info' failed: the Docker engine is not running or not reachable (the embedded provider needs none: make nightly)" >&2
	exit 2
fi

# 2. The interlock binary and the remediator image.
log "building bin/interlock and ${IMAGE}"
go build -o bin/interlock ./cmd/interlock
docker build --tag "${IMAGE}" .

# 3. Deploy as a team would, and check it.
deploy() {
	local kubeconfig="_output/${CLUSTER}.kubeconfig"
	local audit=_output/kind-audit
	# kind-config.yaml mounts the audit policy from harness/cluster and the
	# log directory from here. The API server appends to an audit log that
	# exists and keeps its mode when it rotates it; one it made would be
	# root's alone.
	mkdir -p "${audit}"
	: >"${audit}/audit.log"
	chmod 0644 "${audit}/audit.log"

	log "creating kind cluster ${CLUSTER} from kind-config.yaml"
	kind create cluster --name "${CLUSTER}" --config kind-config.yaml --kubeconfig "${kubeconfig}" --wait 3m
	if [ "${KEEP}" = 0 ]; then
		trap 'kind delete cluster --name "${CLUSTER}" >/dev/null 2>&1 || true' EXIT
	fi
	export KUBECONFIG="${ROOT}/${kubeconfig}"

	log "loading ${IMAGE} and applying config/default"
	kind load docker-image "${IMAGE}" --name "${CLUSTER}"
	kubectl apply --kustomize config/default
	kubectl --namespace interlock-system rollout status deployment/interlock-remediator --timeout 3m

	log "installing Chaos Mesh ${CHAOS_MESH_VERSION}"
	helm upgrade --install chaos-mesh chaos-mesh --repo "${CHAOS_MESH_REPO}" \
		--version "${CHAOS_MESH_VERSION}" --namespace chaos-mesh --create-namespace \
		--values "${CHAOS_MESH_VALUES}" --kubeconfig "${KUBECONFIG}" --wait --timeout 10m
	kubectl --namespace chaos-mesh get pods

	if [ ! -s "${audit}/audit.log" ]; then
		echo "nightly-kind: the API server's audit log ${audit}/audit.log is empty: the ledger would see nothing" >&2
		return 1
	fi
	log "audit log on the host: $(wc -l <"${audit}/audit.log") events in ${audit}/audit.log"

	if [ "${KEEP}" = 0 ]; then
		log "deleting kind cluster ${CLUSTER}"
		kind delete cluster --name "${CLUSTER}"
		trap - EXIT
	else
		log "kept kind cluster ${CLUSTER}; KUBECONFIG=${KUBECONFIG}"
	fi
}
if [ "${DEPLOY}" = 1 ]; then
	deploy
fi

# 4. The scenarios.
args=(nightly --provider kind --parallel "${PARALLEL}" --out "${OUT}")
if [ -n "${SHARD}" ]; then
	args+=(--shard "${SHARD}")
fi
log "running: bin/interlock ${args[*]}"
exec bin/interlock "${args[@]}"
