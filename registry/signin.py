"""Signing in and recovering a password: brute-force protection, links, audit.

- Failed sign-ins are counted by django-axes in the database (so every server process sees
  the same counts) per account and per client address (``core.client.client_address``).
  An account is refused after ``AXES_FAILURE_LIMIT`` failures, an address after
  ``PUSH_SIGNIN_ADDRESS_FAILURE_LIMIT`` (higher: a Comune's offices share one address),
  both for ``AXES_COOLOFF_TIME`` after the last failure. While refused, even the right
  password does not sign in, and the page says why (``LoginForm``).
- Password-reset requests are throttled per client address (answered 429) and per target
  e-mail address (silently: the page must not tell whether the address is known).
- A password-reset link lasts ``PASSWORD_RESET_TIMEOUT`` (hours); the link sent when an
  accreditation is approved has its own generator and lasts ``PUSH_SET_PASSWORD_LINK_DAYS``.
- Every sign-in, failure, lock-out, reset request and password set is written to the audit
  log (see ``audit``), without passwords and without codici fiscali.

There is no API endpoint that takes a password (API tokens are issued by the Region), so
the API needs no lockout of its own; any future one calling ``authenticate(request, …)``
is counted by axes like the admin's sign-in.
"""

import re

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int
from django.utils.translation import gettext as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm
from wagtail.admin.forms.auth import PasswordResetForm as WagtailPasswordResetForm
from wagtail.admin.views import account as wagtail_account
from wagtail.log_actions import log

from core import throttle
from core.client import client_address
from core.pseudonyms import pseudonymise

PERSON_CODE = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")


# --- counting failures (django-axes) -----------------------------------------------------


def signin_username(request, credentials=None) -> str | None:
    """The name under which axes counts an attempt: what was typed, trimmed and lower-case
    (so that "Mario" and "mario" count together). Someone typing their codice fiscale as
    username must not leave it in clear in the attempts table: it is pseudonymised."""
    if credentials:
        typed = credentials.get("username")
    else:
        typed = getattr(request, "data", request.POST).get("username")
    if typed is None:
        return None
    typed = str(typed).strip()
    if PERSON_CODE.match(typed.upper()):
        return "cf:" + pseudonymise(typed)[:24]
    return typed.lower()[:255]


class SignInAttemptHandler(AxesDatabaseHandler):
    """axes' database handler with two thresholds instead of one.

    axes compares one number with ``AXES_FAILURE_LIMIT``; here that number is the larger of
    the account's failures and the address's failures scaled so that it reaches the limit
    exactly when the address reaches ``PUSH_SIGNIN_ADDRESS_FAILURE_LIMIT``."""

    def get_failures(self, request, credentials=None) -> int:
        attempts = AccessAttempt.objects.all()
        cool_off = get_cool_off(request)
        if cool_off is not None:
            attempts = attempts.filter(attempt_time__gte=(request.axes_attempt_time or timezone.now()) - cool_off)
        username = get_client_username(request, credentials)
        by_account = by_address = 0
        if username:
            by_account = attempts.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0
        if request.axes_ip_address:
            by_address = (
                attempts.filter(ip_address=request.axes_ip_address).aggregate(n=Sum("failures_since_start"))["n"] or 0
            )
        account_limit = settings.AXES_FAILURE_LIMIT
        address_limit = settings.PUSH_SIGNIN_ADDRESS_FAILURE_LIMIT
        return max(by_account, by_address * account_limit // address_limit)


def lockout_message() -> str:
    minutes = int(get_cool_off().total_seconds() // 60)
    return _(
        "Too many failed sign-in attempts for this account or from your connection. "
        "Sign-in is suspended: try again in %(minutes)d minutes."
    ) % {"minutes": minutes}


class LoginForm(WagtailLoginForm):
    """Wagtail's sign-in form, saying so when axes refused the attempt (otherwise the
    person would read "wrong password" and keep trying the right one)."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise ValidationError(lockout_message(), code="locked_out")
            raise


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: keep the page the view rendered (the sign-in form with the
    message above), answered 429."""
    if original_response is not None and original_response.status_code == 200:
        original_response.status_code = 429
        return original_response
    return HttpResponse(lockout_message(), status=429, content_type="text/plain; charset=utf-8")


# --- audit -------------------------------------------------------------------------------


def audit(user, action: str, request=None, *, by=None, **data) -> None:
    """One audit entry on the account concerned (Wagtail's log, shown in its history and in
    the Region's site-history report). Never a password or a codice fiscale."""
    if request is not None:
        data["address"] = client_address(request)
    log(instance=user, action=action, user=by, data=data)


def account_named(username: str | None):
    if not username:
        return None
    return get_user_model()._default_manager.filter(username=username).first()


# --- password reset ----------------------------------------------------------------------


class PasswordResetForm(WagtailPasswordResetForm):
    """Sends at most PUSH_PASSWORD_RESET_PER_EMAIL links per hour to one address; beyond
    that nothing is sent, and the page is the same (it never says whether an address is
    known)."""

    def save(self, *args, request=None, **kwargs):
        email = self.cleaned_data["email"]
        users = list(self.get_users(email))
        within = throttle.allow(
            "password-reset-email", email.strip().lower(), limit=settings.PUSH_PASSWORD_RESET_PER_EMAIL, window=3600
        )
        for user in users:
            audit(user, "push.password_reset.requested", request, sent=within)
        if within:
            super().save(*args, request=request, **kwargs)


class PasswordResetView(wagtail_account.PasswordResetView):
    def get_form_class(self):
        return PasswordResetForm

    def post(self, request, *args, **kwargs):
        if not throttle.allow(
            "password-reset-address",
            client_address(request),
            limit=settings.PUSH_PASSWORD_RESET_PER_ADDRESS,
            window=3600,
        ):
            form = self.get_form()
            form.is_valid()
            form.add_error(
                None,
                ValidationError(
                    _("Too many password reset requests from your connection: try again in an hour."),
                    code="throttled",
                ),
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(wagtail_account.PasswordResetConfirmView):
    audit_action = "push.password_reset.completed"

    def form_valid(self, form):
        response = super().form_valid(form)
        audit(form.user, self.audit_action, self.request)
        return response


class SetPasswordTokenGenerator(PasswordResetTokenGenerator):
    """Tokens of the set-password link sent on approval of an accreditation: valid
    PUSH_SET_PASSWORD_LINK_DAYS, not the hours of a reset link, and not accepted by the
    reset page (another salt), nor a reset token by the set-password page."""

    key_salt = "registry.signin.SetPasswordTokenGenerator"

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            ts = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - ts <= settings.PUSH_SET_PASSWORD_LINK_DAYS * 24 * 3600


set_password_token_generator = SetPasswordTokenGenerator()


class SetPasswordView(PasswordResetConfirmView):
    token_generator = set_password_token_generator
    audit_action = "push.password.set"


def admin_urls():
    """Routes placed before Wagtail's own, so that its reset pages are throttled and audited."""
    return [
        path("admin/password_reset/", PasswordResetView.as_view()),
        path("admin/password_reset/confirm/<uidb64>/<token>/", PasswordResetConfirmView.as_view()),
        path("admin/set-password/<uidb64>/<token>/", SetPasswordView.as_view(), name="registry_set_password"),
    ]
