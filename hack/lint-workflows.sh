#!/usr/bin/env bash
# lint-workflows.sh builds the pinned actionlint (hack/tools/lint/go.mod) into
# ./bin and checks every workflow under .github/workflows: syntax, expressions,
# action inputs and runner labels. actionlint also runs shellcheck on the run:
# scripts when shellcheck is on PATH (apt-get install shellcheck), and so
# does this script on hack/*.sh.
set -o errexit -o nounset -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"

mkdir -p bin
go build -C hack/tools/lint -o "${ROOT}/bin/actionlint" github.com/rhysd/actionlint/cmd/actionlint
bin/actionlint "$@"
echo "actionlint: .github/workflows are clean" >&2

if command -v shellcheck >/dev/null 2>&1; then
	shellcheck hack/*.sh
	echo "shellcheck: hack/*.sh are clean" >&2
else
	echo "shellcheck not found: skipped the shell scripts" >&2
fi
