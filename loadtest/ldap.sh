#!/usr/bin/env bash
# Password logins against the district's directory: a throwaway OpenLDAP slapd (back_mdb, written like
# dev.jeton.testsupport.Slapd does: slapd.conf, Debian's schemas, a temp directory), a fresh Redis and Jeton with
# JETON_LDAP_URL, all on 127.0.0.1; then wrk posting one precomputed password login per user (cycling through the
# users when the run makes more requests than there are users: a password, unlike a code, can be used again).
# Prints ACCEPT logins/s, wrk's p50/p99, non-2xx answers, and the CPU per login of Jeton, Redis and slapd.
#   loadtest/ldap.sh [USERS] [CONNECTIONS] [SECONDS]          (defaults 20000 64 10)
#   loadtest/ldap.sh 20000 64,16 10                           (one measured run per count, on the same warm Jeton)
#   JETON_LDAP_POOL_SIZE=16 loadtest/ldap.sh                  (Jeton's LDAP connections per pool and directory workers;
#                                                              unset: Jeton's default, 8)
#   HASH=ssha loadtest/ldap.sh                                ({SSHA} userPassword values rather than clear text)
#   INDEX=none (no `index uid eq`: every search scans the people), WARMUP_SECONDS (default 30), WARMUP_USERS (default
#   5000, other users than the measured ones), WRK_THREADS (default 1), MAX_LOAD (default 2.5: the warm-up waits, up to
#   10 minutes, for the 1-minute load average to fall below it), OTHERS_MAX (default 0.5: each measured run then waits,
#   up to 10 minutes, until other processes use fewer cores), JAR=/path/other.jar, SLAPD_THREADS (default 16)
# Passwords are in clear text by default (slapd compares them as they are); a real directory stores hashes, and {SSHA}
# costs slapd one salted SHA-1 per bind (HASH=ssha). The directory gets an equality index on uid, as a real one has.
# Every user is added offline with slapadd (seconds for tens of thousands, where ldapadd takes minutes) before slapd starts.
# Needs slapd, slapadd (Debian: slapd), java, mvn, redis-server, redis-cli, wrk, curl, python3, /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${1:-20000}; CONNECTIONS=${2:-64}; SECONDS_=${3:-10}
WARMUP_SECONDS=${WARMUP_SECONDS:-30}; WARMUP_USERS=${WARMUP_USERS:-5000}; WRK_THREADS=${WRK_THREADS:-1}
HASH=${HASH:-clear}; INDEX=${INDEX:-uid}; MAX_LOAD=${MAX_LOAD:-2.5}; SLAPD_THREADS=${SLAPD_THREADS:-16}
SLAPD=/usr/sbin/slapd; SLAPADD=/usr/sbin/slapadd
for t in "$SLAPD" "$SLAPADD"; do [ -x "$t" ] || { echo "$t is missing (Debian: apt-get install slapd ldap-utils)" >&2; exit 1; }; done
BASE=dc=district,dc=example; PEOPLE=ou=people,$BASE
SERVICE_DN=cn=jeton,ou=services,$BASE; SERVICE_PASSWORD=service-secret-$RANDOM$RANDOM
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
HTTP_PORT=$(free_port); ADMIN_PORT=$(free_port); REDIS_PORT=$(free_port); LDAP_PORT=$(free_port)
cleanup() {
  if [ -n "${JPID:-}" ]; then kill "$JPID" 2>/dev/null || true; timeout 30 tail --pid="$JPID" -f /dev/null || true; fi
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  SLAPD_PID=${SLAPD_PID:-$(cat "$work/slapd.pid" 2>/dev/null || true)}
  if [ -n "${SLAPD_PID:-}" ]; then kill "$SLAPD_PID" 2>/dev/null || true; timeout 30 tail --pid="$SLAPD_PID" -f /dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT; trap 'exit 130' INT TERM

# Bounded wait for a quiet machine (other engineers' test suites share the cores): prints the load average.
wait_quiet() {  # label
  local load
  for i in $(seq 31); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    if python3 -c "import sys; sys.exit(0 if float('$load') < float('$MAX_LOAD') else 1)"; then
      echo "$1: load average $load (below $MAX_LOAD; now $(cut -d' ' -f1-3 /proc/loadavg))"; return; fi
    [ "$i" = 31 ] && break
    echo "$1: load average $load, waiting (at most 10 minutes) for it to fall below $MAX_LOAD" >&2; sleep 20
  done
  echo "$1: load average $(cut -d' ' -f1-3 /proc/loadavg): STILL ABOVE $MAX_LOAD after 10 minutes, measuring anyway (figures suspect)"
}

if [ -n "${JAR:-}" ]; then [ -f "$JAR" ] || { echo "no such jar: $JAR" >&2; exit 1; }
else JAR=target/jeton.jar
  if [ ! -f "$JAR" ] || [ -n "$(find src/main pom.xml -newer "$JAR" -type f -print -quit)" ]; then mvn -q -B package -DskipTests; fi
fi

# The directory: slapd.conf as Slapd.java writes it, plus an index on uid and a maxsize for the people.
mkdir -p "$work/db"
{
  for s in core cosine inetorgperson nis; do echo "include /etc/ldap/schema/$s.schema"; done
  echo "pidfile $work/slapd.pid"; echo "argsfile $work/slapd.args"
  echo "modulepath /usr/lib/ldap"; echo "moduleload back_mdb"
  echo "loglevel 0"; echo "threads $SLAPD_THREADS"
  echo "database mdb"; echo "suffix \"$BASE\""; echo "rootdn \"cn=admin,$BASE\""; echo "rootpw root-secret-$RANDOM"
  echo "directory $work/db"; echo "maxsize 1073741824"
  echo "index objectClass eq"
  if [ "$INDEX" = uid ]; then echo "index uid eq"; fi
} > "$work/slapd.conf"
# uN (measured) and wN (warm-up) people, password pw-<username>-secret (letters: never passcode-shaped).
python3 - "$USERS" "$WARMUP_USERS" "$HASH" "$SERVICE_PASSWORD" > "$work/people.ldif" <<'PY'
import base64, hashlib, os, sys
users, warm, hashing, service = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
def pw(p):
    if hashing == "ssha":
        salt = os.urandom(8)
        return "{SSHA}" + base64.b64encode(hashlib.sha1(p.encode() + salt).digest() + salt).decode()
    return p
out = sys.stdout
out.write("dn: dc=district,dc=example\nobjectClass: dcObject\nobjectClass: organization\ndc: district\no: District\n\n")
for ou in ("people", "services"):
    out.write("dn: ou=%s,dc=district,dc=example\nobjectClass: organizationalUnit\nou: %s\n\n" % (ou, ou))
out.write("dn: cn=jeton,ou=services,dc=district,dc=example\nobjectClass: organizationalRole\n"
          "objectClass: simpleSecurityObject\ncn: jeton\nuserPassword: %s\n\n" % pw(service))
for prefix, n in (("u", users), ("w", warm)):
    for i in range(n):
        name = "%s%d" % (prefix, i)
        out.write("dn: uid=%s,ou=people,dc=district,dc=example\nobjectClass: inetOrgPerson\nuid: %s\ncn: User %s\n"
                  "sn: %s\nuserPassword: %s\n\n" % (name, name, name, name, pw("pw-%s-secret" % name)))
PY
t0=$(date +%s.%N)
timeout 600 "$SLAPADD" -q -f "$work/slapd.conf" -l "$work/people.ldif" > "$work/slapadd.log" 2>&1 ||
  { echo "slapadd failed:"; tail -20 "$work/slapadd.log"; exit 1; }
echo "slapadd: $(( USERS + WARMUP_USERS + 4 )) entries in $(python3 -c "import time; print('%.1f' % (time.time() - $t0))") s (passwords: $HASH, index: $INDEX)"
"$SLAPD" -h "ldap://127.0.0.1:$LDAP_PORT/" -f "$work/slapd.conf" > "$work/slapd.log" 2>&1 ||
  { echo "slapd failed:"; cat "$work/slapd.log"; exit 1; }
for _ in $(seq 100); do [ -s "$work/slapd.pid" ] && break; sleep 0.1; done
SLAPD_PID=$(cat "$work/slapd.pid" 2>/dev/null || true)
[ -n "$SLAPD_PID" ] || { echo "slapd wrote no pid file"; cat "$work/slapd.log"; exit 1; }
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$LDAP_PORT") 2>/dev/null && break; sleep 0.1; done

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir "$work" \
  --logfile "$work/redis.log" >/dev/null
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
TOKEN=bench-admin-token-$RANDOM$RANDOM
env JETON_REDIS_URL=redis://127.0.0.1:$REDIS_PORT JETON_MASTER_KEY=$(head -c 32 /dev/urandom | base64) \
  JETON_LDAP_URL=ldap://127.0.0.1:$LDAP_PORT JETON_LDAP_BIND_DN=$SERVICE_DN JETON_LDAP_BIND_PASSWORD=$SERVICE_PASSWORD \
  JETON_LDAP_BASE_DN=$PEOPLE \
  JETON_ADMIN_TOKEN=$TOKEN JETON_HTTP_HOST=127.0.0.1 JETON_HTTP_PORT=$HTTP_PORT JETON_ADMIN_PORT=$ADMIN_PORT \
  JETON_LOG_LEVEL=WARN JETON_IP_FAILURE_LIMIT=10000000 java ${JAVA_OPTS:-} -jar "$JAR" > "$work/jeton.log" 2>&1 &
JPID=$!
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$ADMIN_PORT/health/ready" >/dev/null && break; sleep 0.2; done
ready=$(curl -sS "http://127.0.0.1:$ADMIN_PORT/health/ready" || true)
echo "jeton ready: $ready"
case "$ready" in *'"directory":"UP"'*) ;; *) echo "the directory is not UP"; tail -20 "$work/jeton.log"; exit 1 ;; esac
answer=$(curl -sS -X PUT -H "Authorization: Bearer $TOKEN" -d '{"trustClientIp":true}' \
  "http://127.0.0.1:$ADMIN_PORT/v1/admin/clients/bench")
CLIENT=$(echo "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])') ||
  { echo "cannot create the client: $answer"; tail -20 "$work/jeton.log"; exit 1; }

bodies() {  # prefix count
  python3 - "$1" "$2" <<'PY'
import sys
prefix, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    name = "%s%d" % (prefix, i)
    print('{"username":"%s","password":"pw-%s-secret","clientIp":"10.%d.%d.%d"}' % (name, name, i >> 16 & 255, i >> 8 & 255, i & 255))
PY
}
bodies w "$WARMUP_USERS" > "$work/warm.txt"; bodies u "$USERS" > "$work/bodies.txt"
# One login checked by hand first: ACCEPT, or stop.
first=$(head -1 "$work/bodies.txt" | sed 's/"u0"/"w0"/; s/pw-u0-/pw-w0-/')
probe=$(curl -sS -H "Authorization: Bearer $CLIENT" -H 'Content-Type: application/json' -d "$first" \
  "http://127.0.0.1:$HTTP_PORT/v1/authenticate" || true)
case "$probe" in *ACCEPT*) ;; *) echo "a first password login was not accepted: $probe"; tail -20 "$work/jeton.log"; exit 1 ;; esac
# Each wrk thread formats its share of the bodies once, before the run (as bench.sh does), then cycles through them.
cat > "$work/rush.lua" <<LUA
local requests, count, counter = {}, 0, 0
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
echo "users=$USERS connections=$CONNECTIONS seconds=$SECONDS_ pool=${JETON_LDAP_POOL_SIZE:-default(8)} passwords=$HASH index=$INDEX slapd_threads=$SLAPD_THREADS"
# The quiet wait comes before the warm-up, which the first measured run follows at once: a pause between them would let
# the JIT's code go cold, and the warm-up itself lifts the 1-minute load average by about one (Jeton, slapd, wrk).
wait_quiet warm-up
if [ "$WARMUP_SECONDS" -gt 0 ]; then
  BODIES="$work/warm.txt" THREADS=$WRK_THREADS wrk -t"$WRK_THREADS" -c"${CONNECTIONS%%,*}" -d"${WARMUP_SECONDS}s" \
    --timeout 5s -s "$work/rush.lua" "http://127.0.0.1:$HTTP_PORT" > "$work/warm.out"
  echo "warm-up: $(grep '^RESULT' "$work/warm.out")"
fi
REDIS_PID=$(redis-cli -p "$REDIS_PORT" info server | awk -F: '/^process_id:/{print $2}' | tr -d '\r')
cputicks() { awk '{printf "%s ", $14 + $15}' "/proc/$1/stat"; }
waitns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $2} END {printf "%.0f ", s}'; }
# After the warm-up the load average counts this script's own processes too (about one more per 10 s of warm-up), so each
# measured run waits instead (bounded: 10 minutes, checking every 20 s) until OTHER processes use less than OTHERS_MAX
# cores (default 0.5) over 3 s: all CPU time of /proc/stat minus that of Jeton, Redis, slapd. After a wait, 5 s of
# warm-up again, so that the measured run does not start on code the JIT let go cold.
ours() { local t=0; for p in "$JPID" "$REDIS_PID" "$SLAPD_PID"; do t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat") )); done; echo $t; }
busy() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
others_cores() { local b0 o0 b1 o1; b0=$(busy); o0=$(ours); sleep 3; b1=$(busy); o1=$(ours)
  python3 -c "print('%.2f' % ((($b1 - $b0) - ($o1 - $o0)) / 3.0 / $(getconf CLK_TCK)))"; }
quiet_others() {  # label
  local o waited=0
  for i in $(seq 31); do
    o=$(others_cores)
    if python3 -c "import sys; sys.exit(0 if $o < ${OTHERS_MAX:-0.5} else 1)"; then break; fi
    [ "$i" = 31 ] && { echo "$1: other processes still use $o cores after 10 minutes: measuring anyway (figures suspect)"; break; }
    echo "$1: other processes use $o cores (load average $(cut -d' ' -f1 /proc/loadavg)), waiting" >&2; waited=1; sleep 20
  done
  echo "$1: other processes $o cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (this script's processes included)"
  if [ "$waited" = 1 ] && [ "$WARMUP_SECONDS" -gt 0 ]; then
    BODIES="$work/warm.txt" THREADS=$WRK_THREADS wrk -t"$WRK_THREADS" -c"${CONNECTIONS%%,*}" -d5s \
      --timeout 5s -s "$work/rush.lua" "http://127.0.0.1:$HTTP_PORT" > /dev/null; fi
}
# CONNECTIONS may be a list (64,16): one measured run each, on the same warm Jeton, slapd and Redis, the same users.
run=0
for conns in ${CONNECTIONS//,/ }; do
run=$(( run + 1 ))
quiet_others "run $run"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
cpu_before="$(cputicks "$JPID")$(cputicks "$REDIS_PID")$(cputicks "$SLAPD_PID")$(waitns "$JPID")$(waitns "$SLAPD_PID")"
BODIES="$work/bodies.txt" THREADS=$WRK_THREADS /usr/bin/time -f 'WRKCPU %U %S' -o "$work/wrk.cpu" \
  wrk -t"$WRK_THREADS" -c"$conns" -d"${SECONDS_}s" \
  --timeout 5s -s "$work/rush.lua" "http://127.0.0.1:$HTTP_PORT" > "$work/wrk.out"
cpu_after="$(cputicks "$JPID")$(cputicks "$REDIS_PID")$(cputicks "$SLAPD_PID")$(waitns "$JPID")$(waitns "$SLAPD_PID")"
result=$(grep '^RESULT' "$work/wrk.out")
wrk_cpu=$(awk '/^WRKCPU/{print $2 + $3}' "$work/wrk.cpu")
echo "--- run $run: connections=$conns"
python3 - "$result" "$USERS" "$cpu_before" "$cpu_after" "$(getconf CLK_TCK)" "$wrk_cpu" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import sys
f = dict(kv.split("=") for kv in sys.argv[1].split()[1:])
req, non2xx, secs = int(f["requests"]), int(f["non2xx"]), float(f["seconds"])
users = int(sys.argv[2])
print("requests=%d accept_per_s=%.0f (non-2xx %d, socket errors %s) p50=%sms p99=%sms p99.9=%sms"
      % (req, (req - non2xx) / secs, non2xx, f["errors"], f["p50_ms"], f["p99_ms"], f["p999_ms"]))
d = [int(a) - int(b) for a, b in zip(sys.argv[4].split(), sys.argv[3].split())]
tick = 1e6 / int(sys.argv[5])
n = max(req, 1)
print("CPU per login (microseconds): jeton %.1f, redis %.1f, slapd %.1f, wrk %.1f; cores busy: jeton %.2f, redis %.2f, slapd %.2f"
      % (d[0] * tick / n, d[1] * tick / n, d[2] * tick / n, float(sys.argv[6]) * 1e6 / n,
         d[0] * tick / 1e6 / secs, d[1] * tick / 1e6 / secs, d[2] * tick / 1e6 / secs))
print("waiting for a core during the run (share of its duration, threads summed): jeton %.0f%%, slapd %.0f%%"
      % (d[3] / 1e7 / secs, d[4] / 1e7 / secs))
print("load average before %s, after %s" % (sys.argv[7], sys.argv[8]))
if req > users:
    print("note: %d requests for %d users: each user logged in %.1f times (the first ACCEPT adds the user to Jeton)"
          % (req, users, req / users))
PY
done
dirmetrics=$(curl -sS "http://127.0.0.1:$ADMIN_PORT/metrics" 2>/dev/null | grep -E '^jeton_directory_requests_seconds_count' | grep -Ev ' 0(\.0)?$' || true)
echo "directory requests seen by Jeton (warm-up included):"; echo "$dirmetrics" | sed 's/^/  /'
