#!/usr/bin/env bash
# The long fuzzing run: scripts/fuzz.sh [INPUTS [SEED [PARSER...]]] tries INPUTS mutated inputs (default 100000) on
# every parser a user feeds (bpftrace, stap, assembler, raw instructions, elf, btf, usdt notes, tracefs format, the exporter's YAML configs
# and scripts with directives),
# each bounded in time, and prints per parser the inputs tried, accepted and refused, and each distinct failure
# (an exception that is not a typed error, Java's wording, a StackOverflowError or OutOfMemoryError, a hang) with
# its first input, saved under target/fuzz/PARSER/INDEX.in. Copy a saved input to src/test/resources/fuzz/PARSER/
# once fixed: FuzzRegressionTest replays it. Exits 1 when anything failed. The short run is FuzzTest, in ./test.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
. "$here/scripts/env.sh"
bpf4j_find_jdk
bpf4j_find_maven
cd "$here"
"${MVN[@]}" -Dstyle.color=never test-compile >&2
# the exporter's targets need its libraries (snakeyaml-engine, the Prometheus client): the test classpath
"${MVN[@]}" -q -Dstyle.color=never dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$here/target/fuzz.classpath" >&2
# 1 MiB worker stacks as in the CLI; a bounded heap so that an input that allocates without bound shows up as an
# OutOfMemoryError rather than slowing the machine
exec "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx2g -Dbpf4j.shared="$here/../shared" \
    --add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED \
    -cp "$here/target/classes:$here/target/test-classes:$(cat "$here/target/fuzz.classpath")" org.bpf4j.fuzz.FuzzMain "$@"
