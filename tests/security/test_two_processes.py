"""Two server processes, one database and one cache: a page withdrawn through one is gone from
the other at once, although the other had it in the page cache.

With a cache in each process's memory, the second server went on serving the withdrawn page
from its own copy for up to ten minutes. Both servers here are gunicorn with the production
settings (tests/security/server_settings.py: DEBUG off, Redis, page cache on), on PostgreSQL.

The page is published from this test process, as `manage.py publish_scheduled` would (the same
`revision.publish()` and signals, a third process), and withdrawn through server A's admin as an
editor would; it is read anonymously through server B, and through A.

Needs PostgreSQL (`DATABASE_URL=postgres://…`) and Redis (`REDIS_URL`); CI runs it with both
(.ci/run). Elsewhere it is skipped, saying why."""

import base64
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.utils import timezone

from cms import demo
from cms.models import NoticeIndexPage, NoticePage
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent
HOST = "push.example.it"  # what the reverse proxy passes on to every worker alike
PASSWORD = "two-processes-password-2026"
# CI sets this: there a missing Redis or PostgreSQL fails the run instead of skipping the test.
REQUIRED = os.environ.get("PUSH_TWO_PROCESSES_REQUIRED") == "1"
# Decided before any database is set up: a transactional test empties the database at its end
# (serialized_rollback brings Wagtail's initial data back for the next such test only).
pytestmark = [
    pytest.mark.skipif(
        not REQUIRED and not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: the servers need a shared Redis"
    ),
    pytest.mark.skipif(
        not REQUIRED and not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="DATABASE_URL is not PostgreSQL: the servers and the test share one database server",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def unavailable(reason: str):
    if REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        unavailable("REDIS_URL is not set: the two servers need a shared Redis cache (CI sets it)")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as error:  # noqa: BLE001 - any failure means the same: no Redis here
        unavailable(f"Redis at {url} is not reachable: {error}")
    return url


def database_url() -> str:
    if connection.vendor != "postgresql":
        unavailable("needs PostgreSQL (DATABASE_URL=postgres://…): the servers and the test share one database")
    conf = connection.settings_dict
    credentials = conf["USER"] + (f":{conf['PASSWORD']}" if conf["PASSWORD"] else "")
    return f"postgres://{credentials}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{conf['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, name, env, log_dir):
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"server-{name}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi:application",
                    f"--bind=127.0.0.1:{self.port}",
                    "--workers=1",
                    "--access-logfile=-",
                    "--timeout=60",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_until_ready(self, deadline):
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server {self.name} exited:\n{self.log.read_text()[-3000:]}")
            try:
                # The first request loads the application: it may take several seconds.
                requests.get(self.base + "/robots.txt", headers={"Host": HOST}, timeout=30)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise AssertionError(f"server {self.name} did not start:\n{self.log.read_text()[-3000:]}")

    def get(self, path, session=None):
        return (session or requests).get(self.base + path, headers={"Host": HOST}, timeout=30, allow_redirects=False)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def shared_cache(settings):
    """This process uses the servers' Redis too, under a key prefix of this run only."""
    url = redis_url()
    prefix = f"push-two-processes-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix}
    }
    return {"REDIS_URL": url, "PUSH_CACHE_KEY_PREFIX": prefix}


@pytest.fixture
def site(settings):
    demo.load()
    demo.load_content()
    # The servers check passwords with production's hasher, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    editor = UserFactory(username="two.processes", is_superuser=True, password=PASSWORD)
    return {"editor": editor}


@pytest.fixture
def servers(shared_cache, site, tmp_path):
    """Servers A and B, stopped at the end of the test whatever happened in it."""
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))},
        **shared_cache,
        "DJANGO_SETTINGS_MODULE": "tests.security.server_settings",
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "SECRET_KEY": "two-processes-" + uuid.uuid4().hex,
        "PUSH_PSEUDONYM_KEY": "two-processes-pseudonyms",
        "PUSH_FILE_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "PUSH_PAGE_CACHE": "true",
        "ALLOWED_HOSTS": HOST,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "PUSH_VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    started = []
    try:
        for name in ("A", "B"):
            started.append(Server(name, env, tmp_path))
        deadline = time.monotonic() + 120
        for server in started:
            server.wait_until_ready(deadline)
        yield started
    finally:
        for server in started:
            server.stop()


def sign_in(server, username, password) -> requests.Session:
    session = requests.Session()
    server.get("/admin/login/", session)
    response = session.post(
        server.base + "/admin/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Host": HOST},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:2000]
    return session


def test_a_page_withdrawn_through_one_server_is_gone_from_the_other_at_once(servers, site):
    server_a, server_b = servers
    notice = NoticePage(title="Avviso da ritirare", summary="Ritiro immediato", date=timezone.localdate())
    NoticeIndexPage.objects.get().add_child(instance=notice)
    notice.save_revision().publish()
    path = notice.url
    assert path.endswith("/avviso-da-ritirare/")

    first = server_b.get(path)
    assert first.status_code == 200 and "Avviso da ritirare" in first.text
    assert first.headers["X-Push-Cache"] == "miss"
    second = server_b.get(path)
    assert second.status_code == 200 and second.headers["X-Push-Cache"] == "hit"
    # The copy B put in the cache is A's copy too: one cache for every process.
    from_a = server_a.get(path)
    assert from_a.status_code == 200 and from_a.headers["X-Push-Cache"] == "hit"

    editor = sign_in(server_a, "two.processes", PASSWORD)
    editor.get(server_a.base + f"/admin/pages/{notice.pk}/unpublish/", headers={"Host": HOST}, timeout=30)
    withdrawn = editor.post(
        server_a.base + f"/admin/pages/{notice.pk}/unpublish/",
        data={"csrfmiddlewaretoken": editor.cookies["csrftoken"]},
        headers={"Host": HOST},
        allow_redirects=False,
        timeout=30,
    )
    assert withdrawn.status_code == 302, withdrawn.text[:2000]
    notice.refresh_from_db()
    assert notice.live is False

    gone = server_b.get(path)
    assert gone.status_code == 404 and "Avviso da ritirare" not in gone.text
    assert "X-Push-Cache" not in gone.headers
    assert server_a.get(path).status_code == 404


def test_a_page_published_by_another_process_appears_on_both_servers_at_once(servers, site):
    """The scheduled-publishing command is a third process: what it publishes reaches the
    servers' cached listings at once."""
    server_a, server_b = servers
    index_path = NoticeIndexPage.objects.get().url
    assert server_b.get(index_path).headers["X-Push-Cache"] == "miss"
    assert server_a.get(index_path).headers["X-Push-Cache"] == "hit"

    notice = NoticePage(title="Avviso appena uscito", summary="Nuovo", date=timezone.localdate())
    NoticeIndexPage.objects.get().add_child(instance=notice)
    notice.save_revision().publish()

    for server in (server_a, server_b):
        response = server.get(index_path)
        assert response.status_code == 200 and "Avviso appena uscito" in response.text, server.name
