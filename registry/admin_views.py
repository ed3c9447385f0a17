"""Admin views beyond modeladmin's CRUD: deciding accreditation requests, downloading
designation acts, ending memberships. Thin: who may is registry.policy, what happens is
registry.services, which rows are visible is registry.access."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from core.files import private_download

from . import access, policy, services
from .models import AccreditationRequest, Membership


def _visible_request(request, pk) -> AccreditationRequest:
    """The accreditation request if the user may see it; 404 otherwise, so that other
    entities' requests cannot even be discovered by id."""
    if not policy.can_view_accreditation_requests(request.user):
        raise Http404
    queryset = access.scope(AccreditationRequest.objects.select_related("entity"), request.user)
    return get_object_or_404(queryset, pk=pk)


def _inspect_url(request_obj):
    return reverse("registry_accreditationrequest_modeladmin_inspect", args=[request_obj.pk])


def designation_act_download(request, pk):
    request_obj = _visible_request(request, pk)
    if not request_obj.designation_act:
        raise Http404
    return private_download(
        request_obj.designation_act,
        f"atto-designazione-{request_obj.reference}.pdf",
        "application/pdf",
        request=request,
        instance=request_obj,
        kind="designation_act",
        sha256=request_obj.designation_act_sha256,
    )


@require_POST
def approve(request, pk):
    request_obj = _visible_request(request, pk)
    try:
        membership = services.approve_accreditation_request(request_id=request_obj.pk, decided_by=request.user)
    except PermissionDenied:
        raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_inspect_url(request_obj))
    messages.success(
        request,
        _(
            "Request approved: %(person)s is now %(role)s of %(entity)s. An e-mail with a link to set the password has been sent."
        )
        % {"person": membership.user, "role": membership.get_role_display(), "entity": membership.entity},
    )
    return redirect("registry_accreditationrequest_modeladmin_index")


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for rejection"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("The requester receives this text by e-mail: say what is wrong and what to do."),
        max_length=2000,
    )


def reject(request, pk):
    request_obj = _visible_request(request, pk)
    # Before the form is shown; the service asks again when it is sent.
    if not policy.can_decide_accreditation(request.user):
        raise PermissionDenied
    form = RejectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reject_accreditation_request(
                request_id=request_obj.pk, decided_by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(_inspect_url(request_obj))
        messages.success(request, _("Request rejected; the requester has been told why by e-mail."))
        return redirect("registry_accreditationrequest_modeladmin_index")
    return TemplateResponse(
        request,
        "registry/admin/reject.html",
        {"request_obj": request_obj, "form": form, "inspect_url": _inspect_url(request_obj)},
    )


class EndMembershipForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept in the membership's history."),
        max_length=2000,
        required=False,
    )


def end_membership(request, pk):
    """Confirmation page, then registry.services.end_membership. Memberships the user may
    not change are not found (404), as in the list."""
    membership = get_object_or_404(
        access.scope(Membership.objects.select_related("user", "entity"), request.user, for_edit=True), pk=pk
    )
    inspect_url = reverse("registry_membership_modeladmin_inspect", args=[membership.pk])
    if not policy.can_end_membership(request.user, membership):
        raise PermissionDenied
    form = EndMembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_membership(membership=membership, ended_by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(inspect_url)
        messages.success(request, _("Membership ended: %(membership)s.") % {"membership": membership})
        return redirect("registry_membership_modeladmin_index")
    return TemplateResponse(
        request,
        "registry/admin/membership_end.html",
        {"membership": membership, "form": form, "inspect_url": inspect_url},
    )
