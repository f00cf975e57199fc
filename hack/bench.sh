#!/usr/bin/env bash
# Benchmarks (make bench): the Go benchmarks of the harness and the policy,
# cluster up against bare kwokctl, and the built-in remediator as the
# cluster grows (hack/benchscale). Every measurement holds the heavy-work
# lock, and only while it measures; the report goes to _output/bench.md,
# the raw results and the remediator's profiles to _output/bench/.
#
#   RUNS=3 COUNT=3 SAMPLES=30 STORM_RUNS=1 SIZES=100x1000,100x10000,1000x1000,1000x10000 ./hack/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
lock=${LOCK:-/tmp/interlock-heavy.lock}
out=_output/bench
mkdir -p "$out"
go build -o bin/interlock ./cmd/interlock

# The harness's own cost and the policy decision: test binaries built
# first, outside the lock, then run under it.
pkgs=(./harness/ledger ./harness/observe ./harness/run ./harness/scorecard/render ./remediator/policy)
: >"$out/gobench.txt"
for pkg in "${pkgs[@]}"; do
  bin="$out/$(basename "$pkg").test"
  go test -c -o "$bin" "$pkg"
  flock "$lock" "$bin" -test.run '^$' -test.bench . -test.benchmem -test.count "${COUNT:-3}" | tee -a "$out/gobench.txt"
done

# Cluster up against bare kwokctl.
flock "$lock" go run ./hack/benchup --runs "${RUNS:-3}" | tee "$out/clusterup.md"

# The remediator at each size; benchscale takes the lock for each size and
# each scenario run itself, and writes the report with everything above.
go run ./hack/benchscale -lock "$lock" -out "$out" -report _output/bench.md \
  -sizes "${SIZES:-100x1000,100x10000,1000x1000,1000x10000}" -samples "${SAMPLES:-30}" \
  -storm-runs "${STORM_RUNS:-1}" -clusterup "$out/clusterup.md" -gobench "$out/gobench.txt" ${BEFORE:+-before "$BEFORE"}
echo "Report written to _output/bench.md"
