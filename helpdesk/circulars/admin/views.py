"""The circulars' admin screens: thin adapters between a request and a service.

The Region's screens find circulars through selectors.circulars_for_region (nothing for
anyone else: 404); an entity's screens find its recipient row through selectors.inbox (a
circular not addressed to one of the person's entities does not exist for them: 404). The
services decide whether the person may act."""

from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin import messages

from calls.models import ProtocolCounter
from calls.services import protocol_number
from core.exports import spreadsheet_response
from core.files import private_download
from registry.models import EntityKind

from .. import audience, policy, selectors, services
from ..models import CircularAttachment, CircularState, ReminderKind, ReplyAttachment
from . import puglia
from .forms import ComposeForm, ReplyForm, StatusFilter

PREVIEW_NAMES = 30


def confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "yes"


def report(request, error):
    messages.error(request, " ".join(getattr(error, "messages", [str(error)])))


# --- the Region ---------------------------------------------------------------------------


def region_circular(request, pk, *, sent=True):
    circular = get_object_or_404(selectors.circulars_for_region(request.user), pk=pk)
    if sent and not circular.is_sent:
        raise Http404
    return circular


def index(request):
    if not policy.is_regional_reader(request.user):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "circulars/admin/index.html",
        {"circulars": selectors.sent_with_counts(request.user), "can_send": policy.can_send(request.user)},
    )


def compose(request):
    if not policy.can_send(request.user):
        raise PermissionDenied
    form = ComposeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            circular = services.create_draft(
                by=request.user,
                subject=data["subject"],
                body=data["body"],
                audience_kind=data["audience"],
                province=data["province"],
                arca=data["arca"],
                chosen=list(data["entities"]),
                reply_by=data["reply_by"],
                attachments=data["attachments"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("circulars_confirm", pk=circular.pk)
    return TemplateResponse(request, "circulars/admin/compose.html", {"form": form})


def confirm(request, pk):
    """The summary of a draft (recipients, their number, the protocol it will take) and the
    POST that sends it, only with `confirm=yes`: sending cannot be undone."""
    if not policy.can_send(request.user):
        raise Http404
    circular = region_circular(request, pk, sent=False)
    if circular.is_sent:
        return redirect("circulars_status", pk=circular.pk)
    if request.method == "POST":
        if not confirmed(request):
            messages.warning(request, _("Nothing was done: confirm to go on."))
        else:
            try:
                circular = services.send(circular=circular, by=request.user)
            except ValidationError as error:
                report(request, error)
            else:
                messages.success(
                    request,
                    _("Circular sent to %(count)d entities with protocol %(number)s.")
                    % {"count": circular.recipients.count(), "number": circular.protocol_number},
                )
                return redirect("circulars_status", pk=circular.pk)
    entities = list(audience.of_circular(circular))
    year = timezone.localdate().year
    counter = ProtocolCounter.objects.filter(year=year).first()
    return TemplateResponse(
        request,
        "circulars/admin/confirm.html",
        {
            "circular": circular,
            "recipient_count": len(entities),
            "comuni_count": sum(1 for entity in entities if entity.kind == EntityKind.COMUNE),
            "arca_count": sum(1 for entity in entities if entity.kind == EntityKind.ARCA),
            "preview": entities[:PREVIEW_NAMES],
            "more": max(0, len(entities) - PREVIEW_NAMES),
            "next_protocol": protocol_number(year, (counter.last_number if counter else 0) + 1),
        },
    )


def _status_rows(circular, form):
    if not form.is_valid():  # a value the filters do not offer: refused, never read as "all"
        raise BadRequest(_("Unknown filter value."))
    data = form.cleaned_data
    return selectors.read_status(
        circular, status=data.get("status", ""), kind=data.get("kind", ""), province=data.get("province", "")
    )


def status(request, pk):
    circular = region_circular(request, pk)
    form = StatusFilter(request.GET)
    rows = _status_rows(circular, form)
    everyone = selectors.read_status(circular)
    statuses = {
        line.recipient.entity.code: line.status for line in everyone if line.recipient.entity.kind == EntityKind.COMUNE
    }
    counts = {
        "total": len(everyone),
        "read": sum(1 for line in everyone if line.acknowledgement),
        "unread": sum(1 for line in everyone if not line.acknowledgement),
        "replied": sum(1 for line in everyone if line.reply_count),
    }
    return TemplateResponse(
        request,
        "circulars/admin/status.html",
        {
            "circular": circular,
            "form": form,
            "rows": rows,
            "counts": counts,
            "query": request.GET.urlencode(),
            "can_remind": policy.can_remind(request.user),
            "replies": selectors.replies(circular),
            **puglia.context(statuses),
        },
    )


EXPORT_HEADERS = (
    "Codice PUSH",
    "Ente",
    "Tipo",
    "Provincia",
    "Stato",
    "Presa visione il",
    "Presa visione da",
    "Risposte",
)
STATUS_WORDS = {"read": "letta", "unread": "non letta", "replied": "risposta inviata"}


def export(request, pk, file_format):
    """The read-status table as filtered on screen, as an Italian CSV or XLSX (audited)."""
    if file_format not in ("csv", "xlsx"):
        raise Http404
    circular = region_circular(request, pk)
    form = StatusFilter(request.GET)
    rows = [
        (
            line.recipient.entity.code,
            line.recipient.entity.display_name,
            line.recipient.entity.get_kind_display(),
            line.recipient.entity.province,
            STATUS_WORDS[line.status],
            timezone.localtime(line.acknowledgement.read_at).replace(tzinfo=None) if line.acknowledgement else None,
            line.acknowledgement.read_by.get_full_name() if line.acknowledgement else "",
            line.reply_count,
        )
        for line in _status_rows(circular, form)
    ]
    number = circular.protocol_number.replace("/", "-")
    return spreadsheet_response(
        request,
        EXPORT_HEADERS,
        rows,
        filename=f"circolare-{number}-prese-visione",
        file_format=file_format,
        source=f"circulars.read_status:{circular.pk}",
        sheet_title="Prese visione",
        filters={key: value for key, value in form.cleaned_data.items() if value},
    )


def remind(request, pk):
    """The reminder to the entities that have not read the circular: a page saying how many
    and when the last one went, and a POST acting only with `confirm=yes`. Once a day at
    most, so that an entity is never sent the same reminder twice in a day."""
    if not policy.can_remind(request.user):
        raise Http404
    circular = region_circular(request, pk)
    status_url = reverse("circulars_status", args=[circular.pk])
    if request.method == "POST":
        if not confirmed(request):
            messages.warning(request, _("Nothing was done: confirm to go on."))
        else:
            try:
                count = services.remind_unread(circular=circular, by=request.user)
            except ValidationError as error:
                report(request, error)
            else:
                if count:
                    messages.success(request, _("Reminder sent to %(count)d entities.") % {"count": count})
                else:
                    messages.info(request, _("Every entity has read the circular: nobody to remind."))
                return redirect(status_url)
    last = services.last_unread_reminder(circular)
    return TemplateResponse(
        request,
        "circulars/admin/remind.html",
        {
            "circular": circular,
            "unread": selectors.unread_recipients(circular).count(),
            "last": last,
            "reminded_today": circular.reminders.filter(
                kind=ReminderKind.UNREAD, sent_on=timezone.localdate()
            ).exists(),
            "status_url": status_url,
        },
    )


# --- files --------------------------------------------------------------------------------


def attachment_download(request, pk, attachment_pk):
    """An attachment of a sent circular: for the Region's readers and the recipients' people."""
    circular = None
    if policy.is_regional_reader(request.user):
        circular = region_circular(request, pk, sent=False)
    else:
        recipient = selectors.recipient_for(request.user, pk)
        if recipient is None:
            raise Http404
        circular = recipient.circular
    attachment = get_object_or_404(CircularAttachment.objects.filter(circular=circular), pk=attachment_pk)
    return private_download(
        attachment.file,
        f"{attachment.name[:80]}.pdf",
        "application/pdf",
        request=request,
        instance=circular,
        kind="circular_attachment",
        sha256=attachment.sha256,
    )


def reply_attachment_download(request, pk, attachment_pk):
    """An attachment of a reply: for the Region's readers and the replying entity's people
    only (never another recipient of the same circular)."""
    attachments = ReplyAttachment.objects.filter(reply__recipient__circular_id=pk).select_related(
        "reply__recipient__circular"
    )
    if not policy.is_regional_reader(request.user):
        attachments = attachments.filter(
            reply__recipient__entity_id__in=policy.reader_entity_ids(request.user),
            reply__recipient__circular__state=CircularState.SENT,
        )
    attachment = get_object_or_404(attachments, pk=attachment_pk)
    return private_download(
        attachment.file,
        f"{attachment.name[:80]}.pdf",
        "application/pdf",
        request=request,
        instance=attachment.reply.recipient.circular,
        kind="circular_reply_attachment",
        sha256=attachment.sha256,
    )


# --- the entity ---------------------------------------------------------------------------


def inbox(request):
    return TemplateResponse(
        request,
        "circulars/admin/inbox.html",
        {"recipients": selectors.inbox(request.user), "unread": selectors.unread_count(request.user)},
    )


def open_circular(request, pk):
    """The circular as its recipient reads it. Opening it records the entity's presa visione
    (once: the first reader and time); a POST sends a reply."""
    recipient = selectors.recipient_for(request.user, pk)
    if recipient is None:
        raise Http404
    services.acknowledge(recipient=recipient, by=request.user)
    form = ReplyForm()
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.reply(
                    recipient=recipient,
                    by=request.user,
                    text=form.cleaned_data["text"],
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Reply sent to the Region."))
                return redirect("circulars_open", pk=pk)
    recipient = selectors.recipient_for(request.user, pk)  # with its acknowledgement
    circular = recipient.circular
    return TemplateResponse(
        request,
        "circulars/admin/open.html",
        {
            "recipient": recipient,
            "circular": circular,
            "acknowledgement": recipient.acknowledgement,
            "own_replies": recipient.replies.select_related("sent_by").prefetch_related("attachments"),
            "form": form,
            "late": bool(circular.reply_by and circular.reply_by < timezone.localdate()),
        },
    )
