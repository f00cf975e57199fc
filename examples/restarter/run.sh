#!/usr/bin/env bash
# Grade examples/restarter, the worked example of
# docs/remediator-contract.md, with interlock: build it, then run the storm
# scenario with it as the remediator, its own safety case and its own RBAC.
#
#   examples/restarter/run.sh [extra flags for 'interlock scenario run']
#
# Environment: INTERLOCK (default bin/interlock), SCENARIO (default storm),
# OUT (default _output/restarter), RESTARTER_ARGS (flags for the restarter
# itself, such as --budget 8).
# Exit code: that of 'interlock scenario run': 0 passed, 1 failed an
# assertion, 2 could not be carried out. The restarter's own log is kept in
# $OUT/restarter.log.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
interlock=${INTERLOCK:-bin/interlock}
scenario=${SCENARIO:-storm}
out=${OUT:-_output/restarter}
here=examples/restarter

if [[ ! -x $interlock ]]; then
  echo "run.sh: $interlock is not built: run 'make build' first" >&2
  exit 2
fi

mkdir -p "$out"
# When interlock runs as root it runs the remediator as nobody (uid 65534),
# who may not enter the checkout: build into a directory any user can read,
# and keep the log in $out afterwards.
stage=$(mktemp -d "${TMPDIR:-/tmp}/interlock-restarter-XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"
go build -o "$stage/restarter" "./$here"
install -m 0666 /dev/null "$stage/restarter.log"

# The harness runs this through sh -c with KUBECONFIG, INTERLOCK_PAGE_URL,
# INTERLOCK_METRICS_ADDR and INTERLOCK_NAMESPACE set, and nothing else but
# PATH and HOME; the restarter reads them itself.
read -r -a restarter_args <<<"${RESTARTER_ARGS:-}"
remediator=$(printf '%q' "$stage/restarter")
if ((${#restarter_args[@]})); then
  remediator+=$(printf ' %q' "${restarter_args[@]}")
fi
remediator+=$(printf ' 2>&1 | tee -a %q' "$stage/restarter.log")

code=0
"$interlock" scenario run "$scenario" \
  --remediator-cmd "$remediator" \
  --safety-case "$here/safety-case.yaml" \
  --rbac "$here/rbac.yaml" \
  --out "$out" \
  "$@" || code=$?
cp "$stage/restarter.log" "$out/restarter.log"
echo "The restarter's log: $out/restarter.log" >&2
exit "$code"
