#!/usr/bin/env bash
# Benchmarks: cluster up against bare kwokctl, and the policy decision.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p _output
{
  go run ./hack/benchup --runs "${RUNS:-5}"
  echo
  echo "## Policy decision"
  echo
  echo '```'
  go test -run '^$' -bench . -benchmem -count "${COUNT:-5}" ./remediator/policy/ | grep -E '^(Benchmark|goos|cpu)'
  echo '```'
} | tee _output/bench.md
echo "Report written to _output/bench.md"
