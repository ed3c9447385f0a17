"""The helpdesk's function views: thin adapters between a request and a service.

Each view finds its ticket through the access rule (selectors.tickets_visible_to: 404 for a
ticket the person may not read, so its existence is not revealed), reads a form, calls the
service (helpdesk/services.py), which decides whether the person may act, and reports."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from .. import policy, selectors, services, transitions
from ..models import Ticket, TicketState, Topic
from .forms import AssignForm, MessageForm, NoteForm, QueueFilter, TicketForm


def confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "yes"


def report(request, error):
    if hasattr(error, "message_dict"):
        text = " ".join(message for messages_ in error.message_dict.values() for message in messages_)
    else:
        text = " ".join(getattr(error, "messages", [str(error)]))
    messages.error(request, text)


def ticket_for(request, pk) -> Ticket:
    return get_object_or_404(selectors.tickets_visible_to(request.user), pk=pk)


def ticket_url(ticket) -> str:
    return reverse("helpdesk_ticket", args=[ticket.pk])


# --- the entity's side ----------------------------------------------------------------


def ticket_list(request):
    """The tickets of the entities the person acts for (the Region's staff: their queue)."""
    if policy.handles_tickets(request.user):
        return redirect("helpdesk_queue")
    if not policy.can_see_tickets(request.user):
        raise PermissionDenied
    tickets = selectors.tickets_visible_to(request.user).order_by("-updated_at", "-pk")
    return TemplateResponse(
        request,
        "helpdesk/admin/ticket_list.html",
        {"tickets": tickets, "may_open": policy.opens_tickets(request.user), "faq_url": selectors.faq_url()},
    )


def ticket_new(request):
    """The new-ticket form. The FAQ entries that match the subject are proposed before the
    ticket is sent: with the "Search the FAQ" button (a plain POST that sends nothing), and as
    the subject is typed where scripts run (helpdesk/static/helpdesk/faq-proposals.js)."""
    if not policy.opens_tickets(request.user):
        raise PermissionDenied
    proposals = None
    if request.method == "POST":
        form = TicketForm(request.POST, request.FILES, user=request.user)
        if "search_faq" in request.POST:
            proposals = selectors.faq_proposals(request.POST.get("subject", ""))
            # Shown again as typed (files must be chosen again), nothing sent, no errors.
            typed = {name: request.POST.get(name) for name in TicketForm.base_fields if name != "files"}
            form = TicketForm(user=request.user, initial=typed)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.open_ticket(
                    entity=data["entity"],
                    topic=data["topic"],
                    subject=data["subject"],
                    body=data["body"],
                    files=data["files"],
                    call=data["call"],
                    submission=data["submission"],
                    import_job=data["import_job"],
                    by=request.user,
                )
            except ValidationError as error:
                report(request, error)
            else:
                messages.success(
                    request, _("Ticket %(reference)s sent to the Region.") % {"reference": ticket.reference}
                )
                return redirect(ticket_url(ticket))
    else:
        form = TicketForm(
            user=request.user,
            initial={"topic": request.GET.get("topic", "")} if request.GET.get("topic") in Topic.values else None,
        )
    return TemplateResponse(
        request,
        "helpdesk/admin/ticket_new.html",
        {
            "form": form,
            "proposals": proposals,
            "searched": proposals is not None,
            "faq_url": selectors.faq_url(),
        },
    )


def faq_proposals(request):
    """The FAQ entries matching `?subject=`, as a fragment of HTML the new-ticket form shows."""
    if not policy.opens_tickets(request.user):
        raise PermissionDenied
    subject = request.GET.get("subject", "")[:200]
    return TemplateResponse(
        request,
        "helpdesk/admin/includes/faq_proposals.html",
        {"proposals": selectors.faq_proposals(subject), "searched": bool(subject.strip())},
    )


# --- the Region's queue --------------------------------------------------------------------


def queue_view(request):
    """The Region's queue with its whitelisted filters; only the helpdesk staff reach it."""
    if not policy.handles_tickets(request.user):
        raise PermissionDenied
    staff = selectors.helpdesk_staff()
    form = QueueFilter(request.GET or None, staff=staff, user=request.user)
    tickets = selectors.queue(**form.filters())
    return TemplateResponse(
        request,
        "helpdesk/admin/queue.html",
        {"form": form, "tickets": tickets[:500], "total": tickets.count(), "query": request.GET.urlencode()},
    )


# --- a ticket ------------------------------------------------------------------------------


def ticket_view(request, pk):
    """The thread: every message the reader may read, in order, with author, time and files;
    the actions the reader's side may take now."""
    ticket = ticket_for(request, pk)
    allowed = transitions.allowed_transitions(request.user, ticket)
    handles = policy.handles_tickets(request.user)
    context = {
        "ticket": ticket,
        "thread": selectors.thread(request.user, ticket),
        "direct_actions": [
            (action, transitions.TRANSITIONS[action])
            for action in allowed
            if not transitions.TRANSITIONS[action].confirm
        ],
        "confirmed_actions": [
            (action, transitions.TRANSITIONS[action]) for action in allowed if transitions.TRANSITIONS[action].confirm
        ],
        "message_form": MessageForm(),
        "handles": handles,
        "related": ticket.related_object,
    }
    if handles:
        context["note_form"] = NoteForm()
        context["assign_form"] = AssignForm(
            staff=selectors.helpdesk_staff(), initial={"assignee": ticket.assignee_id or ""}
        )
    return TemplateResponse(request, "helpdesk/admin/ticket.html", context)


def ticket_write(request, pk, action):
    """A message that moves the ticket. Replies and requests for information are sent from
    the thread's form; resolving and reopening show a summary first and act only on a POST
    with `confirm=yes`."""
    ticket = ticket_for(request, pk)
    transition = transitions.TRANSITIONS.get(action)
    if transition is None:
        raise Http404
    if not policy.can_take(request.user, ticket, transition):
        raise PermissionDenied
    if ticket.state not in transition.sources:
        messages.error(
            request, _("This cannot be done to a ticket in state “%(state)s”.") % {"state": ticket.get_state_display()}
        )
        return redirect(ticket_url(ticket))
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if transition.confirm and not confirmed(request):
            if "confirm" in request.POST:
                messages.warning(request, _("Nothing was done: confirm to go on."))
        elif not form.is_valid():
            messages.error(request, _("Write the message."))
        else:
            try:
                services.write(
                    ticket=ticket,
                    action=action,
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["files"],
                    by=request.user,
                )
            except ValidationError as error:
                report(request, error)
            else:
                ticket.refresh_from_db()
                messages.success(
                    request, _("Done: the ticket is now “%(state)s”.") % {"state": ticket.get_state_display()}
                )
                return redirect(ticket_url(ticket))
        if not transition.confirm:
            return redirect(ticket_url(ticket))
    return TemplateResponse(
        request,
        "helpdesk/admin/ticket_confirm.html",
        {
            "ticket": ticket,
            "action": action,
            "transition": transition,
            "target_label": TicketState(transition.target).label,
            "form": form,
            "message_count": len(selectors.thread(request.user, ticket)),
        },
    )


@require_POST
def ticket_note(request, pk):
    ticket = ticket_for(request, pk)
    if not policy.handles_tickets(request.user):
        raise Http404  # the entity's people do not learn the notes exist
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the note."))
    else:
        try:
            services.add_note(ticket=ticket, body=form.cleaned_data["body"], by=request.user)
            messages.success(request, _("Internal note added."))
        except ValidationError as error:
            report(request, error)
    return redirect(ticket_url(ticket))


@require_POST
def ticket_assign(request, pk):
    ticket = ticket_for(request, pk)
    if not policy.handles_tickets(request.user):
        raise PermissionDenied
    form = AssignForm(request.POST, staff=selectors.helpdesk_staff())
    if not form.is_valid():
        messages.error(request, _("Choose a person of the Region's helpdesk staff."))
    else:
        try:
            services.assign(ticket=ticket, assignee=form.cleaned_data["assignee"], by=request.user)
            messages.success(request, _("Assignment saved."))
        except ValidationError as error:
            report(request, error)
    return redirect(ticket_url(ticket))
