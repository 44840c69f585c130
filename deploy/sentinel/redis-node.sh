#!/bin/sh
# Starts one Redis data node of the compose profile "sentinel" (deploy/compose.yaml): writes its configuration,
# then runs the command given as arguments with the configuration file appended, e.g.
#   sh redis-node.sh docker-entrypoint.sh redis-server      (in the official redis image: drops root, then runs)
#
# Environment:
#   REDIS_PASSWORD  the data nodes' password (requirepass, and masterauth to replicate); required. Letters, digits
#                   and . _ ~ + / = - only (openssl rand -hex 32 or -base64 32 give such passwords).
#   REPLICA_OF      "host port" of the master at the very first start; unset on the first master.
#   ANNOUNCE_HOST   the name this node gives Sentinel and its master (default: the container's hostname), so that
#                   every address the sentinels hand out is a compose service name, stable across restarts.
#   PORT            default 6379;  DATA_DIR  default /data (the volume: AOF and this configuration).
#   BIND            addresses to listen on (default: Redis's own, every interface of the container).
#
# Sentinel moves the master: it sends REPLICAOF and CONFIG REWRITE to the nodes, which rewrites redis.conf on the
# volume. So the role (replicaof or none) is taken from REPLICA_OF only when there is no redis.conf yet, and from
# the rewritten file afterwards; every other line is written anew at each start.
set -eu

: "${REDIS_PASSWORD:=}"
if [ -z "$REDIS_PASSWORD" ]; then
  echo "redis-node.sh: REDIS_PASSWORD is empty: set JETON_REDIS_PASSWORD in deploy/.env (openssl rand -hex 32)" >&2
  exit 2
fi
case "$REDIS_PASSWORD" in
  *[!A-Za-z0-9._~+/=-]*)
    echo "redis-node.sh: JETON_REDIS_PASSWORD may hold only A-Z a-z 0-9 . _ ~ + / = - (openssl rand -hex 32)" >&2
    exit 2 ;;
esac
[ $# -gt 0 ] || { echo "usage: redis-node.sh command [args...] (the configuration file is appended)" >&2; exit 2; }

PORT=${PORT:-6379}
DATA_DIR=${DATA_DIR:-/data}
ANNOUNCE_HOST=${ANNOUNCE_HOST:-$(hostname)}
conf="$DATA_DIR/redis.conf"

if [ -f "$conf" ]; then
  role=$(grep -E '^(replicaof|slaveof) ' "$conf" || true)
else
  role=${REPLICA_OF:+replicaof $REPLICA_OF}
fi

umask 077
{
  echo "# Written by deploy/sentinel/redis-node.sh at each start; Sentinel may append the role (replicaof)."
  echo "port $PORT"
  [ -z "${BIND:-}" ] || echo "bind $BIND"
  echo "dir $DATA_DIR"
  echo "requirepass \"$REDIS_PASSWORD\""
  echo "masterauth \"$REDIS_PASSWORD\""
  echo "replica-announce-ip $ANNOUNCE_HOST"
  echo "replica-announce-port $PORT"
  # AOF, fsync every second, as the default profile's Redis. noeviction: a dropped "code used" key would allow a
  # replay; when full, writes are refused and Jeton answers 503.
  echo "appendonly yes"
  echo "appendfsync everysec"
  echo "maxmemory-policy noeviction"
  # No min-replicas-to-write: Jeton's WAIT after each login does that job, per login (docs/redis-topologies.md).
  [ -z "$role" ] || echo "$role"
} > "$conf.new"
mv "$conf.new" "$conf"

exec "$@" "$conf"
