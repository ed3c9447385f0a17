#!/usr/bin/env bash
# The scale-out topology, proven on this machine: TWO app processes (gunicorn, production
# settings, two ports) and ONE background-task worker (`manage.py db_worker`) sharing one
# PostgreSQL database, one Redis cache and one files directory (object storage in the Region).
#
#   1. an ARCA officer signs in through process A (the admin's sign-in form, with its CSRF token);
#   2. uploads a units file through A's admin (multipart POST, as the browser does);
#   3. the worker, not A, runs the import: the job is polled through process B until it is done;
#   4. the imported units are read through B (the API, with the session opened on A).
#
# Requests carry X-Forwarded-Proto: https and the Origin/Referer a browser sends behind the
# Region's reverse proxy, so production's HTTPS-only cookies and CSRF checks are exercised as
# they are. Everything started here is stopped on exit, whatever happens (trap). CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
DB="push_ci_topology_$$"
UNITS=${TOPOLOGY_UNITS:-40}
work=$(mktemp -d -t push-topology-XXXXXX)

export DJANGO_SETTINGS_MODULE=config.settings.production
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" DATABASE_CONN_MAX_AGE=0
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export PUSH_CACHE_KEY_PREFIX="push-topology-$$"
export SECRET_KEY="topology-$(head -c 24 /dev/urandom | base64)" PUSH_PSEUDONYM_KEY="topology-pseudonyms-$$"
PUSH_FILE_KEY=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_')
export PUSH_FILE_KEY
export ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
export MEDIA_ROOT="$work/media" PRIVATE_MEDIA_ROOT="$work/private" STATIC_ROOT="$work/static" PUSH_VAR_DIR="$work"
export TOPOLOGY_PASSWORD="topology-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')"

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT_A=$(free_port)
PORT_B=$(free_port)
while [ "$PORT_B" = "$PORT_A" ]; do PORT_B=$(free_port); done

pids=()
cleanup() {
  status=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for log in "$work"/*.log; do [ -f "$log" ] && { echo "--- $(basename "$log")" >&2; tail -30 "$log" >&2; }; done
  fi
  dropdb -h 127.0.0.1 -U postgres --if-exists "$DB" 2>/dev/null || true
  "$PY" -c "import redis, os; r = redis.Redis.from_url(os.environ['REDIS_URL']); keys = list(r.scan_iter(os.environ['PUSH_CACHE_KEY_PREFIX'] + ':*')); keys and r.delete(*keys)" 2>/dev/null || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! "$PY" -c "import redis, os; redis.Redis.from_url(os.environ['REDIS_URL'], socket_connect_timeout=2).ping()" 2>/dev/null; then
  echo "check_topology: Redis is not reachable at $REDIS_URL" >&2
  exit 1
fi

say() { echo "topology: [$(date -u +%T)] $*"; }
say "database $DB, Redis $REDIS_URL: migrate, collectstatic, entities, an ARCA officer"
createdb -h 127.0.0.1 -U postgres "$DB"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
"$PY" manage.py load_entities >/dev/null
# The officer of ARCA Sud Salento for the property register, as an accreditation leaves them,
# and the units file they upload (the import's own column specification, Comune of Lecce).
"$PY" manage.py shell -v 0 -c "
import os
from django.utils import timezone
from registry import roles
from registry.models import AccreditationState, Area, Entity, Membership, Role, User
from registry.stock.spec import UNIT_COLUMNS
from core.tabular import write_csv
arca = Entity.objects.get(code='750000')
Entity.objects.filter(pk=arca.pk).update(accreditation_state=AccreditationState.ACCREDITED, accredited_on=timezone.localdate())
user = User(username='topology.arca', first_name='Topologia', last_name='Arca', email='topology@push.example.it')
user.set_password(os.environ['TOPOLOGY_PASSWORD'])
user.save()
Membership.objects.create(user=user, entity=arca, role=Role.OFFICER, area=Area.PROPERTY_REGISTER, valid_from=timezone.localdate())
roles.sync_user_groups(user)
example = {column.key: column.example for column in UNIT_COLUMNS}
rows = []
for n in range(1, $UNITS + 1):
    values = dict(example, unit_id=f'TOPO-{n}', building_id=f'TOPO-B{(n - 1) // 10 + 1}', comune_code='075035', manager_code='', internal_number=str(n), building_latitude='', building_longitude='')
    rows.append([values[column.key] for column in UNIT_COLUMNS])
with open('$work/alloggi.csv', 'w', encoding='utf-8', newline='') as handle:
    write_csv([column.header for column in UNIT_COLUMNS], rows, handle)
"

say "starting app process A on port $PORT_A, B on port $PORT_B, and the worker"
access_format='%(t)s "%(m)s %(U)s" %(s)s %(D)sus'
for name in A B; do
  port_var="PORT_$name"
  "$PY" -m gunicorn config.wsgi:application --workers 2 --bind "127.0.0.1:${!port_var}" --no-control-socket \
    --access-logfile - --access-logformat "$name $access_format" --timeout 60 >"$work/app-$name.log" 2>&1 &
  pids+=($!)
done
"$PY" manage.py db_worker --no-reload -v 1 >"$work/worker.log" 2>&1 &
pids+=($!)

for port in "$PORT_A" "$PORT_B"; do
  for _ in $(seq 1 90); do
    curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "check_topology: a process stopped at start" >&2; exit 1; }; done
    sleep 1
  done
  curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null || { echo "check_topology: port $port never answered" >&2; exit 1; }
done

say "all three started"
PORT_A=$PORT_A PORT_B=$PORT_B UNITS=$UNITS CSV="$work/alloggi.csv" "$PY" - <<'PYTHON'
import os
import re
import sys
import time

import requests

A = f"http://127.0.0.1:{os.environ['PORT_A']}"
B = f"http://127.0.0.1:{os.environ['PORT_B']}"
UNITS = int(os.environ["UNITS"])


def fail(message):
    sys.exit(f"check_topology: {message}")


# The browser's cookies, kept by hand: the proxy terminates HTTPS, so the Secure cookies go back
# to the app processes over plain HTTP (a cookie jar would rightly hold them back).
cookies = {}


def send(method, base, path, headers=None, **kwargs):
    headers = {"X-Forwarded-Proto": "https", **(headers or {})}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    response = requests.request(method, base + path, headers=headers, allow_redirects=False, timeout=60, **kwargs)
    cookies.update(response.cookies.get_dict())
    return response


def get(base, path, **kwargs):
    return send("GET", base, path, **kwargs)


def post(base, path, **kwargs):
    origin = "https://" + base.removeprefix("http://")
    headers = {"Origin": origin, "Referer": origin + path, "X-CSRFToken": cookies.get("csrftoken", "")}
    return send("POST", base, path, headers=headers, **kwargs)


# 1. Sign in through A.
login = get(A, "/admin/login/")
if login.status_code != 200 or "csrftoken" not in cookies:
    fail(f"A's sign-in page answered {login.status_code} without a CSRF cookie")
signed_in = post(
    A,
    "/admin/login/",
    data={
        "username": "topology.arca",
        "password": os.environ["TOPOLOGY_PASSWORD"],
        "csrfmiddlewaretoken": cookies["csrftoken"],
    },
)
if signed_in.status_code != 302:
    fail(f"sign-in through A answered {signed_in.status_code}")

# 2. Upload the units file through A's admin, as the browser posts the form.
form = get(A, "/admin/registry/importjob/create/")
if form.status_code != 200:
    fail(f"A's upload page answered {form.status_code}")
owner = re.search(r'<option value="(\d+)"[^>]*>[^<]*Sud Salento', form.text)
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
if not owner or not token:
    fail("A's upload page offers no ARCA Sud Salento or no CSRF token")
with open(os.environ["CSV"], "rb") as handle:
    uploaded = post(
        A,
        "/admin/registry/importjob/create/",
        data={"owner": owner.group(1), "csrfmiddlewaretoken": token.group(1)},
        files={"file": ("alloggi.csv", handle, "text/csv")},
    )
job = re.search(r"/inspect/(\d+)/$", uploaded.headers.get("Location", ""))
if uploaded.status_code != 302 or not job:
    fail(f"the upload through A answered {uploaded.status_code}, not the job's status page")
job = job.group(1)
print(f"topology: officer signed in and file uploaded through A ({A}), import job {job}")

# 3. The worker runs it; its progress is read through B with the same session.
deadline = time.monotonic() + 120
while True:
    progress = get(B, f"/admin/registry/imports/{job}/progress/")
    if progress.status_code != 200:
        fail(f"B answered {progress.status_code} for the job's progress")
    state = progress.json()
    if state["finished"]:
        break
    if time.monotonic() > deadline:
        fail(f"the worker did not finish the import in 120 s: {state}")
    time.sleep(0.5)
if state["status"] != "done" or state["processed_rows"] != UNITS:
    report = get(A, f"/admin/registry/imports/{job}/report.csv").content.decode("utf-8-sig")
    fail(f"the import ended {state}:\n" + "\n".join(report.splitlines()[:6]))
print(f"topology: import finished, its progress polled through B ({B}): {state['status']}, {UNITS} rows")

# 4. The units, read through B's API.
listing = get(B, "/api/v1/units", params={"owner": "750000", "limit": 500})
if listing.status_code != 200:
    fail(f"B's API answered {listing.status_code}")
ids = sorted(unit["local_id"] for unit in listing.json()["results"])
expected = sorted(f"TOPO-{n}" for n in range(1, UNITS + 1))
if ids != expected:
    fail(f"B's API lists {len(ids)} units, not the {UNITS} imported: {ids[:5]}…")
print(f"topology: B's API lists the {UNITS} units imported through A")
PYTHON

# Who ran it: the task's result names the worker that claimed it (not an app process).
"$PY" manage.py shell -v 0 -c "
from django_tasks_db.models import DBTaskResult
runs = DBTaskResult.objects.filter(task_path__endswith='run_import_task')
assert [(r.status, bool(r.worker_ids)) for r in runs] == [('SUCCESSFUL', True)], list(runs.values('status', 'worker_ids'))
print('topology: the import task ran in the worker', runs.get().worker_ids[0])
"

# Everything started here stops on TERM.
for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
pids=()
if pgrep -f "127.0.0.1:($PORT_A|$PORT_B)" >/dev/null; then
  echo "check_topology: processes left running after TERM" >&2
  exit 1
fi
echo "topology: two app processes and the worker stopped cleanly"

say "the backup of what this run made, restored into a new database and compared"
PY=$PY bash scripts/check_backup.sh
