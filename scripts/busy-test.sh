#!/usr/bin/env bash
# The suite on a busy machine: ./test N times in a row (3 by default) while two CPU-bound loops run beside it,
# as many as this machine kind has cores. Stops at the first red run. Extra arguments go to ./test.
#   BPF4J_REQUIRE_KERNEL=1 scripts/busy-test.sh        # as CI runs it, three times, beside two busy loops
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${BUSY_RUNS:-3}"
loops=()
for _ in 1 2; do
  ( while :; do :; done ) &
  loops+=("$!")
done
trap 'kill "${loops[@]}" 2>/dev/null || true' EXIT
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if "$here/test" "$@"; then
    echo "busy-test: run $i of $runs green in $(( $(date +%s) - start )) s beside two busy loops" >&2
  else
    echo "busy-test: run $i of $runs failed" >&2
    exit 1
  fi
done
