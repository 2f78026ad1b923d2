#!/usr/bin/env bash
# Stop the server started by scripts/postgres-start.sh and remove its data.
set -u
[ -n "${PGROOT:-}" ] && [ -d "$PGROOT" ] || exit 0
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null 2>&1
rm -rf "$PGROOT"
