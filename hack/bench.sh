#!/usr/bin/env bash
# Benchmarks (make bench): the Go benchmarks of the harness and the policy,
# cluster up against bare kwokctl, and the built-in remediator as the
# cluster grows (hack/benchscale). Everything is compiled first; then the
# measurements run one after the other holding the heavy-work lock once,
# so that no other run disturbs them and they wait for the lock only once.
# The report goes to _output/bench.md, the raw results and the
# remediator's profiles to _output/bench/.
#
#   RUNS=3 COUNT=3 SAMPLES=40 STORM_RUNS=3 SIZES=100x1000,100x10000,1000x1000,1000x10000 ./hack/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
lock=${LOCK:-/tmp/interlock-heavy.lock}
out=_output/bench
mkdir -p "$out"

go build -o bin/interlock ./cmd/interlock
go build -o "$out/benchup" ./hack/benchup
go build -o "$out/benchscale" ./hack/benchscale
pkgs=(./harness/ledger ./harness/observe ./harness/run ./harness/scorecard/render ./remediator/policy)
for pkg in "${pkgs[@]}"; do
  go test -c -o "$out/$(basename "$pkg").test" "$pkg"
done

echo "bench: waiting for the lock $lock" >&2
exec 9>>"$lock"
flock 9
echo "bench: lock taken at $(date -u +%H:%M:%S)" >&2

# The harness's own cost and the policy decision.
: >"$out/gobench.txt"
for pkg in "${pkgs[@]}"; do
  "$out/$(basename "$pkg").test" -test.run '^$' -test.bench . -test.benchmem -test.count "${COUNT:-3}" 9>&- | tee -a "$out/gobench.txt"
done

# Cluster up against bare kwokctl.
"$out/benchup" --runs "${RUNS:-3}" 9>&- | tee "$out/clusterup.md"

# The remediator at each size, the storm scenario's overhead, and the
# report with everything above.
"$out/benchscale" -lock "" -out "$out" -report _output/bench.md \
  -sizes "${SIZES:-100x1000,100x10000,1000x1000,1000x10000}" -samples "${SAMPLES:-40}" \
  -storm-runs "${STORM_RUNS:-3}" -clusterup "$out/clusterup.md" -gobench "$out/gobench.txt" ${BEFORE:+-before "$BEFORE"} 9>&-
flock -u 9
echo "Report written to _output/bench.md"
