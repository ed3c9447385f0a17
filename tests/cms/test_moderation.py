"""Editorial moderation, as the editor and the approver do it in the admin: the editor submits a
notice to "Pubblicazione sul sito PUSH", the Region's approvers are told and find it in their
tasks, and either publish it or send it back with a comment that the editor then reads."""

import pytest
from django.core import mail
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import querydict_from_html

from registry.models import Role
from tests.conftest import REGION
from tests.factories import member

PASSWORD = "una-password-lunga-2026"


@pytest.fixture
def editor(entities):
    user = member(REGION, Role.EDITOR)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def approver(entities):
    user = member(REGION, Role.ADMINISTRATOR)
    user.email = "approvatore@regione.puglia.it"
    user.save()
    return user


def _submit_new_notice(client, notices, title):
    add_url = f"/admin/pages/add/cms/noticepage/{notices.pk}/"
    form = querydict_from_html(client.get(add_url).content.decode(), form_id="page-edit-form")
    form["title"] = title
    form["slug"] = "avviso-moderato"
    form["summary"] = "Un avviso che passa dall'approvazione della Regione."
    # What the page editor's JavaScript adds for the two (empty) StreamFields.
    form.update({"body-count": "0", "attachments-count": "0"})
    form["action-submit"] = "1"
    return client.post(add_url, form)


@pytest.fixture
def submitted(client, site, editor, approver):
    client.force_login(editor)
    response = _submit_new_notice(client, site["notices"], "Avviso in approvazione")
    assert response.status_code == 302, response.content.decode()[:2000]
    page = Page.objects.get(slug="avviso-moderato").specific
    return page


def test_the_editors_submission_waits_for_the_region_instead_of_publishing(submitted):
    assert not submitted.live
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(submitted.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.name == "Approvazione della Regione"


def test_approvers_are_told_and_find_it_among_their_tasks(client, submitted, approver):
    assert any(approver.email in message.to and "Avviso in approvazione" in message.subject for message in mail.outbox)
    client.force_login(approver)
    html = client.get("/admin/").content.decode()
    assert "Avviso in approvazione" in html


def _act(client, page, action, comment=""):
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(page.pk))
    task_state = state.current_task_state
    url = f"/admin/pages/workflow/action/{page.pk}/{action}/{task_state.pk}/"
    return client.post(url, {"comment": comment})


def test_approval_publishes_the_notice(client, submitted, approver):
    client.force_login(approver)
    response = _act(client, submitted, "approve")
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.live
    assert client.get(submitted.url).status_code == 200


def test_request_for_changes_reaches_the_editor_with_the_comment(client, submitted, approver, editor):
    client.force_login(approver)
    mail.outbox.clear()
    _act(client, submitted, "reject", "Manca la data di scadenza delle domande.")
    submitted.refresh_from_db()
    assert not submitted.live
    assert any(editor.email in message.to for message in mail.outbox)
    client.force_login(editor)
    history = client.get(f"/admin/pages/{submitted.pk}/history/").content.decode()
    assert "Manca la data di scadenza delle domande." in history


def test_an_editor_cannot_approve_their_own_submission(client, submitted, editor):
    client.force_login(editor)
    response = _act(client, submitted, "approve")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    submitted.refresh_from_db()
    assert not submitted.live
