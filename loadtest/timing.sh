#!/usr/bin/env bash
# Do unknown usernames cost the same as known ones? (issue 15, item 4.) Builds the jar, starts a fresh Redis and Jeton
# on free loopback ports, and runs loadtest/timing/TimingProbe.java: wrong values sent one request at a time for four
# cases (unknown user, password user, PIN user, PIN-less user) and three input shapes (10 digits, 6 digits, a
# password), then medians, p90, p99 and two-sample Kolmogorov–Smirnov tests per pair of cases, and a verdict (medians
# within 10 %, no pair apart at p < 0.01). Prints the tables and writes them to a dated markdown file under docs/.
#   loadtest/timing.sh [SAMPLES]          (default 2000 wrong values per case and shape; 200 for a quick look)
#   REPORT=docs/x.md (default docs/<UTC date>-timing-<commit>.md), RAW=/tmp/samples.csv (every latency),
#   JAR=/path/jeton.jar (measure that jar, no build), WARMUP=rounds per shape (default SAMPLES/10, at least 20),
#   USERS=users per case (default: enough that none nears the lockout), SEED=n (order and values), MAX_MINUTES=150
# Time: mostly Argon2id, 2,200 requests per case and shape that runs it, at 35 ms (idle machine) to 150 ms (busy 2-core
# machine) each: 50 min for today's code on the busy machine, up to 66 min if every request runs one Argon2id.
# Jeton runs with JETON_LOCKOUT_FAILURES=1000 (its maximum) and JETON_IP_FAILURE_LIMIT=10000000 so that no lock and no
# 429 changes the work measured; the probe spreads the failures so that no user gets more than 500.
# Needs java 17, mvn, redis-server, redis-cli, curl, python3. Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
SAMPLES=${1:-2000}
PROBE=loadtest/timing/TimingProbe.java
java "$PROBE" --self-check > /dev/null || { java "$PROBE" --self-check; exit 1; }

# The command as typed, with the settings that change it, for the report.
shown=""
for v in JAR REPORT RAW WARMUP USERS SEED MAX_MINUTES JAVA_OPTS; do
  if [ -n "${!v:-}" ]; then shown+="$v=${!v} "; fi
done

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
REDIS_PORT=$(free_port); HTTP_PORT=$(free_port); ADMIN_PORT=$(free_port)
cleanup() {
  if [ -n "${JPID:-}" ]; then kill "$JPID" 2>/dev/null || true; timeout 30 tail --pid="$JPID" -f /dev/null || true; fi
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Always build unless told which jar: a jar left over from before a change would measure the wrong code.
if [ -n "${JAR:-}" ]; then [ -f "$JAR" ] || { echo "no such jar: $JAR" >&2; exit 1; }; built="given jar $JAR"
else JAR=target/jeton.jar; built="built from this worktree by the script"
  mvn -q -B package -DskipTests > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }; fi

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir "$work" >/dev/null
TOKEN=timing-admin-token-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
JETON_REDIS_URL=redis://127.0.0.1:$REDIS_PORT JETON_MASTER_KEY=$(head -c 32 /dev/urandom | base64) \
JETON_ADMIN_TOKEN=$TOKEN JETON_HTTP_HOST=127.0.0.1 JETON_HTTP_PORT=$HTTP_PORT JETON_ADMIN_PORT=$ADMIN_PORT \
JETON_LOG_LEVEL=WARN JETON_LOCKOUT_FAILURES=1000 JETON_IP_FAILURE_LIMIT=10000000 \
  java ${JAVA_OPTS:-} -jar "$JAR" > "$work/jeton.log" 2>&1 &
JPID=$!
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$ADMIN_PORT/health/ready" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$ADMIN_PORT/health/ready" >/dev/null || { echo "Jeton did not start:"; tail -20 "$work/jeton.log"; exit 1; }

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
product=$(git log -1 --format='%h %s' -- src/main pom.xml 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- src/main pom.xml 2>/dev/null | wc -l)
{
  echo "nproc: $(nproc)"
  echo "cpu: $(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
  echo "kernel: $(uname -sr)"
  java -version 2>&1
  echo "redis: $(redis-server --version)"
  echo "jar: $JAR ($built); worktree at $commit; last product commit (src/main, pom.xml): $product;" \
    "uncommitted product files: $dirty"
  echo "Jeton: Redis store, JETON_LOCKOUT_FAILURES=1000, JETON_IP_FAILURE_LIMIT=10000000, JETON_LOG_LEVEL=WARN," \
    "other settings default; JAVA_OPTS=${JAVA_OPTS:-none}"
} > "$work/machine.txt"

REPORT=${REPORT:-docs/$(date -u +%F)-timing-$commit.md}
args=(--public "http://127.0.0.1:$HTTP_PORT" --admin "http://127.0.0.1:$ADMIN_PORT" --samples "$SAMPLES"
  --report "$REPORT" --machine-file "$work/machine.txt" --max-minutes "${MAX_MINUTES:-150}"
  --command "${shown}loadtest/timing.sh $SAMPLES")
if [ -n "${WARMUP:-}" ]; then args+=(--warmup "$WARMUP"); fi
if [ -n "${USERS:-}" ]; then args+=(--users "$USERS"); fi
if [ -n "${SEED:-}" ]; then args+=(--seed "$SEED"); fi
if [ -n "${RAW:-}" ]; then args+=(--raw "$RAW"); fi
# Exit code: 0 verdict PASS, 3 verdict FAIL (the report is written either way), anything else an error.
# The client drops a connection idle for 20 s, before Jeton's idle timeout (60 s by default) closes it under a request.
rc=0
JETON_ADMIN_TOKEN=$TOKEN java -Djdk.httpclient.keepalive.timeout=20 "$PROBE" "${args[@]}" || rc=$?
if ! kill -0 "$JPID" 2>/dev/null; then echo "Jeton died during the run:"; tail -20 "$work/jeton.log"; exit 1; fi
exit "$rc"
