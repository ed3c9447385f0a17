"""Data versions: a text that changes whenever the data an indicator reads change, so that a
chart cached under (chart, parameters, version) is never served stale, by any process.

- stock: the register's own version (registry.stock.writer.stock_version), kept in the
  shared cache and changed by every write of units or buildings;
- calls: a fingerprint read from the database in one query (counts, latest change times and
  sums of the calls, submissions, allocations and extensions, the Comuni's accreditation,
  and how many deadlines have passed): it follows every write, including the services'
  bulk inserts and UPDATEs that send no model signal, and the passing of a deadline, which
  turns a Comune from "not yet sent" into "missing";
- population: the file's edition;
- today: the date, for figures counted in days.

Nothing is kept in process memory: two processes read the same versions."""

import hashlib

from django.db import connection
from django.utils import timezone

from calls.models import Allocation, Call, DeadlineExtension, Submission
from helpdesk.models import Message, Ticket
from registry.models import Entity
from registry.stock.writer import stock_version

from . import population
from .catalogue import CALLS, HELPDESK, POPULATION, STOCK, TODAY


def calls_version() -> str:
    submission = Submission._meta.db_table
    allocation = Allocation._meta.db_table
    call = Call._meta.db_table
    extension = DeadlineExtension._meta.db_table
    entity = Entity._meta.db_table
    sql = f"""
        SELECT
          (SELECT COUNT(*) FROM {call}),
          (SELECT MAX(created_at) FROM {call}),
          (SELECT MAX(riparto_computed_at) FROM {call}),
          (SELECT MAX(riparto_published_at) FROM {call}),
          (SELECT COUNT(*) FROM {call} WHERE state = 'open'),
          (SELECT COUNT(*) FROM {call} WHERE closes_at <= %s),
          (SELECT COUNT(*) FROM {submission}),
          (SELECT MAX(updated_at) FROM {submission}),
          (SELECT MAX(submitted_at) FROM {submission}),
          (SELECT SUM(applicant_count) FROM {submission}),
          (SELECT COUNT(*) FROM {allocation}),
          (SELECT SUM(total) FROM {allocation}),
          (SELECT MAX(id) FROM {allocation}),
          (SELECT COUNT(*) FROM {extension}),
          (SELECT MAX(granted_at) FROM {extension}),
          (SELECT COUNT(*) FROM {extension} WHERE closes_at <= %s),
          (SELECT MAX(updated_at) FROM {entity}),
          (SELECT COUNT(*) FROM {entity} WHERE accreditation_state = 'accredited')
    """
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, now])
        row = cursor.fetchone()
    return hashlib.sha256(repr(tuple(str(value) for value in row)).encode()).hexdigest()[:16]


def helpdesk_version() -> str:
    """The tickets' fingerprint in one query: every opening, move, message and deletion
    changes it (the services set `updated_at` on every move)."""
    ticket = Ticket._meta.db_table
    message = Message._meta.db_table
    sql = f"""
        SELECT
          (SELECT COUNT(*) FROM {ticket}),
          (SELECT MAX(id) FROM {ticket}),
          (SELECT MAX(updated_at) FROM {ticket}),
          (SELECT MAX(first_response_at) FROM {ticket}),
          (SELECT MAX(resolved_at) FROM {ticket}),
          (SELECT COUNT(*) FROM {ticket} WHERE state = 'resolved'),
          (SELECT COUNT(*) FROM {message})
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return hashlib.sha256(repr(tuple(str(value) for value in row)).encode()).hexdigest()[:16]


def source_version(source: str) -> str:
    if source == STOCK:
        return stock_version()
    if source == CALLS:
        return calls_version()
    if source == POPULATION:
        return population.VERSION
    if source == HELPDESK:
        return helpdesk_version()
    if source == TODAY:
        return timezone.localdate().isoformat()
    raise ValueError(source)


def data_version(indicator) -> str:
    """The version of everything `indicator` reads, as one short text."""
    parts = [f"{source}={source_version(source)}" for source in indicator.sources]
    return hashlib.sha256(";".join(parts).encode()).hexdigest()[:24]
