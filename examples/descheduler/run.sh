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
# assertion, 2 could not be carried out.
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
log=$root/$out/descheduler.log
: >"$log"
# The harness runs this through sh -c with KUBECONFIG set to a token for the
# remediator's ServiceAccount. Leader election is off by default
# (--leader-elect=false); --secure-port 0 serves no HTTPS, so no metrics
# either: the descheduler cannot serve them over plain HTTP on
# INTERLOCK_METRICS_ADDR. Its log is kept in $out/descheduler.log.
remediator=$(printf '%q --policy-config-file %q --client-connection-kubeconfig "$KUBECONFIG" --descheduling-interval %q --secure-port 0 --v 2 2>&1 | tee -a %q' \
  "$descheduler" "$root/$here/policy.yaml" "$interval" "$log")

exec "$interlock" scenario run "$scenario" \
  --remediator-cmd "$remediator" \
  --safety-case "$here/safety-case.yaml" \
  --rbac "$here/rbac.yaml" \
  --out "$out" \
  "$@"
