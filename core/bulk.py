"""Bulk writes that bypass model instances: COPY on PostgreSQL, executemany elsewhere.

For tables filled by the hundred thousand (units, history, applicants), building a Django
model instance per row costs more than validating it. Callers pass plain tuples in the
order of `names` (model field names); values are Python values (Decimal, date, bool…).
No signals are sent and no `save()` runs: callers own the invariants.

For loads too large to hold (a national stock of a million units), `allocate_ids` reserves
primary keys before the rows are written, so that rows referring to each other (a unit and
its building, a history row and its unit) are written without reading back what was just
written, and `BackgroundWriter` runs the writes in a thread on the same connection and
transaction (PostgreSQL): the server inserts, indexes and checks one batch while Python
prepares the next. `copy_text` formats a value as COPY's text format expects it."""

import datetime
import queue
import threading
from decimal import Decimal

from django.db import connection


def _columns(model, names):
    return [model._meta.get_field(name).column for name in names]


def _sqlite_value(value):
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def insert_rows(model, names, rows, cursor=None):
    """`cursor`: a cursor of the current connection to use (a BackgroundWriter job's)."""
    if not rows:
        return
    if cursor is None:
        with connection.cursor() as own:
            return insert_rows(model, names, rows, own)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in _columns(model, names))
    if connection.vendor == "postgresql":
        # psycopg formats rows in C and streams them while the server works.
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        placeholders = ", ".join(["%s"] * len(names))
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
            [tuple(_sqlite_value(value) for value in row) for row in rows],
        )


def update_rows(model, names, rows):
    """rows: (id, *values in the order of names)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = [connection.ops.quote_name(column) for column in _columns(model, names)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMP TABLE push_bulk_update ON COMMIT DROP AS SELECT id, {', '.join(quoted)} FROM {table} WITH NO DATA"
            )
            with cursor.copy(f"COPY push_bulk_update (id, {', '.join(quoted)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            assignments = ", ".join(f"{column} = source.{column}" for column in quoted)
            cursor.execute(
                f"UPDATE {table} AS target SET {assignments} FROM push_bulk_update AS source WHERE target.id = source.id"
            )
            cursor.execute("DROP TABLE push_bulk_update")
        else:
            assignments = ", ".join(f"{column} = %s" for column in quoted)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s",
                [tuple(_sqlite_value(value) for value in row[1:]) + (row[0],) for row in rows],
            )


# --- primary keys reserved in advance ---------------------------------------------------

_SEQUENCES = {}


def allocate_ids(model, count: int, cursor=None) -> list[int]:
    """`count` new primary keys of `model`, reserved (never handed out again, even if the
    transaction rolls back on PostgreSQL). On PostgreSQL from the table's own sequence, as
    concurrent inserts take them; on SQLite by moving the table's AUTOINCREMENT counter
    inside the caller's transaction (SQLite writers are serialised). `cursor`: a DB-API
    cursor of the current connection (a raw one may be passed from a BackgroundWriter job)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    if cursor is None:
        with connection.cursor() as own:
            return allocate_ids(model, count, own)
    if connection.vendor == "postgresql":
        sequence = _SEQUENCES.get(table)
        if sequence is None:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk_column])
            sequence = _SEQUENCES[table] = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
        return [row[0] for row in cursor.fetchall()]
    if connection.vendor == "sqlite":
        cursor.execute("UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s", [count, table])
        if cursor.rowcount == 0:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(pk_column)}), 0) FROM {quoted}")
            top = cursor.fetchone()[0] + count
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, top])
        else:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            top = cursor.fetchone()[0]
        return list(range(top - count + 1, top + 1))
    raise NotImplementedError(f"allocate_ids: {connection.vendor}")


# --- COPY's text format --------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value) -> str:
    """A Python value as one field of PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def copy_lines(cursor, model, names, lines) -> None:
    """COPY ready-made text lines (fields in the order of `names`, tab-separated, each line
    ending in a newline) into `model`'s table. `lines`: a list of str."""
    if not lines:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in _columns(model, names))
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for start in range(0, len(lines), 2000):
            copy.write("".join(lines[start : start + 2000]))


# --- writing in the background ---------------------------------------------------------------


class BackgroundWriter:
    """Runs write jobs in order, on the current connection and inside the caller's
    transaction. On PostgreSQL a thread runs them (the raw driver connection is handed to
    it; the caller must not use the connection until `close`), so that the server works on
    one batch while the caller prepares the next; elsewhere each job runs at once.

    A job is a callable taking a DB-API cursor (parameters as %s). The first failure stops
    the writer and is raised again to the caller by the next `submit` or by `close`. At most
    `pending` jobs wait at any time: the caller slows down to the server's pace rather than
    holding the whole load in memory."""

    def __init__(self, *, pending: int = 3):
        self.error = None
        self.cancelled = False
        self.threaded = connection.vendor == "postgresql"
        if not self.threaded:
            self._cursor = connection.cursor()
            return
        connection.ensure_connection()
        self._cursor = connection.connection.cursor()
        self._jobs = queue.Queue(maxsize=pending)
        self._thread = threading.Thread(target=self._run, name="push-bulk-writer", daemon=True)
        self._thread.start()

    def _run(self):
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if self.error is None and not self.cancelled:
                try:
                    job(self._cursor)
                except BaseException as error:  # handed back to the caller
                    self.error = error

    def submit(self, job) -> None:
        if self.error is not None:
            self.close()
        if self.threaded:
            self._jobs.put(job)
        else:
            job(self._cursor)

    def close(self) -> None:
        """Wait for every job; raise the first failure, if any."""
        if self.threaded and self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()
        self._cursor.close()
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def cancel(self) -> None:
        """Skip the jobs still waiting, wait for the one running and forget any failure:
        the caller rolls its transaction back."""
        self.cancelled = True
        try:
            self.close()
        except Exception:
            pass


# --- foreign keys checked batch by batch --------------------------------------------------


def foreign_keys_immediate(*models) -> list[str]:
    """On PostgreSQL, the deferrable foreign keys of `models`' tables checked at the end of
    each statement, for the rest of the transaction, instead of all at commit: the checks of
    a load then run batch by batch, in a BackgroundWriter, while the next batch is prepared.
    Returns their names, for foreign_keys_deferred."""
    if connection.vendor != "postgresql" or not models:
        return []
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND condeferrable "
            "AND conrelid = ANY(%s::regclass[])",
            [tables],
        )
        names = sorted({row[0] for row in cursor.fetchall()})
        if names:
            cursor.execute(f"SET CONSTRAINTS {', '.join(connection.ops.quote_name(n) for n in names)} IMMEDIATE")
    return names


def foreign_keys_deferred(names: list[str]) -> None:
    """Back to deferred (within a longer transaction that goes on)."""
    if names:
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {', '.join(connection.ops.quote_name(n) for n in names)} DEFERRED")
