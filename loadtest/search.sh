#!/usr/bin/env bash
# Times the first page of GET /v1/admin/users?prefix=… (the helpdesk's search) at N users, against a fresh Redis
# and a freshly built Jeton, all on loopback. The users are loaded as bulk-load.sh does, through
# POST /v1/admin/bulk (in bodies of 100,000 lines, without tokens: the search reads none), with varied identifiers
# and display names; then REQUESTS searches, one at a time on one kept-alive connection, each with another prefix
# (2 to 5 characters of an identifier or a display name, in any case). Prints one line: the load, the median and
# p99 of the searches, and what the search index costs Redis per user.
#   loadtest/search.sh [N] [REQUESTS]   (defaults 100000 and 500; needs java, mvn, redis-server, curl, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
REQUESTS=${2:-500}
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
REDIS_PORT=$(free_port); HTTP_PORT=$(free_port); ADMIN_PORT=$(free_port)
cleanup() { [ -n "${JPID:-}" ] && kill "$JPID" 2>/dev/null; redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

[ -f target/jeton.jar ] || mvn -q -B package -DskipTests
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir "$work" >/dev/null
TOKEN=search-admin-token-$RANDOM$RANDOM
JETON_REDIS_URL=redis://127.0.0.1:$REDIS_PORT JETON_MASTER_KEY=$(head -c 32 /dev/urandom | base64) \
JETON_ADMIN_TOKEN=$TOKEN JETON_HTTP_HOST=127.0.0.1 JETON_HTTP_PORT=$HTTP_PORT JETON_ADMIN_PORT=$ADMIN_PORT \
JETON_LOG_LEVEL=WARN java -jar target/jeton.jar > "$work/jeton.log" 2>&1 &
JPID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$ADMIN_PORT/health/ready" >/dev/null && break; sleep 0.2; done

python3 - "$N" "$ADMIN_PORT" "$TOKEN" "$REQUESTS" "$REDIS_PORT" <<'PY'
import http.client, json, random, statistics, subprocess, sys, time
from urllib.parse import quote

n, port, token, requests, redis_port = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
FIRST = ["Camille", "Léa", "Louis", "Emma", "Hugo", "Chloé", "Jules", "Inès", "Gabriel", "Manon", "Arthur", "Zoé",
         "Nathan", "Sarah", "Théo", "Jade", "Lucas", "Anaïs", "Adam", "Élodie", "Noah", "Lina", "Mathis", "Océane"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
        "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
        "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand"]
ASCII = str.maketrans("éèêëïîôöàâçÉ", "eeeeiiooaacE")
rnd = random.Random(18)

def person(i):
    first, last = rnd.choice(FIRST), rnd.choice(LAST)
    ident = ("%s.%s%d" % (first, last, i)).lower().translate(ASCII)
    return ident, "%s %s" % (first, last) if i % 2 else "%s %s" % (last.upper(), first)

def call(conn, method, path, body=None, ctype="application/json"):
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = ctype
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        sys.exit("%s %s answered %d: %s" % (method, path, r.status, data[:200]))
    return json.loads(data)

conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
people = []
start = time.perf_counter()
created = 0
for chunk in range(0, n, 100_000):
    lines = []
    for i in range(chunk, min(n, chunk + 100_000)):
        ident, name = person(i)
        if i % 997 == 0:
            people.append((ident, name))
        lines.append(json.dumps({"username": ident, "displayName": name}))
    r = call(conn, "POST", "/v1/admin/bulk", ("\n".join(lines) + "\n").encode(), "application/x-ndjson")
    created += r["created"]
load_seconds = time.perf_counter() - start
if created != n:
    sys.exit("bulk load created %d of %d" % (created, n))

def prefix():
    ident, name = rnd.choice(people)
    source = rnd.choice([ident, name, name.split(" ")[-1]])
    p = source[: rnd.randint(2, 5)]
    return rnd.choice([p, p.upper(), p.lower(), p.capitalize()])

for _ in range(50):  # warm-up: the JIT, the connection
    call(conn, "GET", "/v1/admin/users?prefix=" + quote(prefix()))
times, found = [], []
for _ in range(requests):
    path = "/v1/admin/users?prefix=" + quote(prefix())
    t = time.perf_counter()
    r = call(conn, "GET", path)
    times.append((time.perf_counter() - t) * 1000)
    found.append(len(r["users"]))
times.sort()
p99 = times[min(len(times) - 1, int(round(0.99 * len(times))) - 1)]
index = subprocess.run(["redis-cli", "-p", redis_port, "memory", "usage", "jeton:{idx}:users", "samples", "0"],
                       capture_output=True, text=True).stdout.strip()
print("users=%d load_seconds=%.1f requests=%d median_ms=%.2f p99_ms=%.2f max_ms=%.2f mean_found=%.1f "
      "index_bytes_per_user=%.0f"
      % (n, load_seconds, requests, statistics.median(times), p99, times[-1], statistics.mean(found),
         int(index or 0) / n))
PY
