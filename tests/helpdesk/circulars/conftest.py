"""Fixtures of the circulars' tests: the people of the entities (tests/conftest.py), a
circular sent through the services, and what a regional administrator types in the
compose form (the text as the rich-text editor posts it)."""

import json

import pytest

from helpdesk.circulars import services
from helpdesk.circulars.models import Audience
from registry.models import Area, Role
from tests.conftest import BARI, LECCE
from tests.factories import member


def editor_text(*paragraphs: str) -> str:
    """The body as the Draftail editor posts it (its content state, JSON)."""
    return json.dumps(
        {
            "blocks": [
                {
                    "key": f"k{index}",
                    "text": text,
                    "type": "unstyled",
                    "depth": 0,
                    "inlineStyleRanges": [],
                    "entityRanges": [],
                    "data": {},
                }
                for index, text in enumerate(paragraphs)
            ],
            "entityMap": {},
        }
    )


def said(message: str) -> str:
    """A message as the admin shows it to an Italian officer (translated, HTML-escaped)."""
    from django.utils import translation
    from django.utils.html import escape

    with translation.override("it"):
        return escape(translation.gettext(message))


def send(by, *, subject="Circolare di prova", chosen=(), audience_kind=Audience.LIST, attachments=(), **fields):
    draft = services.create_draft(
        by=by,
        subject=subject,
        body="<p>Testo della circolare.</p>",
        audience_kind=audience_kind,
        chosen=chosen,
        attachments=attachments,
        **fields,
    )
    return services.send(circular=draft, by=by)


@pytest.fixture
def bari_colleague(entities):
    return member(BARI, Role.OFFICER, Area.HELPDESK, first_name="Rosa", last_name="Colella")


@pytest.fixture
def lecce_officer(entities):
    return member(LECCE, Role.OFFICER, Area.CALLS, first_name="Luca", last_name="Leccese")


@pytest.fixture
def to_bari_and_lecce(region_admin, entities, pdf_file):
    """A circular to Bari and Lecce asking for a reply within 10 days, with one attachment."""
    import datetime

    from django.utils import timezone

    return send(
        region_admin,
        subject="Ricognizione alloggi sfitti",
        chosen=[entities[BARI], entities[LECCE]],
        reply_by=timezone.localdate() + datetime.timedelta(days=10),
        attachments=[pdf_file("nota-tecnica.pdf")],
    )


@pytest.fixture
def to_lecce_only(region_admin, entities, pdf_file):
    """A circular to Lecce only (Bari's people must never see it), with its attachment."""
    import datetime

    from django.utils import timezone

    return send(
        region_admin,
        subject="Riservata Lecce Sentinella",
        chosen=[entities[LECCE]],
        reply_by=timezone.localdate() + datetime.timedelta(days=10),
        attachments=[pdf_file("allegato-lecce.pdf")],
    )
