"""“The call accepts submissions” is one rule (calls/rules.py): from `opens_at`, while the
call is open, until its deadline – refused *from* `closes_at` on, or from the Comune's own
later deadline when the Region granted it one. The service, the admin's new-submission
form, the API and the guideline page all ask it; each is checked here one second before
the deadline, at the deadline, and one second after."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from calls import rules, services
from calls.models import CallState, DeadlineExtension, Submission, SubmissionState
from tests.conftest import BARI, LECCE

SECOND = datetime.timedelta(seconds=1)
BEFORE, AT, AFTER = -SECOND, datetime.timedelta(0), SECOND


@pytest.fixture
def deadline(call):
    """The call's deadline, on a whole second three days ahead."""
    closes_at = (timezone.now() + datetime.timedelta(days=3)).replace(microsecond=0)
    call.closes_at = closes_at
    call.save(update_fields=["closes_at"])
    return closes_at


@pytest.fixture
def bari_extension(call, deadline, entities, region_admin):
    """Bari's own deadline, an hour after the call's."""
    return DeadlineExtension.objects.create(
        call=call,
        comune=entities[BARI],
        closes_at=deadline + datetime.timedelta(hours=1),
        reason="Guasto informatico",
        granted_by=region_admin,
    )


# --- the rule itself -------------------------------------------------------------------


@pytest.mark.parametrize(("offset", "accepts"), [(BEFORE, True), (AT, False), (AFTER, False)])
def test_the_call_accepts_submissions_until_the_second_before_its_deadline(call, deadline, offset, accepts):
    assert rules.accepts_submissions(call, deadline + offset) is accepts


def test_it_accepts_nothing_before_opening(call):
    assert not rules.accepts_submissions(call, call.opens_at - SECOND)
    assert rules.accepts_submissions(call, call.opens_at)


@pytest.mark.parametrize(("offset", "accepts"), [(BEFORE, True), (AT, False), (AFTER, False)])
def test_a_comunes_extension_moves_its_own_deadline_only(call, deadline, bari_extension, entities, offset, accepts):
    assert rules.accepts_submissions(call, deadline + offset, comune=entities[BARI])
    assert rules.accepts_submissions(call, deadline + offset, comune=entities[LECCE]) is accepts
    assert rules.accepts_submissions(call, deadline + offset) is accepts
    extended = bari_extension.closes_at
    assert rules.accepts_submissions(call, extended - SECOND, comune=entities[BARI])
    assert not rules.accepts_submissions(call, extended, comune=entities[BARI])


def test_the_query_form_of_the_rule_agrees_with_the_rule(call, deadline, bari_extension, entities):
    from calls.models import Call

    for moment in (deadline - SECOND, deadline, deadline + SECOND, bari_extension.closes_at):
        for comune in (entities[BARI], entities[LECCE]):
            found = Call.objects.filter(rules.accepting_submissions(moment, comuni=[comune])).exists()
            assert found is rules.accepts_submissions(call, moment, comune=comune), (moment, comune)


# --- through the service ----------------------------------------------------------------


@pytest.mark.parametrize(("offset", "sent"), [(BEFORE, True), (AT, False), (AFTER, False)])
def test_sending_is_refused_from_the_deadline_on(ready, bari_calls, deadline, clock, offset, sent):
    clock(deadline + offset)
    if sent:
        services.submit(submission=ready, by=bari_calls)
    else:
        with pytest.raises(ValidationError) as error:
            services.submit(submission=ready, by=bari_calls)
        assert error.value.code == "late"
    ready.refresh_from_db()
    assert (ready.state == SubmissionState.SUBMITTED) is sent


@pytest.mark.parametrize(
    ("offset", "sent"), [(BEFORE, True), (AT, True), (AFTER, True), (datetime.timedelta(hours=1), False)]
)
def test_bari_sends_until_its_own_deadline(ready, bari_calls, deadline, bari_extension, clock, offset, sent):
    clock(deadline + offset)
    if sent:
        services.submit(submission=ready, by=bari_calls)
    else:
        with pytest.raises(ValidationError):
            services.submit(submission=ready, by=bari_calls)


@pytest.mark.parametrize(("offset", "opened"), [(BEFORE, True), (AT, False), (AFTER, False)])
def test_a_new_submission_is_refused_from_the_deadline_on(call, deadline, entities, lecce_calls, clock, offset, opened):
    clock(deadline + offset)
    if opened:
        services.open_submission(call=call, comune=entities[LECCE], by=lecce_calls)
    else:
        with pytest.raises(ValidationError) as error:
            services.open_submission(call=call, comune=entities[LECCE], by=lecce_calls)
        assert error.value.code == "late"
    assert Submission.objects.filter(comune=entities[LECCE]).exists() is opened


# --- through the admin, as an officer does it -------------------------------------------


def offered_calls(client):
    return list(client.get(reverse("calls_submission_modeladmin_create")).context["form"].fields["call"].queryset)


@pytest.mark.parametrize(("offset", "offered"), [(BEFORE, True), (AT, False), (AFTER, False)])
def test_the_new_submission_form_offers_the_call_until_its_deadline(
    client, call, deadline, entities, lecce_calls, clock, offset, offered
):
    clock(deadline + offset)
    client.force_login(lecce_calls)
    assert (call in offered_calls(client)) is offered
    response = client.post(
        reverse("calls_submission_modeladmin_create"), {"call": call.pk, "comune": entities[LECCE].pk}
    )
    assert (response.status_code == 302) is offered
    assert Submission.objects.filter(comune=entities[LECCE]).exists() is offered


def test_the_form_offers_the_call_to_a_comune_with_an_extension(
    client, call, deadline, bari_extension, entities, bari_calls, clock
):
    clock(deadline + SECOND)
    client.force_login(bari_calls)
    assert call in offered_calls(client)
    response = client.post(
        reverse("calls_submission_modeladmin_create"), {"call": call.pk, "comune": entities[BARI].pk}
    )
    assert response.status_code == 302 and Submission.objects.filter(comune=entities[BARI]).exists()


def test_a_comune_prepares_its_submission_before_the_call_opens_but_sends_it_from_opening(
    client, call, entities, lecce_calls
):
    """Published calls are prepared ahead (co-financing, attachments); sending waits."""
    call.opens_at = timezone.now() + datetime.timedelta(days=1)
    call.save()
    client.force_login(lecce_calls)
    assert call in offered_calls(client)
    submission = services.open_submission(call=call, comune=entities[LECCE], by=lecce_calls)
    assert rules.accepts_preparation(call, timezone.now())
    assert not rules.accepts_submissions(call, timezone.now())
    with pytest.raises(ValidationError) as error:
        services.submit(submission=submission, by=lecce_calls)
    assert error.value.code == "not_open"


def test_a_draft_call_is_offered_to_no_one(client, call, lecce_calls):
    call.state = CallState.DRAFT
    call.save()
    client.force_login(lecce_calls)
    assert call not in offered_calls(client)


@pytest.mark.parametrize(("offset", "sent"), [(BEFORE, True), (AT, False)])
def test_sending_from_the_confirmation_page_follows_the_deadline(
    client, ready, bari_calls, deadline, clock, offset, sent
):
    clock(deadline + offset)
    client.force_login(bari_calls)
    client.post(reverse("calls_submission_confirm", args=[ready.pk, "submit"]), {"confirm": "yes"})
    ready.refresh_from_db()
    assert (ready.state == SubmissionState.SUBMITTED) is sent


# --- the guideline page -------------------------------------------------------------------


@pytest.mark.parametrize(("offset", "accepting"), [(BEFORE, True), (AT, False), (AFTER, False)])
def test_the_guideline_page_invites_submissions_until_the_deadline(call, deadline, clock, offset, accepting):
    from calls import selectors

    clock(deadline + offset)
    assert selectors.public_call(call).accepting is accepting


def test_the_lists_of_deadlines_read_the_same_rule(call, deadline, bari_extension, entities, bari_calls, lecce_calls):
    """The public page's list of the Comuni's deadlines and an officer's home read every
    deadline in one query each; they give what the rule gives for each Comune."""
    from calls import selectors

    assert selectors.comune_deadlines(call) == [("Bari", rules.deadline_for(call, entities[BARI]))]
    for officer, comune in ((bari_calls, entities[BARI]), (lecce_calls, entities[LECCE])):
        services.open_submission(call=call, comune=comune, by=officer)
        [(_submission, shown)] = selectors.submissions_to_complete(officer)
        assert shown == rules.deadline_for(call, comune)
