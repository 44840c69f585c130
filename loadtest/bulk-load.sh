#!/usr/bin/env bash
# Times POST /v1/admin/bulk with N users, each with a TOTP token (and, with PASSWORDS=1, a password), against a
# fresh Redis and a freshly built Jeton, all on loopback. Prints the elapsed time and Redis memory per user.
#   loadtest/bulk-load.sh [N]        (default 100000; needs java, mvn, redis-server, curl, python3)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
REDIS_PORT=$(free_port); HTTP_PORT=$(free_port); ADMIN_PORT=$(free_port)
cleanup() { [ -n "${JPID:-}" ] && kill "$JPID" 2>/dev/null; redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

[ -f target/jeton.jar ] || mvn -q -B package -DskipTests
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir "$work" >/dev/null
TOKEN=bulk-load-admin-token-$RANDOM$RANDOM
JETON_REDIS_URL=redis://127.0.0.1:$REDIS_PORT JETON_MASTER_KEY=$(head -c 32 /dev/urandom | base64) \
JETON_ADMIN_TOKEN=$TOKEN JETON_HTTP_HOST=127.0.0.1 JETON_HTTP_PORT=$HTTP_PORT JETON_ADMIN_PORT=$ADMIN_PORT \
JETON_LOG_LEVEL=WARN java -jar target/jeton.jar > "$work/jeton.log" 2>&1 &
JPID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$ADMIN_PORT/health/ready" >/dev/null && break; sleep 0.2; done

python3 - "$N" "${PASSWORDS:-0}" > "$work/users.ndjson" <<'PY'
import base64, hashlib, json, sys
n, pw = int(sys.argv[1]), sys.argv[2] == "1"
for i in range(n):
    seed = hashlib.sha256(b"bulk-load-test-key/%d" % i).digest()[:20]
    line = {"username": "user%07d" % i, "displayName": "User %d" % i,
            "token": {"serial": "BL%07d" % i, "type": "totp", "algorithm": "SHA1", "digits": 6, "period": 30,
                      "secret": base64.b32encode(seed).decode().rstrip("=")}}
    if pw:
        line["password"] = "password-%d" % i
    print(json.dumps(line))
PY
before=$(redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/{print $2}' | tr -d '\r')
start=$(date +%s.%N)
curl -sS -o "$work/result.json" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' \
  --data-binary "@$work/users.ndjson" "http://127.0.0.1:$ADMIN_PORT/v1/admin/bulk"
end=$(date +%s.%N)
after=$(redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/{print $2}' | tr -d '\r')
python3 - "$work/result.json" "$N" "$start" "$end" "$before" "$after" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); n = int(sys.argv[2])
secs = float(sys.argv[4]) - float(sys.argv[3])
print("lines=%d created=%d failed=%d seconds=%.1f lines_per_second=%.0f redis_bytes_per_user=%.0f"
      % (n, r["created"], len(r["failed"]), secs, n / secs, (int(sys.argv[6]) - int(sys.argv[5])) / n))
PY
