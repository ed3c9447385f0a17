"""Before sending, the new-ticket form proposes the public FAQ's answers matching the subject:
with the "Search the FAQ" button (no script) and from the small view the script asks."""

import pytest
from django.urls import reverse

from cms import demo
from cms.models import FaqIndexPage, FaqItem
from helpdesk import selectors
from helpdesk.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def faq(entities):
    home = demo.load()
    page = FaqIndexPage(title="Domande frequenti", slug="faq-test")
    page.questions = [
        FaqItem(
            topic="accreditation",
            question="Come si accredita un nuovo referente?",
            answer="<p>Con l'atto di designazione.</p>",
        ),
        FaqItem(
            topic="property_register", question="Quale formato ha il file degli alloggi?", answer="<p>CSV o XLSX.</p>"
        ),
    ]
    home.add_child(instance=page)
    page.save_revision().publish()
    return FaqIndexPage.objects.get(slug="faq-test")


def test_a_published_faq_answer_matching_the_subject_is_proposed(faq):
    proposals = selectors.faq_proposals("Accreditamento del referente patrimonio")
    assert [proposal["question"] for proposal in proposals] == ["Come si accredita un nuovo referente?"]
    item = faq.questions.get(topic="accreditation")
    assert proposals[0]["url"] == f"{faq.url}#domanda-{item.pk}"
    assert selectors.faq_proposals("zanzibar") == []


def test_an_unpublished_faq_is_not_proposed(faq):
    faq.unpublish()
    assert selectors.faq_proposals("referente accreditamento") == []


def test_the_button_proposes_answers_and_sends_nothing(client, bari_helpdesk, faq, entities):
    client.force_login(bari_helpdesk)
    response = client.post(
        reverse("helpdesk_ticket_new"),
        {"entity": entities["072006"].pk, "topic": "accreditation", "subject": "Nuovo referente", "search_faq": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Come si accredita un nuovo referente?" in html
    assert 'value="Nuovo referente"' in html  # the subject is kept as typed
    assert not Ticket.objects.exists()


def test_the_proposals_view_and_the_form_link_to_the_faq(client, bari_helpdesk, faq):
    client.force_login(bari_helpdesk)
    fragment = client.get(reverse("helpdesk_faq_proposals"), {"subject": "formato file alloggi"}).content.decode()
    assert "Quale formato ha il file degli alloggi?" in fragment and "accredita" not in fragment
    page = client.get(reverse("helpdesk_ticket_new")).content.decode()
    assert f'href="{faq.url}"' in page
    assert "helpdesk/faq-proposals" in page and "<script>" not in page  # the script is a file, not inline


def test_the_regions_staff_do_not_use_the_new_ticket_screens(client, region_admin):
    client.force_login(region_admin)
    assert client.get(reverse("helpdesk_faq_proposals"), {"subject": "x"}).status_code == 302
