#!/usr/bin/env bash
# Serve the dashboard for a team, with Panel's log-in (see docs/hosting.md).
#
# Everything comes from the environment; secrets never from the command line (visible in `ps`):
#   AANDACHT_DATA            the data set (folder, .xlsx or database URL)   default data_samples
#   AANDACHT_ACCESS          access.yaml: logins -> CRM user and roles      required
#   AANDACHT_STORE           folder of monitors.sqlite                      default .aandacht/
#   AANDACHT_COOKIE_SECRET   signs the log-in cookie (or PANEL_COOKIE_SECRET), >= 32 characters
#   AANDACHT_CREDENTIALS     basic auth: credentials.json {login: password}, mode 0600
#   PANEL_OAUTH_PROVIDER     instead of basic auth: OAuth/OIDC (with PANEL_OAUTH_KEY,
#                            PANEL_OAUTH_SECRET, PANEL_OAUTH_ENCRYPTION, PANEL_OAUTH_REDIRECT_URI,
#                            PANEL_OAUTH_EXTRA_PARAMS as Panel reads them)
#   PORT (5006), ADDRESS (127.0.0.1), AANDACHT_ORIGIN (the public host[:port] for websockets)
# Extra arguments are passed on to `panel serve` (e.g. --log-level debug); not --num-procs.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "serve-hosted: $*" >&2; exit 2; }

# panel serve --num-procs N forks N processes that share the port: a page's websocket may reach
# another process than the one that made its session (bench/load_test.py -- --num-procs 2 on
# 07-12-2026: pages with the wrong login's figures, stylesheets asked of cdn.holoviz.org, half
# the sessions never finished). Run several servers on their own ports behind a proxy with
# sticky sessions instead (docs/hosting.md).
for arg in "$@"; do
  case "$arg" in
    --num-procs|--num-procs=*) die "--num-procs is not supported: a session's page and its \
websocket may reach different processes. Run several serve-hosted.sh on their own PORT behind \
a proxy with sticky sessions (docs/hosting.md, 'In front of it')" ;;
  esac
done

[ -n "${AANDACHT_ACCESS:-}" ] || die "set AANDACHT_ACCESS to the access.yaml that maps logins to roles"
[ -f "$AANDACHT_ACCESS" ] || die "AANDACHT_ACCESS: $AANDACHT_ACCESS does not exist"
export AANDACHT_DATA="${AANDACHT_DATA:-data_samples}"
export AANDACHT_REQUIRE_LOGIN=1   # no log-in configured by mistake = nothing shown, not everything

if [ -z "${PANEL_COOKIE_SECRET:-}" ]; then
  [ -n "${AANDACHT_COOKIE_SECRET:-}" ] || die "set AANDACHT_COOKIE_SECRET (or PANEL_COOKIE_SECRET): \
python -c 'import secrets; print(secrets.token_urlsafe(32))'"
  export PANEL_COOKIE_SECRET="$AANDACHT_COOKIE_SECRET"   # Panel reads it from the environment
fi
[ "${#PANEL_COOKIE_SECRET}" -ge 32 ] || die "the cookie secret must be at least 32 characters"
unset AANDACHT_COOKIE_SECRET

PORT="${PORT:-5006}"
ADDRESS="${ADDRESS:-127.0.0.1}"
ORIGIN="${AANDACHT_ORIGIN:-$ADDRESS:$PORT}"
PYTHON="${PYTHON:-.venv/bin/python}"

auth=()
if [ -n "${PANEL_OAUTH_PROVIDER:-}" ]; then
  [ -n "${PANEL_OAUTH_ENCRYPTION:-}" ] || die "set PANEL_OAUTH_ENCRYPTION (panel oauth-secret)"
else
  [ -n "${AANDACHT_CREDENTIALS:-}" ] || die "set AANDACHT_CREDENTIALS (basic auth) or PANEL_OAUTH_PROVIDER"
  [ -f "$AANDACHT_CREDENTIALS" ] || die "AANDACHT_CREDENTIALS: $AANDACHT_CREDENTIALS does not exist"
  if [ -n "$(find "$AANDACHT_CREDENTIALS" -perm /077 2>/dev/null)" ]; then
    echo "serve-hosted: WARNING: $AANDACHT_CREDENTIALS is readable by others; chmod 600 it" >&2
  fi
  auth=(--basic-auth "$AANDACHT_CREDENTIALS"
        --basic-login-template app/templates/login.html)
fi

# Bokeh discards a session that has had no websocket connection for 15 s (the default). When many
# people open the dashboard at once their pages connect late; in bench/load_test.py (20 sessions
# on 2 cores) such pages then asked cdn.holoviz.org for their stylesheets. With unused sessions
# kept for 5 minutes that did not happen. A closed page's session goes sooner: app/auth.py asks for it
# to be discarded 30 s after its page left (AANDACHT_CLOSED_SESSION_GRACE), checked every 5 s.
# A selection file is at most 5 MB (aandacht.selection.MAX_SELECTION_BYTES); it arrives base64
# encoded over the websocket, so 10 MB is the most a browser may send in one message.
exec "$PYTHON" -m panel serve app/app.py --port "$PORT" --address "$ADDRESS" \
  --allow-websocket-origin "$ORIGIN" \
  --logout-template app/templates/logout.html \
  --websocket-max-message-size 10000000 \
  --unused-session-lifetime 300000 \
  --check-unused-sessions 5000 \
  "${auth[@]}" "$@"
