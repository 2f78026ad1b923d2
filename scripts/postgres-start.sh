#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the tests (Debian package, as root).
# Usage:  eval "$(scripts/postgres-start.sh)"   -> exports PG_URL and PGROOT
#         scripts/postgres-stop.sh             -> stops it and removes its data
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends postgresql >&2
fi
PGBIN=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -1)/bin
PGPORT=${PGPORT:-55432}
PGROOT=$(mktemp -d /tmp/aandacht-pg.XXXXXX)
chown postgres:postgres "$PGROOT"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGROOT/data" -U postgres -E UTF8 --locale=C.UTF-8 \
  --auth-local=trust --auth-host=scram-sha-256 >"$PGROOT/initdb.log"
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/server.log" -w -t 60 \
  -o "-p $PGPORT -k $PGROOT -c listen_addresses=127.0.0.1 -c fsync=off" start >&2
for _ in $(seq 30); do "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" && break; sleep 1; done
psql -q -h "$PGROOT" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE aandacht LOGIN PASSWORD 'aandacht'" -c "CREATE DATABASE aandacht OWNER aandacht" >&2
echo "export PGROOT=$PGROOT PGBIN=$PGBIN"
echo "export PG_URL=postgres://aandacht:aandacht@127.0.0.1:$PGPORT/aandacht"
