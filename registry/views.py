"""Public pages of the registry: the accreditation request."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from core import throttle
from core.client import client_address

from . import services
from .forms import AccreditationRequestForm

SENT_FLAG = "accreditation_sent"


def within_request_allowance(request) -> bool:
    """Requests from one client address per hour, counted in the shared cache."""
    return throttle.allow(
        "accreditation-request",
        client_address(request),
        limit=settings.PUSH_ACCREDITATION_REQUESTS_PER_HOUR,
        window=3600,
    )


# The throttle is checked before anything reads the body: a refused request must not cost
# the parsing of a 10 MB upload. CSRF middleware would read the body first (it looks for
# the token among the POST fields), so it is skipped here and applied by _form below, after
# the throttle.
@csrf_exempt
@never_cache
# Django's error reports (e-mails to ADMINS, logs) must not carry the applicant's identity.
@sensitive_post_parameters("fiscal_code", "email", "first_name", "last_name")
def accreditation_request(request):
    if request.method == "POST" and not within_request_allowance(request):
        return render(
            request,
            "registry/accreditation_request.html",
            {"form": AccreditationRequestForm(), "throttled": True},
            status=429,
        )
    return _form(request)


@csrf_protect
def _form(request):
    form = AccreditationRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
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
            services.receive_accreditation_request(application)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The same answer whether the request was recorded or not: the details go by
            # e-mail to the address on file (see services.receive_accreditation_request).
            request.session[SENT_FLAG] = True
            return redirect("registry:accreditation_sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "registry/accreditation_request.html", {"form": form}, status=status)


@never_cache
def accreditation_sent(request):
    if not request.session.pop(SENT_FLAG, False):
        return redirect("registry:accreditation_request")
    return render(request, "registry/accreditation_sent.html")
