"""A throw-away copy of the site with the demo content, for the accessibility check and the
site benchmark: a temporary SQLite database, migrated and filled by load_demo_data."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def throwaway_site(settings_module="config.settings.dev", extra_env=None):
    """Yield the environment of a migrated site with demo content; removed afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="push-site-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": f"sqlite:///{workdir / 'site.sqlite3'}",
        "PUSH_VAR_DIR": str(workdir),
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "STATIC_ROOT": str(workdir / "static"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        **(extra_env or {}),
    }
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [sys.executable, "manage.py", "load_demo_data", "--stock-scale", "0.001"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        yield env
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def serving(command, env, port):
    """Run a server command until the block ends; wait until it answers."""
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=15)
