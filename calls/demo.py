"""Demo calls: last year's rent-support call with its published riparto, this year's open
rent-support call (Bari has a draft with its list), and an open arrears-fund call."""

import datetime
import hashlib
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.bulk import insert_rows
from registry.models import Entity

from . import services
from .applicants import APPLICANT_FIELDS, parse_applicant_file
from .models import Applicant, Call, CallState, CallType, ProtocolEntry, ProtocolKind, Submission, SubmissionState
from .receipts import receipt_content
from .synthetic import applicants_csv

DETERMINA = "Determina di approvazione della graduatoria"
# Comuni of last year's call: applicants listed, co-financing (€).
LAST_YEAR = [
    ("072006", 420, "60000"),
    ("075035", 180, "4000"),
    ("071024", 260, "30000"),
    ("073027", 300, "0"),
    ("074001", 140, "12000"),
    ("110001", 200, "15000"),
]


def load():
    """Create the demo calls once (idempotent)."""
    User = get_user_model()
    admin = User.objects.filter(username="regione.admin").first()
    if admin is None:
        return
    year = timezone.localdate().year
    now = timezone.now()
    with transaction.atomic():
        if not Call.objects.filter(call_type=CallType.RENT_SUPPORT, year=year - 2).exists():
            _last_year(year - 2, now, admin)
        if not Call.objects.filter(call_type=CallType.RENT_SUPPORT, year=year - 1).exists():
            current = Call.objects.create(
                call_type=CallType.RENT_SUPPORT,
                year=year - 1,
                title=f"Fondo per il sostegno alle locazioni – annualità {year - 1}",
                legal_act=f"DGR n. 1850 del 10/11/{year}",
                opens_at=now - datetime.timedelta(days=10),
                closes_at=(now + datetime.timedelta(days=45)).replace(hour=12, minute=0, second=0, microsecond=0),
                state=CallState.OPEN,
                fund_base=Decimal("11000000.00"),
                fund_premium=Decimal("5000000.00"),
                required_attachments=f"{DETERMINA}\nBando comunale",
            )
            officer = User.objects.filter(username="bari.referente").first()
            if officer is not None:
                submission = services.open_submission(
                    call=current, comune=Entity.objects.get(code="072006"), by=officer
                )
                services.upload_applicants(
                    submission=submission,
                    content=applicants_csv(120, seed=year),
                    filename="graduatoria-bari.csv",
                    by=officer,
                )
        if not Call.objects.filter(call_type=CallType.ARREARS, year=year - 1).exists():
            Call.objects.create(
                call_type=CallType.ARREARS,
                year=year - 1,
                title=f"Fondo inquilini morosi incolpevoli – annualità {year - 1}",
                legal_act=f"DGR n. 1851 del 10/11/{year}",
                opens_at=now - datetime.timedelta(days=10),
                closes_at=(now + datetime.timedelta(days=60)).replace(hour=12, minute=0, second=0, microsecond=0),
                state=CallState.OPEN,
                fund_base=Decimal("2298245.30"),
                fund_premium=Decimal("0"),
                required_attachments=DETERMINA,
            )


def _last_year(year, now, admin):
    """A finished call: submissions loaded as the system (their officers are not demo
    users), accepted, and the riparto computed and published by the regional administrator."""
    call = Call.objects.create(
        call_type=CallType.RENT_SUPPORT,
        year=year,
        title=f"Fondo per il sostegno alle locazioni – annualità {year}",
        legal_act=f"DGR n. 1999 del 4/11/{year + 1}",
        opens_at=now - datetime.timedelta(days=400),
        closes_at=now - datetime.timedelta(days=300),
        state=CallState.CLOSED,
        fund_base=Decimal("11000000.00"),
        fund_premium=Decimal("5000000.00"),
        required_attachments=DETERMINA,
    )
    for index, (code, count, co_financing) in enumerate(LAST_YEAR):
        comune = Entity.objects.get(code=code)
        content = applicants_csv(count, seed=year * 10 + index, place=comune.cadastral_code or "A662")
        rows, problems = parse_applicant_file(call, content, f"graduatoria-{code}.csv")
        assert not problems, problems[:3]
        number = services.next_protocol_number(year + 1)
        submission = Submission.objects.create(
            call=call,
            comune=comune,
            co_financing=Decimal(co_financing),
            applicants_file_sha256=hashlib.sha256(content).hexdigest(),
            protocol_number=number,
            submitted_at=call.closes_at - datetime.timedelta(days=3, hours=index),
            state=SubmissionState.ACCEPTED,
        )
        insert_rows(Applicant, ["submission_id", *APPLICANT_FIELDS], [(submission.pk, *row) for row in rows])
        services.recompute_totals(submission)
        # Its entry in the protocol register, as it was sent last year, with its receipt.
        entry = ProtocolEntry.objects.create(
            number=number,
            year=year + 1,
            sequence=int(number.rsplit("/", 1)[1]),
            registered_at=submission.submitted_at,
            kind=ProtocolKind.SUBMISSION_SENT,
            submission=submission,
            content=receipt_content(submission, SubmissionState.SUBMITTED),
        )
        services.issue_receipt(entry)
    services.compute_riparto(call=call, by=admin)
    services.publish_riparto(call=call, by=admin)
