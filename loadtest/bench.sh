#!/usr/bin/env bash
# The login rush on one machine: a fresh Redis and Jeton on loopback, N users provisioned through the bulk API
# (TOTP seeds derived from a load-test key, PIN 2580), then wrk posting one precomputed PIN+code login per user.
# Prints ACCEPT logins/s, latency percentiles, non-2xx answers, and Redis memory per provisioned user.
# A warm-up run on other users comes first (WARMUP_SECONDS, default 15), so that the JIT has compiled the login path.
# It has a user for every login it can make (WARMUP_USERS, default 25,000 per second of warm-up): with fewer, it ran out
# after a few seconds and spent the rest replaying used codes, the JIT compiled the REJECT path, and the measured run
# began by compiling the ACCEPT path again (about 4 % of Jeton's CPU in the measured window).
#   loadtest/bench.sh [USERS] [CONNECTIONS] [SECONDS]      (defaults 20000 64 10)
#   JETON_METRICS_ENABLED=false loadtest/bench.sh ...       (to measure the cost of metrics)
#   IDLE_USERS=990000 loadtest/bench.sh 10000 16 2         (the same logins among a million provisioned users)
#   WRK_THREADS=2 (default 1: one wrk thread needs about a quarter of a core at 20,000 logins/s and leaves the rest to
#   Jeton and Redis), JAVA_OPTS=-XX:+UseParallelGC, REDIS_STATS=1 (the measured run's Redis command counts and times,
#   and its Redis commands slower than 5 ms)
#   RATE=15000 (a paced run at that many logins/s rather than as fast as the server answers, see below)
#   JAR=/path/other.jar (another build; loadtest/compare.sh alternates runs of several)
#   TOPOLOGY=sentinel (a master, one replica and one sentinel; Jeton with JETON_REDIS_SENTINELS and one replica ack)
#   TOPOLOGY=cluster (3 masters + 3 replicas, redis-cli --cluster create; JETON_REDIS_CLUSTER_NODES, one replica ack)
#   (default TOPOLOGY=single: one Redis, no replica, no ack). REPLICA_ACKS=0 measures Sentinel or Cluster without WAIT.
#   Every data node's CPU is reported: on the Cluster, how the load spreads across the masters.
#   PROFILE=/tmp/p.collapsed ASYNC_PROFILER=/path/libasyncProfiler.so  (profile of the measured run, see below)
# Needs java, mvn, redis-server, redis-cli, wrk, curl, python3, /usr/bin/time (Debian: time). Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${1:-20000}; CONNECTIONS=${2:-64}; SECONDS_=${3:-10}; WARMUP_SECONDS=${WARMUP_SECONDS:-15}; WRK_THREADS=${WRK_THREADS:-1}
WARMUP_USERS=${WARMUP_USERS:-$(( WARMUP_SECONDS * 25000 ))}
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# A cluster node also listens on its port + 10000 (the cluster bus): both must be free, so the port is at most 55535.
cluster_port() { python3 -c '
import random, socket
while True:
    p = random.randint(20000, 55535)
    try:
        for q in (p, p + 10000):
            s = socket.socket(); s.bind(("127.0.0.1", q)); s.close()
        print(p); break
    except OSError:
        pass'; }
HTTP_PORT=$(free_port); ADMIN_PORT=$(free_port); TOPOLOGY=${TOPOLOGY:-single}
NODE_PORTS=(); MASTER_PORTS=()
cleanup() { set +e  # a failing kill (Jeton already gone) must not cut the cleanup short and leave Redis running
  if [ -n "${JPID:-}" ]; then kill "$JPID" 2>/dev/null; timeout 30 tail --pid="$JPID" -f /dev/null || true; fi
  for p in "${NODE_PORTS[@]}" ${SENTINEL_PORT:-}; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done; rm -rf "$work"; }
trap cleanup EXIT

if [ -n "${JAR:-}" ]; then [ -f "$JAR" ] || { echo "no such jar: $JAR" >&2; exit 1; }
else JAR=target/jeton.jar; [ -f "$JAR" ] || mvn -q -B package -DskipTests; fi
node() {  # port [extra redis-server arguments...]
  local port=$1; shift; mkdir -p "$work/$port"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir "$work/$port" \
    --logfile "$work/$port/redis.log" --latency-monitor-threshold 5 "$@" >/dev/null
  NODE_PORTS+=("$port")
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && return; sleep 0.1; done
  echo "redis-server on $port did not start" >&2; exit 1
}
case "$TOPOLOGY" in
  single)
    REDIS_PORT=$(free_port); node "$REDIS_PORT"; MASTER_PORTS=("$REDIS_PORT")
    REDIS_ENV=(JETON_REDIS_URL=redis://127.0.0.1:$REDIS_PORT) ;;
  sentinel)
    REDIS_PORT=$(free_port); node "$REDIS_PORT"; MASTER_PORTS=("$REDIS_PORT")
    node "$(free_port)" --replicaof 127.0.0.1 "$REDIS_PORT"
    SENTINEL_PORT=$(free_port)
    printf 'port %s\nbind 127.0.0.1\ndir %s\nsentinel monitor bench 127.0.0.1 %s 1\n' \
      "$SENTINEL_PORT" "$work" "$REDIS_PORT" > "$work/sentinel.conf"
    redis-server "$work/sentinel.conf" --sentinel --daemonize yes --logfile "$work/sentinel.log" >/dev/null
    for _ in $(seq 100); do [ "$(redis-cli -p "$REDIS_PORT" info replication | grep -c 'state=online')" = 1 ] && break
      sleep 0.1; done
    REDIS_ENV=(JETON_REDIS_SENTINELS=127.0.0.1:$SENTINEL_PORT JETON_REDIS_MASTER_NAME=bench
      JETON_REDIS_REPLICA_ACKS=${REPLICA_ACKS:-1}) ;;
  cluster)
    seeds=()
    for _ in 1 2 3 4 5 6; do p=$(cluster_port); node "$p" --cluster-enabled yes --cluster-config-file "$work/$p/nodes.conf" \
      --cluster-node-timeout 2000; seeds+=("127.0.0.1:$p"); done
    redis-cli --cluster create "${seeds[@]}" --cluster-replicas 1 --cluster-yes >/dev/null
    for _ in $(seq 100); do ok=1; for p in "${NODE_PORTS[@]}"; do
      redis-cli -p "$p" cluster info | grep -q 'cluster_state:ok' || ok=0; done; [ $ok = 1 ] && break; sleep 0.2; done
    for p in "${NODE_PORTS[@]}"; do redis-cli -p "$p" info replication | grep -q '^role:master' && MASTER_PORTS+=("$p"); done
    REDIS_PORT=${MASTER_PORTS[0]}
    REDIS_ENV=(JETON_REDIS_CLUSTER_NODES=$(IFS=,; echo "${seeds[*]}") JETON_REDIS_REPLICA_ACKS=${REPLICA_ACKS:-1}) ;;
  *) echo "TOPOLOGY is single, sentinel or cluster" >&2; exit 1 ;;
esac
TOKEN=bench-admin-token-$RANDOM$RANDOM
env "${REDIS_ENV[@]}" JETON_MASTER_KEY=$(head -c 32 /dev/urandom | base64) \
JETON_ADMIN_TOKEN=$TOKEN JETON_HTTP_HOST=127.0.0.1 JETON_HTTP_PORT=$HTTP_PORT JETON_ADMIN_PORT=$ADMIN_PORT \
JETON_LOG_LEVEL=WARN JETON_IP_FAILURE_LIMIT=10000000 java ${JAVA_OPTS:-} -jar "$JAR" > "$work/jeton.log" 2>&1 &
JPID=$!
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$ADMIN_PORT/health/ready" >/dev/null && break; sleep 0.2; done

KEY=${LOADTEST_KEY:-jeton-load-test-key}
provision() {  # prefix count
python3 - "$1" "$2" "$KEY" <<'PY'
import base64, hashlib, hmac, json, sys
prefix, n, key = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
for i in range(n):
    name = "%s%07d" % (prefix, i)
    seed = hmac.new(key, name.encode(), hashlib.sha256).digest()[:20]
    print(json.dumps({"username": name, "token": {"serial": "LT" + name, "type": "totp", "secret":
        base64.b32encode(seed).decode().rstrip("="), "pin": "2580"}}))
PY
}
provision warm "$WARMUP_USERS" > "$work/warm.ndjson"
if [ "${IDLE_USERS:-0}" -gt 0 ]; then provision idle "$IDLE_USERS" > "$work/idle.ndjson"; fi
provision user "$USERS" > "$work/users.ndjson"
bulk() { curl -sS -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' \
  --data-binary "@$1" "http://127.0.0.1:$ADMIN_PORT/v1/admin/bulk"; }
bulk "$work/warm.ndjson"
if [ "${IDLE_USERS:-0}" -gt 0 ]; then bulk "$work/idle.ndjson"; rm "$work/idle.ndjson"; fi
# Memory of every master, summed (the replicas hold the same again).
used_memory() { local t=0; for p in "${MASTER_PORTS[@]}"; do
  t=$(( t + $(redis-cli -p "$p" info memory | awk -F: '/^used_memory:/{print $2}' | tr -d '\r') )); done; echo $t; }
before=$(used_memory)
bulk "$work/users.ndjson"
after=$(used_memory)
answer=$(curl -sS -X PUT -H "Authorization: Bearer $TOKEN" -d '{"trustClientIp":true}' \
  "http://127.0.0.1:$ADMIN_PORT/v1/admin/clients/bench")
CLIENT=$(echo "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])') ||
  { echo "cannot create the client: $answer"; tail -20 "$work/jeton.log"; exit 1; }

# Passcodes are computed for the current 30 s step (the server accepts one step either side).
passcodes() {  # prefix count
python3 - "$1" "$2" "$KEY" <<'PY'
import hashlib, hmac, struct, sys, time
prefix, n, key = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
step = int(time.time()) // 30
for i in range(n):
    name = "%s%07d" % (prefix, i)
    seed = hmac.new(key, name.encode(), hashlib.sha256).digest()[:20]
    h = hmac.new(seed, struct.pack(">Q", step), hashlib.sha1).digest()
    o = h[-1] & 15
    code = (struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000
    print('{"username":"%s","password":"2580%06d","clientIp":"10.%d.%d.%d"}' % (name, code, i >> 16 & 255, i >> 8 & 255, i & 255))
PY
}
# The runs must end before the step after next: start at a fresh step if the current one is too far gone.
fresh_step() { left=$(( 30 - $(date +%s) % 30 )); if [ "$left" -lt $(( $1 + 3 )) ]; then sleep "$left"; fi; }
# Each wrk thread formats its share of the requests once, before the run: formatting one per request made garbage
# whose collection (LuaJIT walking the table of bodies) stalled wrk for up to 100 ms with a few hundred thousand users.
# RATE (logins/s, whole run) paces the measured run: each wrk thread releases its requests on a fixed schedule
# (RATE / threads a second, at millisecond resolution) instead of sending the next one as soon as an answer arrives.
# Latency is still measured from each request's write; logins/s is what was achieved, which falls short of RATE only
# when the server cannot keep up.
cat > "$work/rush.lua" <<LUA
local requests, count, counter = {}, 0, 0
local rate = tonumber(os.getenv("RATE") or "0")
if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef("typedef struct { long sec; long nsec; } bench_timespec; int clock_gettime(int, bench_timespec *);")
  local now = ffi.new("bench_timespec")
  local period = 1000 * tonumber(os.getenv("THREADS")) / rate
  local slot = nil
  delay = function()
    ffi.C.clock_gettime(1, now)
    local t = tonumber(now.sec) * 1000 + tonumber(now.nsec) / 1e6
    -- Behind schedule (wrk's thread was late): catch up, as an open workload would, unless hopelessly behind.
    if slot == nil or slot < t - 100 then slot = t end
    local wait = slot - t
    slot = slot + period
    return wait > 0 and math.floor(wait) or 0
  end
end
local threads = {}
setup = function(thread) thread:set("id", #threads); table.insert(threads, thread) end
init = function(args)
  local i = 0
  for body in io.lines(os.getenv("BODIES")) do
    if i % tonumber(os.getenv("THREADS")) == id then
      count = count + 1
      requests[count] = wrk.format("POST", "/v1/authenticate", {["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer $CLIENT"}, body)
    end
    i = i + 1
  end
  collectgarbage()
end
request = function()
  counter = counter + 1
  return requests[(counter - 1) % count + 1]
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d non2xx=%d errors=%d p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f seconds=%.2f\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, summary.duration / 1e6))
end
LUA
# Both runs' passcodes are computed first, for the current step: the server takes them until the end of the next
# step, so the measured run follows the warm-up at once. (With a pause between them for a fresh step, the event loops
# idled for seconds, their compiled code was thrown away on a branch the warm-up never took, and the JIT compiled it
# again during the measured run: 5 % of Jeton's CPU there.) The wait below leaves the runs and the computing (about
# 12 s with the default warm-up) within the step's 30 s and the next one's.
fresh_step $(( WARMUP_SECONDS + SECONDS_ + 12 - 30 ))
if [ "$WARMUP_SECONDS" -gt 0 ]; then passcodes warm "$WARMUP_USERS" > "$work/warm.txt"; fi
passcodes user "$USERS" > "$work/bodies.txt"
if [ "$WARMUP_SECONDS" -gt 0 ]; then
  BODIES="$work/warm.txt" THREADS=$WRK_THREADS RATE=0 wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${WARMUP_SECONDS}s" \
    --timeout 5s -s "$work/rush.lua" "http://127.0.0.1:$HTTP_PORT" > /dev/null
fi
# System calls made during the run (from /proc/PID/io), per login: Jeton's reads and writes, and Redis's.
REDIS_PID=$(redis-cli -p "$REDIS_PORT" info server | awk -F: '/^process_id:/{print $2}' | tr -d '\r')
syscalls() { awk '/^syscr|^syscw/{printf "%s ", $2}' "/proc/$1/io"; }
# CPU time (user + system, clock ticks) of Jeton and Redis from /proc/PID/stat; wrk's from /usr/bin/time.
cputicks() { awk '{printf "%s ", $14 + $15}' "/proc/$1/stat"; }
# Time the process's threads spent runnable but waiting for a core (nanoseconds, summed over threads, schedstat).
waitns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $2} END {printf "%.0f ", s}'; }
# Every data node's CPU, masters first (on one Redis, just it): where the Redis work went.
node_pid() { redis-cli -p "$1" info server | awk -F: '/^process_id:/{print $2}' | tr -d '\r'; }
NODE_LIST=("${MASTER_PORTS[@]}"); for p in "${NODE_PORTS[@]}"; do [[ " ${MASTER_PORTS[*]} " == *" $p "* ]] || NODE_LIST+=("$p"); done
NODE_PIDS=(); for p in "${NODE_LIST[@]}"; do NODE_PIDS+=("$(node_pid "$p")"); done
nodes_cpu() { for pid in "${NODE_PIDS[@]}"; do cputicks "$pid"; done; }
nodes_before=$(nodes_cpu)
io_before="$(syscalls "$JPID")$(syscalls "$REDIS_PID")$(cputicks "$JPID")$(cputicks "$REDIS_PID")$(waitns "$JPID")$(waitns "$REDIS_PID")"
# PROFILE=/path/profile.html (or .collapsed) with ASYNC_PROFILER=/path/libasyncProfiler.so: async-profiler records
# Jeton during the measured run only (PROFILE_EVENT, default cpu; itimer where perf events are not allowed).
profiler() { jcmd "$JPID" JVMTI.agent_load "$ASYNC_PROFILER" "\"$1\"" > /dev/null; }
# REDIS_STATS: Redis's command statistics and latency events cover the measured run only.
if [ -n "${REDIS_STATS:-}" ]; then redis-cli -p "$REDIS_PORT" config resetstat > /dev/null
  redis-cli -p "$REDIS_PORT" latency reset > /dev/null; fi
if [ -n "${PROFILE:-}" ]; then profiler "start,event=${PROFILE_EVENT:-cpu},interval=${PROFILE_INTERVAL:-1ms},file=$PROFILE"; fi
BODIES="$work/bodies.txt" THREADS=$WRK_THREADS RATE=${RATE:-0} /usr/bin/time -f 'WRKCPU %U %S' -o "$work/wrk.cpu" \
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${SECONDS_}s" \
  --timeout 5s -s "$work/rush.lua" "http://127.0.0.1:$HTTP_PORT" > "$work/wrk.out"
result=$(grep '^RESULT' "$work/wrk.out")
nodes_after=$(nodes_cpu)
io_after="$(syscalls "$JPID")$(syscalls "$REDIS_PID")$(cputicks "$JPID")$(cputicks "$REDIS_PID")$(waitns "$JPID")$(waitns "$REDIS_PID")"
if [ -n "${PROFILE:-}" ]; then profiler "stop,file=$PROFILE"; echo "profile: $PROFILE"; fi
wrk_cpu=$(awk '/^WRKCPU/{print $2 + $3}' "$work/wrk.cpu")
if [ -n "${REDIS_STATS:-}" ]; then redis-cli -p "$REDIS_PORT" info commandstats | grep -E 'calls=[0-9]{4,}'
  echo "Redis commands slower than 5 ms (event, time, latest ms, max ms):"; redis-cli -p "$REDIS_PORT" latency latest; fi
python3 - "$result" "$USERS" "$before" "$after" "${JETON_METRICS_ENABLED:-true}" "${IDLE_USERS:-0}" "$io_before" "$io_after" "$(getconf CLK_TCK)" "$wrk_cpu" <<'PY'
import sys
f = dict(kv.split("=") for kv in sys.argv[1].split()[1:])
req, non2xx, secs = int(f["requests"]), int(f["non2xx"]), float(f["seconds"])
users = int(sys.argv[2])
print("metrics=%s users=%d idle_users=%s requests=%d accept_per_s=%.0f (non-2xx %d, socket errors %s) p50=%sms p99=%sms p99.9=%sms "
      "redis_bytes_per_user=%.0f" % (sys.argv[5], users, sys.argv[6], req, (req - non2xx) / secs, non2xx, f["errors"], f["p50_ms"],
      f["p99_ms"], f["p999_ms"], (int(sys.argv[4]) - int(sys.argv[3])) / users))
io = [int(a) - int(b) for a, b in zip(sys.argv[8].split(), sys.argv[7].split())]
print("system calls per request: jeton reads %.2f writes %.2f, redis reads %.2f writes %.2f"
      % tuple(x / max(req, 1) for x in io[:4]))
tick = 1e6 / int(sys.argv[9])
print("CPU per request (microseconds): jeton %.1f, redis %.1f, wrk %.1f"
      % (io[4] * tick / max(req, 1), io[5] * tick / max(req, 1), float(sys.argv[10]) * 1e6 / max(req, 1)))
print("waiting for a core during the run (share of its duration, threads summed): jeton %.0f%%, redis %.0f%%"
      % (io[6] / 1e7 / secs, io[7] / 1e7 / secs))
if req > users:
    sys.stdout.flush()
    print("note: more requests than users: codes were replayed and refused (401); raise USERS for a clean run")
PY
python3 - "$TOPOLOGY" "${#MASTER_PORTS[@]}" "$nodes_before" "$nodes_after" "$(getconf CLK_TCK)" "$result" <<'PY'
import sys
topology, masters = sys.argv[1], int(sys.argv[2])
cpu = [int(a) - int(b) for a, b in zip(sys.argv[4].split(), sys.argv[3].split())]
req = max(int(dict(kv.split("=") for kv in sys.argv[6].split()[1:])["requests"]), 1)
tick = 1e6 / int(sys.argv[5])
per = ["%s%d %.1f" % ("master" if i < masters else "replica", i + 1 if i < masters else i - masters + 1, c * tick / req)
       for i, c in enumerate(cpu)]
print("topology=%s Redis CPU per request by node (microseconds): %s; all nodes %.1f"
      % (topology, ", ".join(per), sum(cpu) * tick / req))
PY
