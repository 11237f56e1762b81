#!/usr/bin/env bash
# Runs bpftrace's own runtime test cases (../shared/bpftrace/tests) with a tool and prints one line per case:
#   scripts/bpftrace-cases.sh bpf4j    [JOBS] [REGEX]   # bpf4j trace (builds the jar first if needed)
#   scripts/bpftrace-cases.sh bpftrace [JOBS] [REGEX]   # Debian's bpftrace 0.17, the oracle
# REGEX selects cases by "file:name". The runner is the test tree's CaseRunner, run from source.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
. "$here/scripts/env.sh"
bpf4j_find_jdk
which="${1:-bpf4j}"; shift || true
case "$which" in
  bpf4j) tool="$here/scripts/bpftrace"; "$here/bpf4j" --version >/dev/null ;;
  bpftrace) tool="$(command -v bpftrace)" ;;
  *) tool="$which" ;;
esac
src="$here/src/test/java/org/bpf4j/lang/cases"
exec "$JAVA" -Dbpf4j.shared="${BPF4J_SHARED:-$here/../shared}" -Dbpf4j.testsrc="$here/src/test/resources/lang" \
  -cp "$here/src/test/resources" "$src/CaseRunner.java" "$tool" "${1:-2}" "${2:-}"
