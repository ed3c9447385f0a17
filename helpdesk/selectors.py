"""Reading tickets: which tickets a person may see, the Region's queue and its filters, a
ticket's thread as its reader may read it, the counts the monitoring screen shows, and the
public FAQ entries that may already answer a subject.

Every screen, download and API endpoint finds a ticket through `tickets_visible_to` (the
access rule by the ticket's entity: an entity's people see their own entities' tickets,
never those of the Comuni an ARCA covers) and reads its messages through `thread`, which
leaves out the Region's internal notes for anyone but the Region's helpdesk staff."""

import re
import unicodedata
from datetime import timedelta

from django.apps import apps
from django.db.models import Count, Prefetch
from django.utils import timezone

from registry import access

from . import policy
from .models import ACTIVE_STATES, Message, Ticket, TicketAttachment


def tickets_visible_to(user):
    """The tickets `user` may read: all for the Region's helpdesk staff, their own entities'
    for the entities' people, none for anyone else."""
    queryset = Ticket.objects.select_related("entity", "author", "assignee")
    if policy.handles_tickets(user):
        return queryset
    if not policy.can_see_tickets(user):
        return queryset.none()
    return access.scope(queryset, user, path="entity", for_edit=True)


def messages_for(user, ticket):
    """The ticket's messages `user` may read, in order (notes only for the Region)."""
    messages = Message.objects.filter(ticket=ticket)
    if not policy.can_read_internal_notes(user):
        messages = messages.for_entity()
    return messages


def thread(user, ticket) -> list[Message]:
    """Every message the reader may read, oldest first, with author and files."""
    return list(
        messages_for(user, ticket)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=TicketAttachment.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )


def attachment_for(user, ticket, attachment_pk):
    """A file of the ticket, if it belongs to a message the reader may read (None if not)."""
    return (
        TicketAttachment.objects.filter(pk=attachment_pk, message__in=messages_for(user, ticket))
        .select_related("message")
        .first()
    )


def open_tickets_by_entity() -> dict[int, int]:
    """Per entity id, its tickets still being handled (not resolved): one aggregate query."""
    rows = (
        Ticket.objects.filter(state__in=ACTIVE_STATES)
        .order_by()
        .values("entity_id")
        .annotate(count=Count("pk"))
        .values_list("entity_id", "count")
    )
    return dict(rows)


# --- the Region's queue ---------------------------------------------------------------

AGE_DAYS = {"1": 1, "3": 3, "7": 7, "30": 30}


def queue(*, state="", topic="", entity=None, province="", age="", assignee=None, unassigned=False, now=None):
    """The Region's queue: tickets narrowed by the whitelisted filters (helpdesk/admin/forms),
    the oldest waiting first. `age` keeps tickets opened at least that many days ago."""
    queryset = Ticket.objects.select_related("entity", "author", "assignee")
    if state == "active":
        queryset = queryset.filter(state__in=ACTIVE_STATES)
    elif state:
        queryset = queryset.filter(state=state)
    if topic:
        queryset = queryset.filter(topic=topic)
    if entity is not None:
        queryset = queryset.filter(entity=entity)
    if province:
        queryset = queryset.filter(entity__province=province)
    if age in AGE_DAYS:
        queryset = queryset.filter(created_at__lte=(now or timezone.now()) - timedelta(days=AGE_DAYS[age]))
    if unassigned:
        queryset = queryset.filter(assignee__isnull=True)
    elif assignee is not None:
        queryset = queryset.filter(assignee=assignee)
    return queryset.order_by("updated_at", "pk")


def helpdesk_staff():
    """The people a ticket may be assigned to: the Region's active helpdesk staff."""
    from registry.recipients import regional_people

    return [person for person in regional_people() if policy.handles_tickets(person)]


# --- the public FAQ ---------------------------------------------------------------------
# The helpdesk does not import the public site (import-linter: independent apps): the FAQ's
# models are looked up by name, and their pages found through Wagtail's search, which stems
# Italian words on both databases (cms/search_backend.py).

FAQ_MODEL = ("cms", "FaqIndexPage")
STOP_WORDS = frozenset(
    "alla alle allo agli anche come con cosa dalla dalle degli della delle dello dove fare nella nelle "
    "nello non per perché quale quali quando quanto questa queste questi questo sono sulla sulle una uno".split()
)
PREFIX = 6  # a word matches an entry's words that begin like it (accreditamento, accreditati)


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in text if not unicodedata.combining(char))


def significant_words(text: str) -> list[str]:
    words = re.findall(r"\w+", _plain(text or ""))
    return [word for word in dict.fromkeys(words) if len(word) >= 4 and word not in STOP_WORDS and not word.isdigit()]


def _faq_model():
    try:
        return apps.get_model(*FAQ_MODEL)
    except LookupError:
        return None


def faq_pages():
    """The live, public FAQ pages of the site."""
    from wagtail.models import Page

    model = _faq_model()
    if model is None:
        return Page.objects.none()
    return Page.objects.live().public().type(model)


def faq_url() -> str:
    page = faq_pages().first()
    return page.url if page is not None else ""


def faq_proposals(subject: str, *, limit: int = 5) -> list[dict]:
    """The FAQ entries that may answer `subject`: the live public FAQ pages Wagtail's search
    finds for any of its words, and in them the questions sharing most words with it.
    Each: question, url (the page's address with the question's anchor)."""
    words = significant_words(subject)
    if not words:
        return []
    pages = faq_pages().search(" ".join(words), operator="or")
    proposals = []
    for page in pages:
        page = page.specific
        for item in page.questions.all():
            text = _plain(re.sub(r"<[^>]+>", " ", f"{item.question} {item.answer}"))
            found = set(re.findall(r"\w+", text))
            score = sum(1 for word in words if any(other.startswith(word[:PREFIX]) for other in found))
            if score:
                proposals.append(
                    (-score, item.sort_order or 0, {"question": item.question, "url": f"{page.url}#{item.anchor}"})
                )
    proposals.sort(key=lambda entry: entry[:2])
    return [entry[2] for entry in proposals[:limit]]
