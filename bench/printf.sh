#!/usr/bin/env bash
# JMH: nanoseconds per printf event, bpf4j trace's byte formatter against the general String path (PrintfBench):
#   bench/printf.sh                 # both formats, both paths; extra arguments go to JMH, as bench/vm.sh's
exec "$(dirname "${BASH_SOURCE[0]}")/vm.sh" "${@:-PrintfBench}"
