#!/usr/bin/env bash
# JMH benchmarks: the userspace VM side by side with the kernel (run as root for the kernel side), and the printf
# formatter (PrintfBench, bench/printf.sh):
#   bench/vm.sh                 # all: VmBench (ns per run: interpreter, JIT, kernel JIT) and VerifierBench
#   bench/vm.sh VmBench -p program=alu
# Extra arguments go to JMH; BENCH_OPTS replaces the default iteration settings. Results: target/bench-vm.json.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/scripts/env.sh"
bpf4j_find_jdk
bpf4j_find_maven
cd "$here"
mvn -B -q -Pbench -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "target/classes:target/bench-classes:$(cat target/bench.classpath)" \
    org.openjdk.jmh.Main ${BENCH_OPTS:--f 1 -wi 3 -w 1s -i 5 -r 1s} -jvmArgs --enable-native-access=ALL-UNNAMED \
    -rf json -rff target/bench-vm.json "${@:-org.bpf4j.bench.(Vm|Verifier)Bench}"
