#!/usr/bin/env bash
# The production topology, started as `make serve` starts it (gunicorn + the task worker,
# production settings, PostgreSQL, Redis, WhiteNoise's hashed and compressed files) on a
# throw-away database with the demo data, then probed: readiness, the public home page and a
# notice, a hashed stylesheet served compressed. Stops everything it started. CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8271}
DB="push_ci_serve_$$"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/7}
export SECRET_KEY="ci-$(head -c 24 /dev/urandom | base64)" PUSH_PSEUDONYM_KEY="ci-pseudonyms-$$" PUSH_FILE_KEY="ci-files-$$"
export ALLOWED_HOSTS=127.0.0.1 WEB_CONCURRENCY=2
log=$(mktemp)
server=""

cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  dropdb -h 127.0.0.1 -U postgres --if-exists "$DB" 2>/dev/null || true
}
trap cleanup EXIT

createdb -h 127.0.0.1 -U postgres "$DB"
# The demo data, written with the development settings into the same database.
DJANGO_SETTINGS_MODULE=config.settings.dev "$PY" manage.py migrate --noinput -v 0
DJANGO_SETTINGS_MODULE=config.settings.dev "$PY" manage.py load_demo_data >/dev/null

HOST=127.0.0.1 PORT=$PORT PY=$PY scripts/serve.sh >"$log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; echo "make serve stopped before answering" >&2; exit 1; }
  sleep 1
done

fail() { echo "check_serve: $*" >&2; tail -40 "$log" >&2; exit 1; }
https=(-H "X-Forwarded-Proto: https")
ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/health/ready")
[ "$ready" = 200 ] || fail "readiness answered $ready"
home=$(curl -s "${https[@]}" -o /tmp/check_serve_home.html -w '%{http_code}' "http://127.0.0.1:$PORT/")
[ "$home" = 200 ] || fail "the home page answered $home"
notices=$(curl -s "${https[@]}" -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/avvisi/")
[ "$notices" = 200 ] || fail "the notices answered $notices"
css=$(grep -o '/static/css/push\.[0-9a-f]\{12\}\.css' /tmp/check_serve_home.html | head -1)
[ -n "$css" ] || fail "the home page names no hashed stylesheet"
encoding=$(curl -sI "${https[@]}" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$PORT$css" | tr -d '\r' | awk -F': ' 'tolower($1)=="content-encoding"{print $2}')
[ "$encoding" = gzip ] || fail "$css is served without compression"
echo "make serve: ready 200, home 200, notices 200, $css gzip"
kill -TERM "$server"
wait "$server" || true
server=""
if pgrep -f "bind 127.0.0.1:$PORT" >/dev/null; then
  fail "processes left running after TERM"
fi
echo "make serve: stopped cleanly"
