#!/usr/bin/env bash
# Times bpf4j's inspection commands beside bpftool's, in one run, N rounds each, alternating the two tools so
# that both see the same machine load. Prints the median wall time of each and the ratio bpf4j / bpftool.
# Usage: bench/inspect.sh [rounds]   (root; bpftool installed)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
./bpf4j --version >/dev/null   # build the jar and the class-data archive first
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
run() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
printf '%-45s %10s %10s %7s\n' "command" "bpf4j ms" "bpftool ms" "ratio"
while IFS='|' read -r name args; do
  ours=(); theirs=()
  for _ in $(seq "$rounds"); do
    ours+=("$(run ./bpf4j $args)")
    theirs+=("$(run bpftool $args)")
  done
  o=$(printf '%s\n' "${ours[@]}" | median); t=$(printf '%s\n' "${theirs[@]}" | median)
  printf '%-45s %10s %10s %7.2f\n' "$name" "$o" "$t" "$(echo "$o / $t" | bc -l)"
done <<'LIST'
prog list|prog list
map list|map list
btf dump raw (vmlinux)|btf dump file /sys/kernel/btf/vmlinux
btf dump format c (vmlinux)|btf dump file /sys/kernel/btf/vmlinux format c
feature probe kernel|feature probe kernel
LIST
