#!/usr/bin/env bash
# PUSH as production runs it: gunicorn and the background-task worker side by side, with the
# production settings, PostgreSQL (DATABASE_URL) and Redis (REDIS_URL). `make serve` calls it.
#   Workers: WEB_CONCURRENCY, or 2 x CPU + 1.   Address: HOST (0.0.0.0) and PORT (8000).
# Ctrl-C or TERM stops both; if either stops on its own, the other is stopped too, and the
# script exits non-zero so that a supervisor restarts the pair.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.production}

missing=()
case "${DATABASE_URL:-}" in
  postgres://* | postgresql://* | postgis://*) ;;
  "") missing+=("DATABASE_URL (PostgreSQL, e.g. postgres://push:PASSWORD@db:5432/push)") ;;
  *) missing+=("DATABASE_URL must point at PostgreSQL (postgres://...), not ${DATABASE_URL%%:*}") ;;
esac
case "${REDIS_URL:-}" in
  redis://* | rediss://*) ;;
  *) missing+=("REDIS_URL (e.g. redis://redis:6379/0), the cache shared by every process") ;;
esac
for var in SECRET_KEY PUSH_PSEUDONYM_KEY PUSH_FILE_KEY; do
  [ -n "${!var:-}" ] || missing+=("$var")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "make serve: cannot start as production does; missing or wrong:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  echo "See README.md, \"Running as in production\"." >&2
  exit 2
fi

cores=$(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 1)
workers=${WEB_CONCURRENCY:-$((2 * cores + 1))}
bind="${HOST:-0.0.0.0}:${PORT:-8000}"

"$PY" manage.py migrate --noinput -v 1
"$PY" manage.py collectstatic --noinput -v 0

# Access log on stdout: method, path WITHOUT the query string (%(U)s; a query can carry a
# codice fiscale or a name searched for), status, size, time in microseconds. No referer, no
# user agent.
access_format='%(t)s %(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(D)sus'

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

echo "PUSH: gunicorn with $workers workers on $bind, and the background-task worker"
"$PY" -m gunicorn config.wsgi:application \
  --workers "$workers" --bind "$bind" --no-control-socket \
  --access-logfile - --error-logfile - --access-logformat "$access_format" \
  --timeout "${GUNICORN_TIMEOUT:-60}" --graceful-timeout 30 &
pids+=($!)
"$PY" manage.py db_worker --no-reload -v 1 &
pids+=($!)

# Whichever stops first takes the other down with it.
status=0
wait -n || status=$?
echo "PUSH: a process stopped (status $status); stopping the other" >&2
exit $(( status == 0 ? 1 : status ))
