# Shared by bin/jstrato and bin/mvn: find a JDK >= 25 without starting a JVM.
# A JDK's `release` file names its version; the default java on these machines is 17, so never trust PATH alone.

jstrato_jdk_major() {
  local v
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null)
  echo "${v:-0}"
}

# Prints the JAVA_HOME to use, or one error line and returns 1.
jstrato_find_jdk() {
  local want=25 best="" best_major=0 c m
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for c in /usr/lib/jvm/*; do [ -d "$c" ] && candidates+=("$c"); done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] || continue
    m=$(jstrato_jdk_major "$c")
    # $JAVA_HOME wins when it is new enough; otherwise the newest JDK found.
    if [ "$c" = "${JAVA_HOME:-}" ] && [ "$m" -ge "$want" ]; then best="$c"; break; fi
    if [ "$m" -gt "$best_major" ]; then best="$c"; best_major=$m; fi
  done
  if [ -z "$best" ] || [ "$(jstrato_jdk_major "$best")" -lt "$want" ]; then
    echo "jstrato: error: no JDK $want or newer found (looked at \$JAVA_HOME and /usr/lib/jvm); install one, e.g. Temurin 25 (apt-get install temurin-25-jdk), or set JAVA_HOME" >&2
    return 1
  fi
  echo "$best"
}
