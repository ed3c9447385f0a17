"""Use cases of the registry: accreditation requests and memberships.

Each function is one operation, atomic, callable alike from the public site, the admin,
the API and management commands. Decisions are written to the audit log (Wagtail's log
entries, shown in each object's history) and e-mails leave only after the commit.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.files import validate_pdf
from core.notifications import notify
from core.notifications.services import send_to_address

from . import policy
from .models import (
    AccreditationRequest,
    AccreditationState,
    Entity,
    EntityKind,
    Membership,
    RequestStatus,
    Role,
    roles_for_kind,
)
from .recipients import regional_people

User = get_user_model()


class AccreditationConflict(ValidationError):
    """The request clashes with a pending request, an existing membership or another person.

    ``recipient`` is the address on file that may be told the details (the pending
    request's, the accredited person's, the owner of the e-mail address) and ``details``
    what the e-mail about it needs; the public form never shows them (see
    ``receive_accreditation_request``)."""

    def __init__(self, message, code=None, *, recipient: str = "", details: dict | None = None):
        super().__init__(message, code=code)
        self.recipient = recipient
        self.details = details or {}


@dataclass(frozen=True)
class AccreditationApplication:
    first_name: str
    last_name: str
    email: str
    fiscal_code: str
    entity: Entity
    role: str
    area: str
    designation_act: object  # an UploadedFile


def _check_conflicts(application: AccreditationApplication) -> None:
    """Refuse requests that repeat or contradict what PUSH already holds.

    The messages say what exists and what to do, because the person asking cannot see it."""
    same_role = {
        "entity": application.entity,
        "role": application.role,
        "area": application.area,
    }
    pending_same = AccreditationRequest.objects.filter(
        fiscal_code=application.fiscal_code, status=RequestStatus.PENDING, **same_role
    ).first()
    if pending_same:
        raise AccreditationConflict(
            _(
                "A request for the same person, entity, role and area has been waiting for the Region's "
                "decision since %(date)s (reference %(reference)s). You do not need to send it again."
            )
            % {
                "date": timezone.localtime(pending_same.submitted_at).strftime("%d/%m/%Y"),
                "reference": pending_same.reference,
            },
            code="duplicate",
            recipient=pending_same.email,
            details={"pending": pending_same},
        )
    accredited = (
        Membership.objects.active()
        .filter(user__fiscal_code=application.fiscal_code, **same_role)
        .select_related("user", "entity")
        .first()
    )
    if accredited:
        raise AccreditationConflict(
            _("This person is already accredited for this entity with this role and area."),
            code="already_accredited",
            recipient=accredited.user.email,
            details={"membership": accredited},
        )
    email_owner = (
        User.objects.filter(email__iexact=application.email).exclude(fiscal_code=application.fiscal_code).first()
    )
    if email_owner:
        raise AccreditationConflict(
            _(
                "This e-mail address already belongs to another person registered in PUSH. "
                "Use your own personal or office address."
            ),
            code="email_taken",
            recipient=email_owner.email,
        )
    if application.role == Role.LEGAL_REPRESENTATIVE:
        other_pending = (
            AccreditationRequest.objects.filter(
                entity=application.entity, role=Role.LEGAL_REPRESENTATIVE, status=RequestStatus.PENDING
            )
            .exclude(fiscal_code=application.fiscal_code)
            .exists()
        )
        if other_pending:
            raise AccreditationConflict(
                _(
                    "Another person's request to be accredited as legal representative of this entity is "
                    "waiting for the Region's decision. Only one can be examined at a time: contact the "
                    "Region's housing policy office."
                ),
                code="legal_representative_pending",
                # A fact about the entity, not about a person: the applicant may learn it.
                recipient=application.email,
            )


def submit_accreditation_request(application: AccreditationApplication) -> AccreditationRequest:
    """Record a request from the public site. Atomic; refuses duplicates and conflicts
    (AccreditationConflict) and invalid designation acts (ValidationError). Anyone may call it."""
    if application.entity.kind == EntityKind.REGION or application.role not in roles_for_kind(application.entity.kind):
        raise ValidationError(_("This role cannot be requested for this entity."), code="role")
    sha256 = validate_pdf(application.designation_act)
    with transaction.atomic():
        _check_conflicts(application)
        request_obj = AccreditationRequest(
            first_name=application.first_name.strip(),
            last_name=application.last_name.strip(),
            email=application.email.strip().lower(),
            fiscal_code=application.fiscal_code,
            entity=application.entity,
            role=application.role,
            area=application.area,
            designation_act_sha256=sha256,
            designation_act_size=application.designation_act.size,
        )
        request_obj.designation_act.save("act.pdf", application.designation_act, save=False)
        try:
            with transaction.atomic():
                request_obj.save()
        except IntegrityError:
            # Two identical requests sent at the same moment: the database kept one.
            request_obj.designation_act.delete(save=False)
            pending = AccreditationRequest.objects.filter(
                fiscal_code=application.fiscal_code,
                entity=application.entity,
                role=application.role,
                area=application.area,
                status=RequestStatus.PENDING,
            ).first()
            raise AccreditationConflict(
                _("An identical request is already waiting for the Region's decision."),
                code="duplicate",
                recipient=pending.email if pending else "",
                details={"pending": pending},
            )
        log(instance=request_obj, action="push.accreditation.submitted", user=None)
        _notify_submitted(request_obj)  # e-mailed after the commit
    return request_obj


def receive_accreditation_request(application: AccreditationApplication) -> AccreditationRequest | None:
    """The public form's use case: record the request, or, when it clashes with what PUSH
    holds (a pending request, an accreditation, another person's e-mail address), record
    nothing and tell the details by e-mail to the address on file, never to the page.

    The page answers the same in every case, so that the form cannot be used to learn
    whether a codice fiscale or an address is known to PUSH. Returns the new request, or
    None when nothing was recorded. Invalid designation acts still raise ValidationError:
    they say something about the upload, not about anyone on file."""
    try:
        return submit_accreditation_request(application)
    except AccreditationConflict as conflict:
        if conflict.recipient:
            context = {
                "code": conflict.code,
                "entity_id": application.entity.pk,
                "role": application.role,
                "area": application.area or "",
                "pending_id": getattr(conflict.details.get("pending"), "pk", None),
                "membership_id": getattr(conflict.details.get("membership"), "pk", None),
            }
            _send("accreditation_not_recorded", context, [conflict.recipient])
        pending = conflict.details.get("pending")
        if pending is not None:
            log(instance=pending, action="push.accreditation.repeated", user=None)
        return None


def _require_decider(user) -> None:
    if not policy.can_decide_accreditation(user):
        raise PermissionDenied(_("Only a regional administrator can decide on accreditation requests."))


def _locked_pending(request_id: int) -> AccreditationRequest:
    request_obj = AccreditationRequest.objects.select_for_update().select_related("entity").get(pk=request_id)
    if request_obj.status != RequestStatus.PENDING:
        raise ValidationError(
            _("This request has already been decided (%(status)s).") % {"status": request_obj.get_status_display()},
            code="already_decided",
        )
    return request_obj


def approve_accreditation_request(*, request_id: int, decided_by) -> Membership:
    """Approve a pending request: link or create the person's account, open the membership,
    accredit the entity if its legal representative is approved, and e-mail a link to set
    the password. Atomic; only regional administrators may call it.

    A new legal representative replaces the previous one, whose membership is ended today."""
    _require_decider(decided_by)
    with transaction.atomic():
        request_obj = _locked_pending(request_id)
        user = _link_or_create_user(request_obj)
        today = timezone.localdate()
        if request_obj.role == Role.LEGAL_REPRESENTATIVE:
            for previous in (
                Membership.objects.active()
                .filter(entity=request_obj.entity, role=Role.LEGAL_REPRESENTATIVE)
                .exclude(user=user)
            ):
                _end(previous, ended_by=decided_by, reason=_("Replaced by a new legal representative."))
        membership = Membership.objects.create(
            user=user, entity=request_obj.entity, role=request_obj.role, area=request_obj.area, valid_from=today
        )
        log(instance=membership, action="wagtail.create", user=decided_by)
        entity = request_obj.entity
        if (
            request_obj.role == Role.LEGAL_REPRESENTATIVE
            and entity.accreditation_state == AccreditationState.NOT_ACCREDITED
        ):
            entity.accreditation_state = AccreditationState.ACCREDITED
            entity.accredited_on = today
            entity.save(update_fields=["accreditation_state", "accredited_on", "updated_at"])
            log(instance=entity, action="push.entity.accredited", user=decided_by)
        request_obj.status = RequestStatus.APPROVED
        request_obj.decided_at = timezone.now()
        request_obj.decided_by = decided_by
        request_obj.membership = membership
        request_obj.save(update_fields=["status", "decided_at", "decided_by", "membership"])
        log(
            instance=request_obj,
            action="push.accreditation.approved",
            user=decided_by,
            data={"membership_id": membership.pk, "user_id": user.pk},
        )
        _notify_approved(request_obj, user)  # e-mailed after the commit
    return membership


def reject_accreditation_request(*, request_id: int, decided_by, reason: str) -> AccreditationRequest:
    """Reject a pending request with a reason, which is e-mailed to the requester.
    Atomic; only regional administrators may call it."""
    _require_decider(decided_by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the rejection: the requester will read it."), code="reason")
    with transaction.atomic():
        request_obj = _locked_pending(request_id)
        request_obj.status = RequestStatus.REJECTED
        request_obj.decided_at = timezone.now()
        request_obj.decided_by = decided_by
        request_obj.rejection_reason = reason
        request_obj.save(update_fields=["status", "decided_at", "decided_by", "rejection_reason"])
        log(instance=request_obj, action="push.accreditation.rejected", user=decided_by, data={"reason": reason})
        _notify_rejected(request_obj)  # e-mailed after the commit
    return request_obj


def end_membership(*, membership: Membership, ended_by, reason: str = "") -> Membership:
    """End an active membership now: from today it grants nothing (the person's groups go
    with it). Never deletes it. Atomic and logged; only whoever may change the entity's
    memberships may call it (registry.policy.can_end_membership). The one way a membership
    ends: the admin's generic form does not edit the end date."""
    if not policy.can_end_membership(ended_by, membership):
        raise PermissionDenied(_("You cannot end this membership."))
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.has_ended():
            raise ValidationError(_("This membership has already ended."), code="already_ended")
        _end(locked, ended_by=ended_by, reason=reason)
    membership.ended_on = locked.ended_on
    return membership


def _end(membership: Membership, *, ended_by, reason: str) -> None:
    membership.ended_on = max(timezone.localdate(), membership.valid_from)
    membership.save(update_fields=["ended_on"])
    log(instance=membership, action="push.membership.ended", user=ended_by, data={"reason": reason})


def _link_or_create_user(request_obj: AccreditationRequest):
    user = User.objects.filter(fiscal_code=request_obj.fiscal_code).first()
    if user is None:
        clash = User.objects.filter(email__iexact=request_obj.email).exclude(fiscal_code=request_obj.fiscal_code)
        if clash.exists():
            raise AccreditationConflict(
                _("The e-mail address of this request now belongs to another person: reject the request."),
                code="email_taken",
            )
        user = User(
            username=request_obj.email,
            email=request_obj.email,
            first_name=request_obj.first_name,
            last_name=request_obj.last_name,
            fiscal_code=request_obj.fiscal_code,
        )
        user.set_unusable_password()
        user.save()
        log(instance=user, action="wagtail.create", user=None)
    return user


# --- e-mail ---------------------------------------------------------------------------
# Through the notifications' outbox (core.notifications, kinds in registry/notifications.py):
# written in the decision's transaction, e-mailed after its commit by the worker.


def _send(kind: str, context: dict, to: list[str]) -> None:
    """E-mail `kind` to addresses that may belong to no account yet (the requester)."""
    for address in to:
        send_to_address(kind=kind, address=address, context=context)


def _notify_submitted(request_obj: AccreditationRequest) -> None:
    _send("accreditation_submitted", {"request_id": request_obj.pk}, [request_obj.email])
    notify(
        kind="accreditation_to_review",
        recipients=regional_people(roles=(Role.ADMINISTRATOR,)),
        context={"request_id": request_obj.pk},
        url=reverse("registry_accreditationrequest_modeladmin_inspect", args=[request_obj.pk]),
    )


def _notify_approved(request_obj: AccreditationRequest, user) -> None:
    # The set-password link is made when the e-mail is rendered (registry/notifications.py).
    notify(
        kind="accreditation_approved",
        recipients=[user],
        context={"request_id": request_obj.pk, "user_id": user.pk},
        url=reverse("wagtailadmin_login"),
    )


def _notify_rejected(request_obj: AccreditationRequest) -> None:
    _send("accreditation_rejected", {"request_id": request_obj.pk}, [request_obj.email])


CONTACT_FIELDS = ("fiscal_code", "pec", "legal_representative")


def update_entity_contacts(*, entity: Entity, changed_by, **values) -> Entity:
    """Change an entity's contact data (fiscal code, PEC, legal representative).

    Allowed to its own legal representative and to regional administrators (permission
    registry.change_entity plus the access rule); logged with the old and new values."""
    if not policy.can_manage_entity(changed_by, entity):
        raise PermissionDenied(_("You cannot change this entity's data."))
    unknown = set(values) - set(CONTACT_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    changes = {name: [getattr(entity, name), value] for name, value in values.items() if getattr(entity, name) != value}
    if not changes:
        return entity
    with transaction.atomic():
        for name, (_old, value) in changes.items():
            setattr(entity, name, value)
        entity.full_clean()
        entity.save(update_fields=[*changes, "updated_at"])
        log(instance=entity, action="wagtail.edit", user=changed_by, data={"changes": changes})
    return entity
