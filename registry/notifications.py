"""What the registry tells people (core.notifications): the accreditation requests, to the
requester (an address, no account yet) and to the Region's administrators, and the decision.

The stored context holds ids; `render_context` loads the request when the e-mail is
rendered. The link to choose a password is made then too, never stored in the outbox."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from core.notifications.kinds import Kind

from .models import AccreditationRequest, Area, Entity, Membership, Role


def _absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _request(context):
    return {"request": AccreditationRequest.objects.select_related("entity").get(pk=context["request_id"])}


def _approved(context):
    from .signin import set_password_token_generator

    values = _request(context)
    user = get_user_model().objects.get(pk=context["user_id"])
    values.update(user=user, login_url=_absolute(reverse("wagtailadmin_login")))
    if not user.has_usable_password():
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = set_password_token_generator.make_token(user)
        values["set_password_url"] = _absolute(reverse("registry_set_password", args=[uid, token]))
        values["link_days"] = settings.PUSH_SET_PASSWORD_LINK_DAYS
    return values


def _not_recorded(context):
    values = {
        "entity": Entity.objects.get(pk=context["entity_id"]),
        "role": dict(Role.choices).get(context["role"], context["role"]),
        "area": Area(context["area"]).label if context.get("area") else "",
    }
    if context.get("pending_id"):
        values["pending"] = AccreditationRequest.objects.filter(pk=context["pending_id"]).first()
    if context.get("membership_id"):
        values["membership"] = Membership.objects.select_related("user").filter(pk=context["membership_id"]).first()
    return values


KINDS = (
    Kind("accreditation_submitted", _("Accreditation: request received"), render_context=_request, always_email=True),
    Kind("accreditation_to_review", _("Accreditation: a new request to decide"), render_context=_request),
    Kind(
        "accreditation_approved",
        _("Accreditation: request approved"),
        render_context=_approved,
        always_email=True,
    ),
    Kind("accreditation_rejected", _("Accreditation: request rejected"), render_context=_request, always_email=True),
    Kind(
        "accreditation_not_recorded",
        _("Accreditation: request not recorded"),
        render_context=_not_recorded,
        always_email=True,
    ),
)
