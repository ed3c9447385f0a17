"""Bulk writes that bypass model instances: COPY on PostgreSQL, executemany elsewhere.

For tables filled by the hundred thousand (units, history, applicants), building a Django
model instance per row costs more than validating it. Callers pass plain tuples in the
order of `names` (model field names); values are Python values (Decimal, date, bool…).
No signals are sent and no `save()` runs: callers own the invariants."""

import datetime
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


def insert_rows(model, names, rows):
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in _columns(model, names))
    with connection.cursor() as cursor:
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
