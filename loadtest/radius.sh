#!/usr/bin/env bash
# The RADIUS login rush on one machine, modelled on bench.sh: a fresh Redis and Jeton on loopback with the RADIUS
# intake on (JETON_RADIUS_PORT), N users provisioned through the bulk API (TOTP seeds derived from a load-test key,
# PIN 2580), a RADIUS client registered for 127.0.0.1/32, then FreeRADIUS's radclient sending one PAP
# Access-Request (User-Password = PIN + current code, with a Message-Authenticator) per user from a file.
# A warm-up pass on other users comes first (WARMUP_USERS, default = USERS), so that the JIT has compiled the path.
# Prints Access-Requests/s (users / wall time of the measured radclient run), accepts/rejects/lost from radclient's
# summary, p50/p99 from Jeton's own histogram jeton_radius_answers_seconds{kind="accept"} (server side: receipt of
# the datagram to the answer sent; the delta of the buckets over the measured pass), drops (jeton_radius_drops_total
# delta), and the CPU of Jeton, Redis and radclient during the measured pass.
#   loadtest/radius.sh [USERS] [PARALLEL]          (defaults 20000 64; PARALLEL = radclient -p, packets in flight)
#   WARMUP_USERS=0 (no warm-up), JAR=/path/other.jar (another build), JAVA_OPTS=..., KEEP=1 (keep the work directory)
#   RADCLIENTS=2 (the measured pass split among that many radclient processes, each with PARALLEL in flight)
# radclient is single-threaded and sends from one process: when its CPU during the pass is close to the wall time,
# it is the limit, not Jeton (the last line says which).
# Needs java, mvn, redis-server, redis-cli, radclient (Debian: freeradius-utils), curl, python3, /usr/bin/time.
# Everything stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${1:-20000}; PARALLEL=${2:-64}; WARMUP_USERS=${WARMUP_USERS:-$USERS}; RADCLIENTS=${RADCLIENTS:-1}
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
free_udp_port() { python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
HTTP_PORT=$(free_port); ADMIN_PORT=$(free_port); REDIS_PORT=$(free_port); RADIUS_PORT=$(free_udp_port)
RC_PIDS=()
cleanup() { set +e  # a failing kill (process already gone) must not cut the cleanup short
  for p in "${RC_PIDS[@]}"; do kill "$p" 2>/dev/null; done  # timeout(1) passes it on to radclient
  if [ -n "${JPID:-}" ]; then kill "$JPID" 2>/dev/null; timeout 30 tail --pid="$JPID" -f /dev/null || true; fi
  if [ -n "${REDIS_STARTED:-}" ]; then redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; fi
  if [ -n "${KEEP:-}" ]; then echo "work directory kept: $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
trap 'exit 143' TERM; trap 'exit 130' INT  # so that a kill or timeout(1) still cleans up

if [ -n "${JAR:-}" ]; then [ -f "$JAR" ] || { echo "no such jar: $JAR" >&2; exit 1; }
else JAR=target/jeton.jar
  # Rebuild when the jar is missing or older than any source: a stale jar may lack the radius package.
  if [ ! -f "$JAR" ] || [ -n "$(find src/main pom.xml -newer "$JAR" -type f -print -quit)" ]; then mvn -q -B package -DskipTests; fi
fi
unzip -l "$JAR" | grep 'dev/jeton/radius/RadiusVerticle' >/dev/null || { echo "$JAR has no RADIUS intake" >&2; exit 1; }

mkdir -p "$work/redis"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir "$work/redis" \
  --logfile "$work/redis/redis.log" >/dev/null
REDIS_STARTED=1
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$REDIS_PORT" ping >/dev/null || { echo "redis-server on $REDIS_PORT did not start" >&2; exit 1; }
TOKEN=radius-admin-token-$RANDOM$RANDOM
JETON_REDIS_URL=redis://127.0.0.1:$REDIS_PORT JETON_MASTER_KEY=$(head -c 32 /dev/urandom | base64) \
JETON_ADMIN_TOKEN=$TOKEN JETON_HTTP_HOST=127.0.0.1 JETON_HTTP_PORT=$HTTP_PORT JETON_ADMIN_PORT=$ADMIN_PORT \
JETON_RADIUS_HOST=127.0.0.1 JETON_RADIUS_PORT=$RADIUS_PORT \
JETON_LOG_LEVEL=WARN JETON_IP_FAILURE_LIMIT=10000000 java ${JAVA_OPTS:-} -jar "$JAR" > "$work/jeton.log" 2>&1 &
JPID=$!
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$ADMIN_PORT/health/ready" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$ADMIN_PORT/health/ready" >/dev/null || { echo "Jeton did not start"; tail -20 "$work/jeton.log"; exit 1; }

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
bulk() { curl -sS -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' \
  --data-binary "@$1" "http://127.0.0.1:$ADMIN_PORT/v1/admin/bulk"; }
if [ "$WARMUP_USERS" -gt 0 ]; then provision warm "$WARMUP_USERS" > "$work/warm.ndjson"; bulk "$work/warm.ndjson"; fi
provision user "$USERS" > "$work/users.ndjson"; bulk "$work/users.ndjson"

answer=$(curl -sS -X PUT -H "Authorization: Bearer $TOKEN" -d '{"network":"127.0.0.1/32"}' \
  "http://127.0.0.1:$ADMIN_PORT/v1/admin/radius-clients/loadtest")
# The secret goes to radclient in a file (-S), not on its command line.
echo "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])' > "$work/secret" ||
  { echo "cannot register the RADIUS client: $answer"; tail -20 "$work/jeton.log"; exit 1; }
# The NAS table is reloaded after the PUT: wait until a Status-Server is answered.
ready=0
for _ in $(seq 50); do
  if echo 'Message-Authenticator = 0x00' | radclient -q -r 1 -t 0.5 -S "$work/secret" "127.0.0.1:$RADIUS_PORT" status \
    >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.2
done
[ $ready = 1 ] || { echo "the RADIUS intake does not answer on 127.0.0.1:$RADIUS_PORT"; tail -20 "$work/jeton.log"; exit 1; }

# One Access-Request per user, blank line between packets. Codes are for the current 30 s step: the server takes
# them while its step is within JETON_TOTP_WINDOW (default 1) of it, i.e. at least 30 s from now (until the end of
# the next step). Each pass's file is written just before the pass, so a pass shorter than 30 s is always inside the
# window; the pass is checked against that below.
requests() {  # prefix count file  -> prints the step's deadline (epoch seconds)
python3 - "$1" "$2" "$KEY" "$3" <<'PY'
import hashlib, hmac, struct, sys, time
prefix, n, key, path = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4]
step = int(time.time()) // 30
with open(path, "w") as f:
    for i in range(n):
        name = "%s%07d" % (prefix, i)
        seed = hmac.new(key, name.encode(), hashlib.sha256).digest()[:20]
        h = hmac.new(seed, struct.pack(">Q", step), hashlib.sha1).digest()
        o = h[-1] & 15
        code = (struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000
        f.write('User-Name = "%s", User-Password = "2580%06d", Message-Authenticator = 0x00\n\n' % (name, code))
print((step + 2) * 30)
PY
}
# radclient: -p packets in flight, -r 1 a single try (no retransmission), -t 5 s to wait for each answer. Bounded by
# timeout(1) whatever happens; started in the background (and waited for) so that a signal reaches the trap at once.
# Its summary (-s) goes to the .out file; its CPU to the .cpu file.
start_pass() {  # requests-file name
  timeout 900 /usr/bin/time -f 'RADCLIENTCPU %U %S' -o "$work/$2.cpu" \
    radclient -f "$1" -p "$PARALLEL" -q -s -r 1 -t 5 -S "$work/secret" "127.0.0.1:$RADIUS_PORT" auth \
    > "$work/$2.out" 2>&1 &
  RC_PIDS+=($!)
}
finish_passes() {  # names..., in the order started
  local rc name i=0
  for name in "$@"; do rc=0; wait "${RC_PIDS[$i]}" || rc=$?; i=$(( i + 1 ))
    # radclient exits 1 when a packet was rejected or lost: the summary says which.
    [ $rc -le 1 ] || { echo "radclient failed ($rc):"; tail -5 "$work/$name.out"; exit 1; }
  done
  RC_PIDS=()
}
scrape() { curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$ADMIN_PORT/metrics" > "$1"; }
cputicks() { awk '{printf "%s ", $14 + $15}' "/proc/$1/stat"; }
REDIS_PID=$(redis-cli -p "$REDIS_PORT" info server | awk -F: '/^process_id:/{print $2}' | tr -d '\r')

if [ "$WARMUP_USERS" -gt 0 ]; then
  warm_deadline=$(requests warm "$WARMUP_USERS" "$work/warm.txt")
  start_pass "$work/warm.txt" warm; finish_passes warm
  [ "$(date +%s)" -lt "$warm_deadline" ] || echo "note: the warm-up outlasted its codes' window (some Access-Rejects)"
fi
deadline=$(requests user "$USERS" "$work/users.txt")
# RADCLIENTS > 1: packets dealt round-robin into one file per radclient process.
awk -v n="$RADCLIENTS" -v dir="$work" 'BEGIN { RS = ""; ORS = "\n\n" } { print > (dir "/users." (NR - 1) % n ".txt") }' \
  "$work/users.txt"
# Datagrams the kernel dropped because a socket's receive buffer was full: on Jeton's RADIUS socket (the drops
# column of /proc/net/udp, which Jeton's own drop meter cannot see), and on the whole machine (RcvbufErrors).
sockdrops() { awk -v port="$(printf ':%04X' "$RADIUS_PORT")" '$2 ~ port"$" { d += $NF } END { print d + 0 }' /proc/net/udp; }
rcvbuferrors() { awk '/^Udp:/ { if (h) { print $6; exit } h = 1 }' /proc/net/snmp; }
scrape "$work/metrics.before"
kdrops_before="$(sockdrops) $(rcvbuferrors)"
cpu_before="$(cputicks "$JPID")$(cputicks "$REDIS_PID")"
t0=$(date +%s.%N)
names=(); for i in $(seq 0 $(( RADCLIENTS - 1 ))); do start_pass "$work/users.$i.txt" "measured.$i"; names+=("measured.$i"); done
finish_passes "${names[@]}"
t1=$(date +%s.%N)
cpu_after="$(cputicks "$JPID")$(cputicks "$REDIS_PID")"
kdrops_after="$(sockdrops) $(rcvbuferrors)"
scrape "$work/metrics.after"
late=0; [ "${t1%.*}" -lt "$deadline" ] || late=1

python3 - "$USERS" "$PARALLEL" "$t0" "$t1" "$work/measured.out" "$work/measured.cpu" "$work/metrics.before" \
  "$work/metrics.after" "$cpu_before" "$cpu_after" "$(getconf CLK_TCK)" "$(nproc)" "$late" "$work/warm.out" \
  "$RADCLIENTS" "$kdrops_before" "$kdrops_after" <<'PY'
import os, re, sys
users, parallel = int(sys.argv[1]), int(sys.argv[2])
secs = float(sys.argv[4]) - float(sys.argv[3])

def summary(path):
    # radclient 3.x: "Accepted      : N" ...; later versions: "Packets with Access-Accept : N"...
    out, s = open(path).read(), {}
    for key, pats in (("accept", (r"Accepted\s*:\s*(\d+)", r"Access-Accept\s*:\s*(\d+)")),
                      ("reject", (r"Rejected\s*:\s*(\d+)", r"Access-Reject\s*:\s*(\d+)")),
                      ("lost", (r"Lost\s*:\s*(\d+)",))):
        for p in pats:
            m = re.search(p, out)
            if m:
                s[key] = int(m.group(1)); break
        else:
            s[key] = None
    return s

def series(path):
    d = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        name_labels, value = line.rsplit(" ", 1)
        d[name_labels] = float(value)
    return d

before, after = series(sys.argv[7]), series(sys.argv[8])
def delta(pattern):
    return {k: after[k] - before.get(k, 0.0) for k in after if re.fullmatch(pattern, k)}

def buckets(kind):
    out = []
    for k, v in delta(r'jeton_radius_answers_seconds_bucket\{.*\}').items():
        if 'kind="%s"' % kind not in k:
            continue
        le = re.search(r'le="([^"]+)"', k).group(1)
        out.append((float("inf") if le == "+Inf" else float(le), v))
    return sorted(out)

def quantile(b, q):
    # Linear within the bucket, as Prometheus's histogram_quantile; returns (estimate, the bucket's upper bound).
    total = b[-1][1] if b else 0
    if total == 0:
        return None, None
    rank, lo, below = q * total, 0.0, 0.0
    for le, c in b:
        if c >= rank:
            if le == float("inf"):
                return lo, le
            return lo + (le - lo) * (rank - below) / max(c - below, 1e-9), le
        lo, below = le, c
    return None, None

def ms(x):
    return "inf" if x == float("inf") else "%.2f" % (x * 1000)

nclients = int(sys.argv[15])
parts = [summary("%s.%d.out" % (sys.argv[5][:-4], i)) for i in range(nclients)]
s = {k: (None if any(p[k] is None for p in parts) else sum(p[k] for p in parts)) for k in ("accept", "reject", "lost")}
acc = buckets("accept")
counts = {kind: sum(v for k, v in delta(r'jeton_radius_answers_seconds_count\{.*\}').items() if 'kind="%s"' % kind in k)
          for kind in ("accept", "reject", "challenge", "retransmitted")}
drops = {re.search(r'cause="([^"]+)"', k).group(1): v for k, v in delta(r'jeton_radius_drops_total\{.*\}').items()}
rc_user = rc_sys = 0.0
for i in range(nclients):
    u, y = (float(x) for x in open("%s.%d.cpu" % (sys.argv[6][:-4], i)).read().split("RADCLIENTCPU", 1)[1].split()[:2])
    rc_user, rc_sys = rc_user + u, rc_sys + y
kd = [int(a) - int(b) for a, b in zip(sys.argv[17].split(), sys.argv[16].split())]
tick = 1.0 / int(sys.argv[11])
cpu = [(int(a) - int(b)) * tick for a, b in zip(sys.argv[10].split(), sys.argv[9].split())]
rc_cpu = rc_user + rc_sys
p50, p50le = quantile(acc, 0.50)
p99, p99le = quantile(acc, 0.99)
print("users=%d parallel=%d radclients=%d seconds=%.2f access_requests_per_s=%.0f" % (users, parallel, nclients, secs, users / secs))
print("radclient summary: accepted=%s rejected=%s lost=%s" % (s["accept"], s["reject"], s["lost"]))
print("jeton answers during the pass: accept=%d reject=%d challenge=%d retransmitted=%d"
      % tuple(counts[k] for k in ("accept", "reject", "challenge", "retransmitted")))
if p50 is not None:
    print("server-side receipt->answer of accepts (histogram, interpolated within its bucket): p50=%sms (bucket <= %sms) "
          "p99=%sms (bucket <= %sms)" % (ms(p50), ms(p50le), ms(p99), ms(p99le)))
print("drops during the pass: total=%d %s" % (sum(drops.values()),
      " ".join("%s=%d" % (k, v) for k, v in sorted(drops.items()) if v) or "(none)"))
print("datagrams dropped by the kernel, receive buffer full: on Jeton's RADIUS socket %d, on the machine %d" % tuple(kd))
print("CPU during the pass (seconds, user+system; share of one core): jeton %.2f (%.0f%%), redis %.2f (%.0f%%), "
      "radclient %.2f (%.0f%%: user %.2f, system %.2f); machine %d cores"
      % (cpu[0], 100 * cpu[0] / secs, cpu[1], 100 * cpu[1] / secs, rc_cpu, 100 * rc_cpu / secs, rc_user, rc_sys,
         int(sys.argv[12])))
print("CPU per request (microseconds): jeton %.0f, redis %.0f, radclient %.0f"
      % (cpu[0] * 1e6 / users, cpu[1] * 1e6 / users, rc_cpu * 1e6 / users))
if rc_cpu / secs > 0.85 * nclients:
    print("limit: radclient (single-threaded) was busy %.0f%% of the pass: it, not Jeton, sets the rate"
          % (100 * rc_cpu / secs / nclients))
elif (cpu[0] + cpu[1] + rc_cpu) / secs > 0.85 * int(sys.argv[12]):
    print("limit: the machine's cores (jeton + redis + radclient used %.0f%% of %d cores)"
          % (100 * (cpu[0] + cpu[1] + rc_cpu) / secs / int(sys.argv[12]), int(sys.argv[12])))
else:
    print("limit: neither radclient nor the cores are saturated: latency-bound (PARALLEL packets in flight)")
if None not in s.values() and s["accept"] + s["reject"] + s["lost"] < users:
    print("note: radclient stopped after %d of %d requests; it said:" % (s["accept"] + s["reject"] + s["lost"], users))
    for i in range(nclients):
        for line in open("%s.%d.out" % (sys.argv[5][:-4], i)).read().splitlines():
            if line.strip() and not re.match(r"\s*(Packet summary|Accepted|Rejected|Lost|Passed filter|Failed filter)", line):
                print("  " + line)
if s["lost"]:
    print("note: radclient waits -t 5 s for each lost request (no retry, -r 1): lost requests stall it and the rate "
          "above is not Jeton's")
if sys.argv[13] == "1":
    print("note: the pass outlasted its codes' window: late requests were refused")
if os.path.exists(sys.argv[14]):
    w = summary(sys.argv[14])
    print("warm-up: accepted=%s rejected=%s lost=%s" % (w["accept"], w["reject"], w["lost"]))
PY
