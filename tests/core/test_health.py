"""Liveness and readiness, as an orchestrator's probe calls them: anonymous, never throttled,
and naming the failing check without telling hosts or error texts.

The worker's signal is the task queue in the database: a task due for longer than
PUSH_HEALTH_WORKER_MAX_WAIT_SECONDS and still waiting means no worker is taking tasks."""

from datetime import timedelta
from unittest.mock import patch

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import OperationalError
from django.test import override_settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

PROBLEM = "application/problem+json"
SECRET_LOOKING = "could not connect to server at db-internal.regione.example:5432 password=hunter2"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@task()
def record_probe_task(marker):
    return marker


def test_liveness_asks_nothing_of_the_database(api):
    # No `db` fixture: any query here would make pytest-django fail the test.
    response = api.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_probes_are_never_throttled(api, db):
    # The anonymous rate is 120 a minute per address; a probe every second stays within it
    # only by luck, and several probes share one address.
    for _ in range(130):
        assert api.get("/api/v1/health").status_code == 200
    for _ in range(130):
        assert api.get("/api/v1/health/ready").status_code == 200


def test_ready_answers_each_check(api, db):
    response = api.get("/api/v1/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "worker": "ok"}}
    assert response["Cache-Control"] == "no-store"


def test_database_down_is_503_naming_the_database_without_its_error(api, db):
    def refused(*args, **kwargs):
        raise OperationalError(SECRET_LOOKING)

    # Only around the request: the test database's own teardown needs the connection back.
    with patch.object(connection, "cursor", refused):
        response = api.get("/api/v1/health/ready")
    assert response.status_code == 503
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == 503 and "database" in body["detail"]
    # The queue lives in the database too: the worker cannot be vouched for.
    assert body["checks"] == {"database": "failing", "cache": "ok", "worker": "failing"}
    assert "db-internal" not in response.content.decode() and "hunter2" not in response.content.decode()


def test_cache_failing_is_503_naming_the_cache(api, db, monkeypatch):
    def refused(*args, **kwargs):
        raise ConnectionError(SECRET_LOOKING)  # what redis-py raises when Redis is gone

    monkeypatch.setattr(caches["default"], "set", refused)
    response = api.get("/api/v1/health/ready")
    assert response.status_code == 503
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["checks"] == {"database": "ok", "cache": "failing", "worker": "ok"}
    assert "hunter2" not in response.content.decode()


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_cache_that_keeps_nothing_is_not_ready(api, db):
    # A cache that accepts writes and forgets them shares nothing between processes.
    response = api.get("/api/v1/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "failing"


@override_settings(TASKS=DB_TASKS, PUSH_HEALTH_WORKER_MAX_WAIT_SECONDS=600)
def test_worker_stale_when_a_due_task_waits_too_long_and_ready_again_once_run(api, db, monkeypatch):
    # The worker runs inside the test's transaction: its SQLite "BEGIN EXCLUSIVE" becomes a
    # savepoint (on PostgreSQL it is transaction.atomic already) and it keeps the connection.
    worker = "django_tasks_db.management.commands.db_worker"
    monkeypatch.setattr(f"{worker}.exclusive_transaction", lambda using=None: transaction.atomic(using=using))
    monkeypatch.setattr(f"{worker}.close_old_connections", lambda: None)
    result = record_probe_task.enqueue("probe")
    # Just queued: the worker has time to take it.
    assert api.get("/api/v1/health/ready").status_code == 200

    DBTaskResult.objects.filter(id=result.id).update(enqueued_at=timezone.now() - timedelta(seconds=601))
    response = api.get("/api/v1/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "worker": "failing"}
    assert "worker" in response.json()["detail"]

    # The worker, as production runs it, takes the task: ready again.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    assert api.get("/api/v1/health/ready").status_code == 200


@override_settings(TASKS=DB_TASKS, PUSH_HEALTH_WORKER_MAX_WAIT_SECONDS=600)
def test_a_task_scheduled_for_later_is_not_a_stale_worker(api, db):
    result = record_probe_task.using(run_after=timezone.now() + timedelta(hours=1)).enqueue("later")
    DBTaskResult.objects.filter(id=result.id).update(enqueued_at=timezone.now() - timedelta(days=1))
    assert api.get("/api/v1/health/ready").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/health/ready"])
def test_health_paths_are_in_the_schema(api, db, path):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert "get" in schema["paths"][path]
    assert schema["paths"][path]["get"]["security"] == [{}] or "security" not in schema["paths"][path]["get"]
