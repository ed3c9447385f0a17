"""The calls' indicators against a hand count of tests/dashboards/conftest.call_figures:
Bari sent on time (40 applicants, 20 + 10 eligible, 64.000 € of need), Lecce late under an
extension (9 applicants, 3 + 1 eligible, 9.500 €), Altamura's draft counts nowhere."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from calls.models import ArrearsCase, Submission, SubmissionState
from dashboards import indicators
from dashboards.indicators import population
from dashboards.results import Audience
from registry.models import Entity
from tests.calls.fixtures import make_arrears_call
from tests.conftest import BARI, LECCE
from tests.dashboards.test_indicators import PUBLIC, REGION, entity_audience, table


def test_applicants_and_eligible_by_comune(call_figures):
    result = indicators.compute("call_applicants_by_comune", params={"call": str(call_figures.pk)}, audience=REGION)
    assert table(result) == {BARI: (40, 20, 10), LECCE: (9, 3, 1)}
    assert [series.key for series in result.series] == ["applicants", "eligible_a", "eligible_b"]
    assert result.parameters == {"call": str(call_figures.pk)}


def test_without_a_call_the_latest_published_one_is_shown(call_figures):
    result = indicators.compute("call_applicants_by_comune", params={"year": "2024"}, audience=REGION)
    assert result.parameters["call"] == str(call_figures.pk)
    with pytest.raises(ValidationError):
        indicators.compute("call_applicants_by_comune", params={"year": "2030"}, audience=REGION)


def test_need_in_total_and_per_resident(call_figures):
    residents = population.population_by_comune()
    result = indicators.compute("call_need_by_comune", params={}, audience=REGION)
    figures = table(result)
    assert figures[BARI] == (D("64000.00"), (D("64000") / residents[BARI]).quantize(D("0.01")))
    assert figures[LECCE][0] == D("9500.00")
    assert "ISTAT" in result.source


def test_allocated_against_need(call_figures):
    figures = table(indicators.compute("call_allocation_by_comune", params={}, audience=REGION))
    assert figures == {BARI: (D("64000.00"), D("1000.00")), LECCE: (D("9500.00"), D("500.00"))}


def test_participation_of_the_comuni(call_figures):
    result = indicators.compute("call_participation", params={"call": str(call_figures.pk)}, audience=REGION)
    comuni = Entity.objects.comuni().count()
    assert table(result) == {str(call_figures.pk): (1, 1, 1, comuni - 2)}
    in_lecce = indicators.compute("call_participation", params={"province": "LE"}, audience=REGION)
    lecce_comuni = Entity.objects.comuni().filter(province="LE").count()
    assert table(in_lecce) == {str(call_figures.pk): (0, 0, 1, lecce_comuni - 1)}


def test_arrears_cases_by_cause(call_figures, entities):
    arrears = make_arrears_call(year=2024, title="Fondo morosità 2024")
    submission = Submission.objects.create(
        call=arrears, comune=entities[BARI], state=SubmissionState.SUBMITTED, submitted_at=timezone.now()
    )
    for row, cause in enumerate(["dismissal", "dismissal", "reduced_hours"], start=1):
        ArrearsCase.objects.create(
            submission=submission,
            row_number=row,
            fiscal_code_hash=f"{row:064d}",
            eviction_notice_date=datetime.date(2024, 5, 1),
            arrears_amount=D("3000"),
            cause=cause,
            requested_amount=D("3000"),
            granted_amount=D("3000"),
        )
    counts = table(indicators.compute("arrears_cases_by_cause", params={}, audience=REGION))
    assert counts["dismissal"] == 2 and counts["reduced_hours"] == 1 and counts["illness_or_death"] == 0


def test_an_officer_of_a_comune_sees_only_its_own_figures(call_figures):
    audience = entity_audience(LECCE)
    assert table(indicators.compute("call_applicants_by_comune", params={}, audience=audience)) == {LECCE: (9, 3, 1)}
    assert set(table(indicators.compute("call_need_by_comune", params={}, audience=audience))) == {LECCE}
    assert set(table(indicators.compute("call_allocation_by_comune", params={}, audience=audience))) == {LECCE}
    participation = table(indicators.compute("call_participation", params={}, audience=audience))
    assert participation == {str(call_figures.pk): (0, 0, 1, 0)}


def test_an_arca_sees_no_comunes_call_figures(call_figures):
    from tests.conftest import ARCA_SUD_SALENTO

    audience = entity_audience(ARCA_SUD_SALENTO)
    assert table(indicators.compute("call_applicants_by_comune", params={}, audience=audience)) == {}


def test_public_readers_get_the_published_riparto_only(call_figures):
    figures = table(indicators.compute("call_allocation_by_comune", params={}, audience=PUBLIC))
    assert figures[BARI] == (D("64000.00"), D("1000.00"))
    for key in ("call_applicants_by_comune", "call_need_by_comune", "call_participation", "arrears_cases_by_cause"):
        with pytest.raises(PermissionDenied):
            indicators.compute(key, params={}, audience=PUBLIC)


def test_a_riparto_not_yet_published_is_no_open_data(call_figures):
    from calls.models import Call

    Call.objects.filter(pk=call_figures.pk).update(riparto_published_at=None)
    with pytest.raises(ValidationError) as refused:
        indicators.compute("call_allocation_by_comune", params={"call": str(call_figures.pk)}, audience=PUBLIC)
    assert "call" in refused.value.message_dict
    # The Region reads it before publication.
    assert indicators.compute("call_allocation_by_comune", params={"call": str(call_figures.pk)}, audience=REGION)


def test_a_draft_call_is_not_a_parameter(call_figures):
    from tests.calls.fixtures import make_call

    draft = make_call(year=2027, title="Bozza", state="draft")
    with pytest.raises(ValidationError):
        indicators.compute("call_applicants_by_comune", params={"call": str(draft.pk)}, audience=Audience())


def test_a_sending_changes_the_calls_version_without_a_signal(call_figures, entities):
    before = indicators.data_version("call_participation")
    assert indicators.data_version("call_participation") == before
    # The sending service writes with an UPDATE, which sends no model signal.
    Submission.objects.filter(comune__code="072004").update(
        state=SubmissionState.SUBMITTED, submitted_at=timezone.now(), updated_at=timezone.now()
    )
    assert indicators.data_version("call_participation") != before


def test_a_passing_deadline_changes_the_calls_version(call_figures, entities):
    from tests.calls.fixtures import make_call

    make_call(year=2026, title="Fondo 2026", closes_at=timezone.now() + datetime.timedelta(seconds=1))
    before = indicators.data_version("call_participation")
    later = timezone.now() + datetime.timedelta(seconds=5)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        assert indicators.data_version("call_participation") != before


def test_average_contribution_and_incidence_of_the_eligible(call_figures):
    from calls.models import Applicant

    bari = Submission.objects.get(call=call_figures, comune__code=BARI)
    households = [("A", "3098.74", "48.00"), ("B", "600.00", "28.00"), ("", "0.00", "20.00")]
    for row, (band, contribution, incidence) in enumerate(households, start=1):
        Applicant.objects.create(
            submission=bari,
            row_number=row,
            fiscal_code_hash=f"{row:064d}",
            household_size=3,
            income=D("10000"),
            annual_rent=D("4800"),
            months=12,
            lease_registration="TNF1T123456",
            incidence=D(incidence),
            band=band,
            contribution=D(contribution),
        )
    contribution = table(indicators.compute("call_average_contribution", params={}, audience=REGION))
    assert contribution == {BARI: D("1849.37")}
    incidence = table(indicators.compute("call_average_incidence", params={}, audience=REGION))
    assert incidence == {BARI: D("38.00")}
    assert table(indicators.compute("call_average_contribution", params={}, audience=entity_audience(LECCE))) == {}


def test_co_financing_and_premium_of_the_riparto(call_figures):
    from calls.models import Allocation

    Allocation.objects.filter(comune__code=BARI).update(co_financing=D("1000.00"), premium=D("250.00"))
    figures = table(indicators.compute("call_funding_by_comune", params={}, audience=PUBLIC))
    assert figures == {BARI: (D("1000.00"), D("250.00")), LECCE: (D("0.00"), D("0.00"))}
