"""What the benchmarks share: a fresh database for each run, on SQLite or PostgreSQL."""

from pathlib import Path
from urllib.parse import urlparse


def prepare_database(vendor: str, url: str) -> None:
    """An empty database at `url`: the SQLite file removed, or the PostgreSQL database
    dropped and created again (never the one the project runs on: callers add a suffix)."""
    if vendor == "sqlite":
        path = Path(urlparse(url).path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        return
    _postgres(url, drop=True, create=True)


def drop_database(vendor: str, url: str) -> None:
    if vendor == "postgresql":
        _postgres(url, drop=True, create=False)


def _postgres(url: str, *, drop: bool, create: bool) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as connection:
        if drop:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')
