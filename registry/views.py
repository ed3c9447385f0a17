"""Public pages of the registry: the accreditation request."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import services
from .forms import AccreditationRequestForm

# Requests from one address within an hour, beyond which the form refuses more.
REQUESTS_PER_HOUR = 20


def _client_address(request):
    return request.META.get("REMOTE_ADDR", "unknown")


def _throttled(request) -> bool:
    key = f"accreditation-requests:{_client_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) > REQUESTS_PER_HOUR
    except ValueError:
        return False


@never_cache
def accreditation_request(request):
    form = AccreditationRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if _throttled(request):
            form.add_error(None, _("Too many requests from your connection: try again in an hour."))
        elif form.is_valid():
            data = form.cleaned_data
            application = services.AccreditationApplication(
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                fiscal_code=data["fiscal_code"],
                entity=data["entity"],
                role=data["role"],
                area=data["area"] or "",
                designation_act=data["designation_act"],
            )
            try:
                request_obj = services.submit_accreditation_request(application)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                request.session["accreditation_reference"] = request_obj.reference
                request.session["accreditation_sha256"] = request_obj.designation_act_sha256
                return redirect("registry:accreditation_sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "registry/accreditation_request.html", {"form": form}, status=status)


@never_cache
def accreditation_sent(request):
    reference = request.session.pop("accreditation_reference", None)
    if reference is None:
        return redirect("registry:accreditation_request")
    sha256 = request.session.pop("accreditation_sha256", "")
    return render(request, "registry/accreditation_sent.html", {"reference": reference, "sha256": sha256})
