#!/usr/bin/env bash
# A flood of wrong logins for random unknown usernames, all from one client address: what it leaves in Redis.
# Starts a fresh Redis and Jeton on loopback (as bench.sh does), records Redis's used_memory and key count (DBSIZE),
# sends N logins (default 100,000), each for a username never sent before ("flood" + a random suffix + a counter) with
# a passcode-shaped wrong password (PIN + 6 digits, so no password hash is spent), through a client trusted to give
# the client IP (198.51.100.7 for all of them), then records the same figures again once the audit writes are done.
# Prints the answers by status, the memory and key counts, and the keys by kind.
#   loadtest/flood.sh [N] [CONNECTIONS]                        (defaults 100000 32)
#   JETON_IP_FAILURE_LIMIT=10000000 loadtest/flood.sh          (every request evaluated: no 429)
#   JAR=/path/other.jar loadtest/flood.sh                      (another build; default target/jeton.jar)
# Bounded: wrk stops after N answers (and the few then in flight) or 600 s, whichever comes first. Needs java, mvn,
# redis-server, redis-cli, wrk, curl, python3. Traffic stays on 127.0.0.1; Redis and Jeton are stopped and the work
# directory removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}; CONNECTIONS=${2:-32}
work=$(mktemp -d)
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
REDIS_PORT=$(free_port); HTTP_PORT=$(free_port); ADMIN_PORT=$(free_port)
cleanup() {
  if [ -n "${JPID:-}" ]; then kill "$JPID" 2>/dev/null || true; timeout 30 tail --pid="$JPID" -f /dev/null || true; fi
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${JAR:-}" ]; then [ -f "$JAR" ] || { echo "no such jar: $JAR" >&2; exit 1; }
else JAR=target/jeton.jar; [ -f "$JAR" ] || mvn -q -B package -DskipTests; fi
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir "$work" >/dev/null
TOKEN=flood-admin-token-$RANDOM$RANDOM
LIMIT=${JETON_IP_FAILURE_LIMIT:-200}
JETON_REDIS_URL=redis://127.0.0.1:$REDIS_PORT JETON_MASTER_KEY=$(head -c 32 /dev/urandom | base64) \
JETON_ADMIN_TOKEN=$TOKEN JETON_HTTP_HOST=127.0.0.1 JETON_HTTP_PORT=$HTTP_PORT JETON_ADMIN_PORT=$ADMIN_PORT \
JETON_LOG_LEVEL=WARN JETON_IP_FAILURE_LIMIT=$LIMIT java ${JAVA_OPTS:-} -jar "$JAR" > "$work/jeton.log" 2>&1 &
JPID=$!
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$ADMIN_PORT/health/ready" >/dev/null && break; sleep 0.2; done
answer=$(curl -sS -X PUT -H "Authorization: Bearer $TOKEN" -d '{"trustClientIp":true}' \
  "http://127.0.0.1:$ADMIN_PORT/v1/admin/clients/flood")
CLIENT=$(echo "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])') ||
  { echo "cannot create the client: $answer"; tail -20 "$work/jeton.log"; exit 1; }

memory() { redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/{print $2}' | tr -d '\r'; }
keys() { redis-cli -p "$REDIS_PORT" dbsize; }
xlen() { redis-cli -p "$REDIS_PORT" eval \
  "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('XLEN', KEYS[1]) end return 0" 1 "$1"; }
# Audit writes trail the answers: wait until the audit stream lengths stop changing (at most 30 s).
settle() {
  local last="" now
  for _ in $(seq 30); do
    now=$(xlen jeton:audit):$(xlen jeton:audit:unknown)
    [ "$now" = "$last" ] && return 0
    last=$now; sleep 1
  done
}
settle
mem_before=$(memory); keys_before=$(keys)

cat > "$work/flood.lua" <<LUA
local n = tonumber(os.getenv("N")) / tonumber(os.getenv("THREADS"))
local counter, answered, statuses = 0, 0, {}
local threads = {}
setup = function(thread) thread:set("id", #threads); table.insert(threads, thread) end
init = function(args)
  math.randomseed(os.time() * 1000 + id)
  prefix = string.format("flood%06x%d-", math.random(0, 0xffffff), id)
end
request = function()
  counter = counter + 1
  local body = string.format('{"username":"%s%d","password":"2580%06d","clientIp":"198.51.100.7"}', prefix,
    counter, math.random(0, 999999))
  return wrk.format("POST", "/v1/authenticate", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer $CLIENT"}, body)
end
response = function(status, headers, body)
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
  if answered == n then
    -- wrk sleeps out its whole duration even when every thread has stopped: the script stops it on this mark.
    io.open(os.getenv("MARKS") .. "/" .. id, "w"):close()
    wrk.thread:stop()
  end
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d non2xx=%d errors=%d seconds=%.2f\n", summary.requests,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.duration / 1e6))
end
LUA
threads=2; [ "$CONNECTIONS" -lt 2 ] && threads=1
mkdir "$work/marks"
N=$N THREADS=$threads MARKS="$work/marks" wrk -t"$threads" -c"$CONNECTIONS" -d600s --timeout 5s \
  -s "$work/flood.lua" "http://127.0.0.1:$HTTP_PORT" > "$work/wrk.txt" &
WPID=$!
for _ in $(seq 6000); do
  [ "$(ls "$work/marks" | wc -l)" -ge "$threads" ] && break
  kill -0 "$WPID" 2>/dev/null || break
  sleep 0.1
done
kill -INT "$WPID" 2>/dev/null || true
wait "$WPID" || true
grep RESULT "$work/wrk.txt"
settle
mem_after=$(memory); keys_after=$(keys)
metrics=$(curl -sf "http://127.0.0.1:$ADMIN_PORT/metrics" || true)
decided=$(echo "$metrics" | awk '/^jeton_auth_decisions_total/{n += $2} END {printf "%d", n}')
throttled=$(echo "$metrics" | awk '/^jeton_ip_throttled_total/{printf "%d", $2}')
echo "JETON_IP_FAILURE_LIMIT=$LIMIT jar=$JAR"
echo "logins decided (jeton_auth_decisions_total): $decided, of which answered 429 (jeton_ip_throttled_total):" \
  "${throttled:-n/a}"
echo "used_memory before=$mem_before after=$mem_after growth=$(( mem_after - mem_before )) bytes"
echo "DBSIZE before=$keys_before after=$keys_after"
for k in jeton:audit jeton:audit:unknown; do
  echo "XLEN $k: $(xlen "$k"), MEMORY USAGE: $(redis-cli -p "$REDIS_PORT" memory usage "$k") bytes"
done
# Keys by kind: the part after the hash tag ("a" audit index, "f" failures, ...), or the whole name.
redis-cli -p "$REDIS_PORT" --scan | sed -E 's/^jeton:\{[a-z]+:[^}]*\}:/jeton:{*}:/; s/^(jeton:ip:).*/\1*/' \
  | sort | uniq -c | sort -rn | head -12 || true
# The memory of one sample key of each per-username kind, if any.
for pattern in 'jeton:{u:flood*}:a' 'jeton:{u:flood*}:f'; do
  sample=$(redis-cli -p "$REDIS_PORT" --scan --pattern "$pattern" | head -1 || true)
  [ -n "$sample" ] && echo "sample $sample: MEMORY USAGE $(redis-cli -p "$REDIS_PORT" memory usage "$sample")" \
    "bytes, PTTL $(redis-cli -p "$REDIS_PORT" pttl "$sample") ms"
done
true
