#!/usr/bin/env bash
# JMH: nanoseconds per printf event, bpf4j trace's byte formatter against the general String path (PrintfBench).
#   bench/printf.sh                      # both formats, both paths
# Extra arguments go to JMH; BENCH_OPTS replaces the default iteration settings. Results: target/bench-printf.json.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/scripts/env.sh"
bpf4j_find_jdk
bpf4j_find_maven
cd "$here"
mvn -B -q -Pbench -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec "$JAVA_HOME/bin/java" -cp "target/classes:target/bench-classes:$(cat target/bench.classpath)" \
    org.openjdk.jmh.Main ${BENCH_OPTS:--f 1 -wi 3 -w 1s -i 5 -r 1s} -rf json -rff target/bench-printf.json "${@:-PrintfBench}"
