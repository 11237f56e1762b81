# Sourced by ./bpf4j and ./test: finds a JDK >= 25 and Maven, installing Maven from Debian when root.
# Sets JAVA_HOME, JAVA and MVN. Messages go to stderr.

bpf4j_java_feature() { # sets feature to the release of the JDK at $1: from its release file (no JVM start), else from java
  local v= line
  if [ -r "$1/release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_VERSION=*) v="${line#JAVA_VERSION=\"}"; v="${v%%[!0-9]*}"; break ;; esac
    done <"$1/release"
  fi
  [ -n "$v" ] || v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1)
  feature="${v:-0}"
}

bpf4j_find_jdk() {
  local candidates=() c feature
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for c in /usr/lib/jvm/*; do [ -d "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    bpf4j_java_feature "$c"
    if [ "$feature" -ge 25 ]; then JAVA_HOME="$c"; JAVA="$c/bin/java"; export JAVA_HOME; return 0; fi
  done
  echo "bpf4j: needs a JDK 25 or newer (none in JAVA_HOME or /usr/lib/jvm)." >&2
  echo "bpf4j: install one, e.g. Eclipse Temurin 25 (https://adoptium.net), then set JAVA_HOME to it." >&2
  return 1
}

bpf4j_find_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "bpf4j: installing Maven (apt-get install maven)..." >&2
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven; } >&2 || true
    fi
    command -v mvn >/dev/null 2>&1 || { echo "bpf4j: needs Apache Maven to build: install the 'maven' package." >&2; return 1; }
  fi
  MVN=(mvn -B -q)
  # Maven 3.8's Guice calls sun.misc.Unsafe, which JDK 25 warns about on every run.
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
}

# The tests' oracles and test programs, never runtime dependencies: Debian's bpftool, readelf (binutils), python3
# (USDT probes), clang (accepts the vmlinux.h `bpf4j btf dump ... format c` writes), and cc with sys/sdt.h
# (systemtap-sdt-dev) to build the stand-ins for bpftrace's test programs. Installed when root and missing.
bpf4j_test_tools() {
  local need=()
  command -v bpftool >/dev/null 2>&1 || [ -x /usr/sbin/bpftool ] || need+=(bpftool)
  [ -x /usr/bin/readelf ] || need+=(binutils)
  [ -x /usr/bin/python3 ] || need+=(python3)
  [ -x /usr/bin/clang ] || need+=(clang)
  [ -x /usr/bin/clang-19 ] || need+=(clang-19)
  [ -e /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
  command -v cc >/dev/null 2>&1 || need+=(gcc)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)   # profile's flame graph, rendered headless
  [ -x /usr/sbin/mkfs.ext4 ] || [ -x /sbin/mkfs.ext4 ] || need+=(e2fsprogs)   # ext4slower's test, where no ext4 is mounted
  [ -e /usr/include/sys/sdt.h ] || [ -e /usr/include/x86_64-linux-gnu/sys/sdt.h ] || need+=(systemtap-sdt-dev)
  command -v ping >/dev/null 2>&1 || need+=(iputils-ping)   # v0.26's kfree_skb case pings localhost
  [ -x /usr/bin/openssl ] || need+=(openssl)   # the v0.26 ssl tools' test: a certificate for a local TLS handshake
  if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bpf4j: installing the tests' tools (apt-get install ${need[*]})..." >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >&2 || true
  fi
  # the exporter's tests scrape it with Prometheus's server and lint its output with promtool (no node exporter)
  if ! [ -x /usr/bin/prometheus ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bpf4j: installing the tests' tools (apt-get install prometheus)..." >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus; } >&2 || true
  fi
}

# Whether the jar is whole and of the current sources: target/bpf4j.built is touched once a build has finished
# writing the jar, so a jar Maven rewrote after it (a build that was killed mid-way) does not count, and no
# source may be newer than it.
bpf4j_built_fresh() {
  local t="$1/target"
  [ -f "$t/bpf4j.jar" ] && [ -f "$t/bpf4j.built" ] && [ ! "$t/bpf4j.jar" -nt "$t/bpf4j.built" ] \
    && [ -z "$(find "$1/src/main" "$1/pom.xml" -newer "$t/bpf4j.built" -print -quit 2>/dev/null)" ]
}

# mvn package in $1 with the other arguments; target/bpf4j.built once it has succeeded.
bpf4j_build() {
  local dir="$1"; shift
  (cd "$dir" && "${MVN[@]}" package "$@") && touch "$dir/target/bpf4j.built"
}
