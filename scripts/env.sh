# Sourced by ./bpf4j and ./test: finds a JDK >= 25 and Maven, installing Maven from Debian when root.
# Sets JAVA_HOME, JAVA and MVN. Messages go to stderr.

bpf4j_java_feature() { # the feature release of the JDK at $1: from its release file (no JVM start), else from java
  local v
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null | head -n1)
  [ -n "$v" ] || v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1)
  echo "${v:-0}"
}

bpf4j_find_jdk() {
  local candidates=() c v
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for c in /usr/lib/jvm/*; do [ -d "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    v=$(bpf4j_java_feature "$c")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then JAVA_HOME="$c"; JAVA="$c/bin/java"; export JAVA_HOME; return 0; fi
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
