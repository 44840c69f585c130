#!/usr/bin/env bash
# Compares builds (or settings) in alternating bench.sh runs, one line per run: ACCEPT logins/s, p99, p99.9, and each
# process's CPU per login, also as a multiple of wrk's. wrk's work per request does not depend on Jeton, so the
# multiples show a change of a few per cent that the VM's minute-to-minute speed swings hide in the raw figures.
#   loadtest/compare.sh ROUNDS JAR_A JAR_B [JAR_C ...]         e.g. loadtest/compare.sh 3 /tmp/before.jar /tmp/after.jar
#   USERS (default 260000), CONNECTIONS (64) and DURATION (seconds, 10) set the runs; bench.sh's variables pass
#   through. (Not SECONDS: bash keeps that one as the seconds since the shell started.)
#   A JAR given as "-" is target/jeton.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=$1; shift
for _ in $(seq "$rounds"); do
  for jar in "$@"; do
    [ "$jar" = "-" ] && jar=target/jeton.jar
    out=$(JAR=$jar loadtest/bench.sh "${USERS:-260000}" "${CONNECTIONS:-64}" "${DURATION:-10}" 2>&1 | tail -6) || true
    python3 - "$jar" "$out" <<'PY'
import re, sys
jar, out = sys.argv[1], sys.argv[2]
def find(pattern):
    m = re.search(pattern, out)
    if not m:
        sys.exit("no figures from bench.sh for %s:\n%s" % (jar, out))
    return m.groups()
acc, non2xx, p99, p999 = find(r"accept_per_s=(\d+) \(non-2xx (\d+).* p99=([\d.]+)ms p99\.9=([\d.]+)ms")
jeton, redis, wrk = map(float, find(r"jeton ([\d.]+), redis ([\d.]+), wrk ([\d.]+)"))
print("%-28s logins/s %6s (non-2xx %s)  p99 %6s ms  p99.9 %6s ms  CPU/login jeton %5.1f redis %5.1f wrk %5.1f us"
      "  (x wrk: jeton %.2f redis %.2f)" % (jar[-28:], acc, non2xx, p99, p999, jeton, redis, wrk, jeton / wrk, redis / wrk),
      flush=True)
PY
  done
done
