#!/usr/bin/env bash
# Grade the descheduler (sigs.k8s.io/descheduler) with interlock: build it
# through interlock's toolchain, then run the storm scenario with it as the
# remediator, its own safety case and its own RBAC. See README.md here.
#
#   examples/descheduler/run.sh [extra flags for 'interlock scenario run']
#
# Environment: INTERLOCK (default bin/interlock), SCENARIO (default storm),
# OUT (default _output/descheduler), INTERVAL (default 5s).
# Exit code: that of 'interlock scenario run': 0 passed, 1 failed an
# assertion, 2 could not be carried out. The descheduler's own log is kept
# in $OUT/descheduler.log.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
interlock=${INTERLOCK:-bin/interlock}
scenario=${SCENARIO:-storm}
out=${OUT:-_output/descheduler}
interval=${INTERVAL:-5s}
here=examples/descheduler

if [[ ! -x $interlock ]]; then
  echo "run.sh: $interlock is not built: run 'make build' first" >&2
  exit 2
fi

# Built once per version into the tools cache, like the cluster components.
"$interlock" tools build descheduler >&2
descheduler=$("$interlock" tools path descheduler)
echo "Descheduler: $descheduler ($("$descheduler" version))" >&2

mkdir -p "$out"
# When interlock runs as root it runs the remediator as nobody (uid 65534),
# who cannot enter ~/.cache: stage the binary, the policy and the log in a
# directory any user can read, and keep the log in $out afterwards.
stage=$(mktemp -d "${TMPDIR:-/tmp}/interlock-descheduler-XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"
install -m 0755 "$descheduler" "$stage/descheduler"
install -m 0644 "$here/policy.yaml" "$stage/policy.yaml"
install -m 0666 /dev/null "$stage/descheduler.log"

# The harness runs this through sh -c with KUBECONFIG set to a token for the
# remediator's ServiceAccount. Leader election is off by default
# (--leader-elect=false); --secure-port 0 serves no HTTPS, so no metrics
# either: the descheduler cannot serve them over plain HTTP on
# INTERLOCK_METRICS_ADDR.
remediator=$(printf '%q --policy-config-file %q --client-connection-kubeconfig "$KUBECONFIG" --descheduling-interval %q --secure-port 0 --v 2 2>&1 | tee -a %q' \
  "$stage/descheduler" "$stage/policy.yaml" "$interval" "$stage/descheduler.log")

code=0
"$interlock" scenario run "$scenario" \
  --remediator-cmd "$remediator" \
  --safety-case "$here/safety-case.yaml" \
  --rbac "$here/rbac.yaml" \
  --out "$out" \
  "$@" || code=$?
cp "$stage/descheduler.log" "$out/descheduler.log"
echo "The descheduler's log: $out/descheduler.log" >&2
exit "$code"
