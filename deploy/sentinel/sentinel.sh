#!/bin/sh
# Starts one Redis Sentinel of the compose profile "sentinel" (deploy/compose.yaml): writes its configuration at
# the first start, then runs the command given as arguments with the file and --sentinel appended, e.g.
#   sh sentinel.sh docker-entrypoint.sh redis-server
#
# Environment:
#   REDIS_PASSWORD   the data nodes' password (sentinel auth-pass); required. The sentinels have none of their own:
#                    they are reachable on the compose network only.
#   MASTER_HOST, MASTER_PORT  the master at the very first start (default redis-a 6379)
#   MASTER_NAME      default mymaster (Jeton's JETON_REDIS_MASTER_NAME)
#   QUORUM           sentinels that must agree the master is down (default 2 of the 3)
#   DOWN_AFTER_MS    how long the master may not answer before it is considered down (default 5000)
#   FAILOVER_TIMEOUT_MS  default 30000
#   ANNOUNCE_HOST    the name this sentinel gives the others (default: the container's hostname)
#   PORT             default 26379;  DATA_DIR  default /data (a volume: Sentinel rewrites its file with the current
#                    master, the other sentinels and the replicas, and must find it again after a restart).
#   BIND             addresses to listen on (default: Redis's own, every interface of the container).
#
# Hostnames everywhere (resolve-hostnames, announce-hostnames): Sentinel hands Jeton "redis-b 6379", never a
# container IP, which changes when a container is recreated.
set -eu

: "${REDIS_PASSWORD:=}"
if [ -z "$REDIS_PASSWORD" ]; then
  echo "sentinel.sh: REDIS_PASSWORD is empty: set JETON_REDIS_PASSWORD in deploy/.env (openssl rand -hex 32)" >&2
  exit 2
fi
case "$REDIS_PASSWORD" in
  *[!A-Za-z0-9._~+/=-]*)
    echo "sentinel.sh: JETON_REDIS_PASSWORD may hold only A-Z a-z 0-9 . _ ~ + / = - (openssl rand -hex 32)" >&2
    exit 2 ;;
esac
[ $# -gt 0 ] || { echo "usage: sentinel.sh command [args...] (the configuration file is appended)" >&2; exit 2; }

PORT=${PORT:-26379}
DATA_DIR=${DATA_DIR:-/data}
ANNOUNCE_HOST=${ANNOUNCE_HOST:-$(hostname)}
MASTER_NAME=${MASTER_NAME:-mymaster}
MASTER_HOST=${MASTER_HOST:-redis-a}
MASTER_PORT=${MASTER_PORT:-6379}
QUORUM=${QUORUM:-2}
DOWN_AFTER_MS=${DOWN_AFTER_MS:-5000}
FAILOVER_TIMEOUT_MS=${FAILOVER_TIMEOUT_MS:-30000}
conf="$DATA_DIR/sentinel.conf"

umask 077
if [ ! -f "$conf" ]; then
  {
    echo "port $PORT"
    [ -z "${BIND:-}" ] || echo "bind $BIND"
    echo "dir $DATA_DIR"
    echo "sentinel resolve-hostnames yes"
    echo "sentinel announce-hostnames yes"
    echo "sentinel announce-ip $ANNOUNCE_HOST"
    echo "sentinel announce-port $PORT"
    echo "sentinel monitor $MASTER_NAME $MASTER_HOST $MASTER_PORT $QUORUM"
    echo "sentinel down-after-milliseconds $MASTER_NAME $DOWN_AFTER_MS"
    echo "sentinel failover-timeout $MASTER_NAME $FAILOVER_TIMEOUT_MS"
    echo "sentinel parallel-syncs $MASTER_NAME 1"
  } > "$conf"
fi
# The password may have changed since the file was written: set it anew (after the monitor line it belongs to).
grep -v "^sentinel auth-pass $MASTER_NAME " "$conf" > "$conf.new" || true
echo "sentinel auth-pass $MASTER_NAME \"$REDIS_PASSWORD\"" >> "$conf.new"
mv "$conf.new" "$conf"

exec "$@" "$conf" --sentinel
