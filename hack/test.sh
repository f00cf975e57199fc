#!/usr/bin/env bash
# The two tiers of `make test` (docs/test-suite.md):
#
#   hack/test.sh unit   every test that needs no cluster: unit, golden, fuzz
#                       seeds and examples, in every package, with -short; a
#                       test that starts a cluster skips itself under -short
#                       (internal/testcluster does it for the tests that share
#                       one). Needs no cluster component.
#   hack/test.sh e2e    the packages whose tests start embedded clusters:
#                       test/e2e (its TestMain starts the shared cluster) and
#                       every package with a test that skips under -short, run
#                       in full. Needs the cluster components (make tools).
#   hack/test.sh list   print the e2e packages.
#
# Environment: GO (go), GOTEST_TIMEOUT (60m), E2E_PARALLEL (4, go test's
# -parallel for the e2e tier), GOTEST_FLAGS (extra go test flags, such as
# -json or -run).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
module=$($GO list -m)

# e2e_packages prints the packages whose tests start a cluster: test/e2e,
# and those with a _test.go file that asks testing.Short() or shares a
# cluster through internal/testcluster.
e2e_packages() {
  {
    echo "$module/test/e2e"
    git ls-files '*_test.go' |
      xargs grep -l -e 'testing\.Short()' -e 'testcluster\.Shared{' |
      grep -v '^test/e2e/' |
      xargs -r -n1 dirname | sed "s|^|$module/|"
  } | sort -u
}

case "${1:-}" in
unit)
  # shellcheck disable=SC2046,SC2086
  exec $GO test -short -count=1 ${GOTEST_FLAGS:-} $($GO list ./... | grep -v -x -e "$module/test/e2e")
  ;;
e2e)
  # shellcheck disable=SC2046,SC2086
  exec $GO test -count=1 -timeout "${GOTEST_TIMEOUT:-60m}" -parallel "${E2E_PARALLEL:-4}" ${GOTEST_FLAGS:-} $(e2e_packages)
  ;;
list)
  e2e_packages
  ;;
*)
  echo "usage: $0 unit|e2e|list" >&2
  exit 2
  ;;
esac
