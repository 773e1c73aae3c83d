# Shared by bin/jstrato and bin/mvn: find a JDK >= 25 without starting a JVM.
# A JDK's `release` file names its version; the default java on these machines is 17, so never trust PATH alone.
# Bash builtins only (no sed/readlink per candidate): this runs on every VMM start.

# Sets JSTRATO_MAJOR to the feature version of the JDK at $1 (0 when it is not a JDK).
jstrato_jdk_major() {
  local line
  JSTRATO_MAJOR=0
  [ -r "$1/release" ] || return 0
  while IFS= read -r line; do
    case "$line" in
      JAVA_VERSION=\"*)
        line=${line#JAVA_VERSION=\"}
        line=${line%%[.\"]*}
        [[ "$line" =~ ^[0-9]+$ ]] && JSTRATO_MAJOR=$line
        return 0 ;;
    esac
  done <"$1/release"
}

# Prints the JAVA_HOME to use, or one error line and returns 1. $JAVA_HOME wins when it is new enough;
# otherwise the newest JDK under /usr/lib/jvm, then the one behind `java` on PATH.
jstrato_find_jdk() {
  local want=25 best="" best_major=0 c
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    jstrato_jdk_major "$JAVA_HOME"
    if [ "$JSTRATO_MAJOR" -ge "$want" ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  for c in /usr/lib/jvm/*; do
    [ -x "$c/bin/java" ] || continue
    jstrato_jdk_major "$c"
    if [ "$JSTRATO_MAJOR" -gt "$best_major" ]; then best="$c"; best_major=$JSTRATO_MAJOR; fi
  done
  if [ "$best_major" -lt "$want" ] && command -v java >/dev/null 2>&1; then
    c="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
    jstrato_jdk_major "$c"
    if [ "$JSTRATO_MAJOR" -gt "$best_major" ]; then best="$c"; best_major=$JSTRATO_MAJOR; fi
  fi
  if [ "$best_major" -lt "$want" ]; then
    echo "jstrato: error: no JDK $want or newer found (looked at \$JAVA_HOME, /usr/lib/jvm and PATH); install one, e.g. Temurin 25 (apt-get install temurin-25-jdk), or set JAVA_HOME" >&2
    return 1
  fi
  echo "$best"
}
