"""Signing in, from the attacker's side: guessing passwords, flooding password resets,
reusing links and sessions. Locks are kept in the database, so a second client (another
server process) sees them."""

import re
from datetime import datetime, timedelta
from unittest import mock

from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from wagtail.models import ModelLogEntry

from tests.factories import UserFactory

LOGIN = "/admin/login/"
RESET = "/admin/password_reset/"
PASSWORD = "secret-pass-123"
User = get_user_model()


def client_at(address):
    """A browser at ``address``, reaching us through the reverse proxy at 10.0.0.1."""
    return Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=address, HTTP_ACCEPT_LANGUAGE="en")


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def signed_in(response):
    return response.status_code == 302 and response["Location"] == "/admin/"


# --- lockout ---------------------------------------------------------------------------


def test_fifty_wrong_passwords_then_the_right_one_is_refused_with_a_clear_message(behind_proxy, region_admin):
    attacker = client_at("203.0.113.66")
    for _attempt in range(50):
        assert not signed_in(sign_in(attacker, region_admin.username, "guess-wrong-password"))

    response = sign_in(attacker, region_admin.username, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in attacker.session
    assert (
        "Troppi tentativi di accesso falliti per questo account o dalla tua connessione." in response.content.decode()
    )
    assert "riprova tra 15 minuti" in response.content.decode()


def test_the_lock_holds_for_the_account_from_any_other_client_and_process(behind_proxy, region_admin, reviewer):
    attacker = client_at("203.0.113.66")
    for _attempt in range(10):
        sign_in(attacker, region_admin.username, "guess-wrong-password")

    # The owner, from the office, in another server process: the database says locked.
    owner = client_at("198.51.100.5")
    response = sign_in(owner, region_admin.username, PASSWORD)
    assert response.status_code == 429
    # Another account from another address still signs in.
    assert signed_in(sign_in(client_at("198.51.100.9"), reviewer.username, PASSWORD))


def test_an_address_guessing_many_accounts_is_locked_out_of_all(behind_proxy, entities, reviewer):
    victims = [UserFactory() for _n in range(6)]
    attacker = client_at("203.0.113.77")
    for victim in victims:
        for _attempt in range(9):  # below the limit of each account
            sign_in(attacker, victim.username, "guess-wrong-password")

    # 54 failures from one address: it is locked, even for an account it never tried.
    response = sign_in(attacker, reviewer.username, PASSWORD)
    assert response.status_code == 429
    # The same account from elsewhere is fine.
    assert signed_in(sign_in(client_at("198.51.100.9"), reviewer.username, PASSWORD))


def test_the_lock_ends_after_the_cool_off(behind_proxy, region_admin):
    attacker = client_at("203.0.113.66")
    for _attempt in range(10):
        sign_in(attacker, region_admin.username, "guess-wrong-password")
    assert sign_in(client_at("198.51.100.5"), region_admin.username, PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert signed_in(sign_in(client_at("198.51.100.5"), region_admin.username, PASSWORD))


def test_spoofed_forwarded_hops_do_not_escape_the_address_lock(behind_proxy, entities, reviewer):
    victims = [UserFactory() for _n in range(6)]
    for n, victim in enumerate(victims):
        for attempt in range(9):
            # The attacker writes a new X-Forwarded-For each time; the proxy appends the real one.
            client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.{n}.{attempt}, 203.0.113.88")
            sign_in(client, victim.username, "guess-wrong-password")

    response = sign_in(client_at("9.9.9.9, 203.0.113.88"), reviewer.username, PASSWORD)
    assert response.status_code == 429


# --- audit -----------------------------------------------------------------------------


def test_every_failed_and_successful_sign_in_is_audited_without_password(behind_proxy, reviewer):
    client = client_at("203.0.113.5")
    sign_in(client, reviewer.username, "wrong-password-1")
    sign_in(client, reviewer.username, "wrong-password-2")
    sign_in(client, "nobody-by-this-name", "wrong-password-3")
    assert signed_in(sign_in(client, reviewer.username, PASSWORD))

    failed = ModelLogEntry.objects.filter(action="push.signin.failed", object_id=str(reviewer.pk))
    assert failed.count() == 2
    assert all(entry.data == {"address": "203.0.113.5"} for entry in failed)
    succeeded = ModelLogEntry.objects.get(action="push.signin.succeeded", object_id=str(reviewer.pk))
    assert succeeded.user == reviewer and succeeded.data == {"address": "203.0.113.5"}
    # Names that are no account are kept by axes, one row per failure.
    assert AccessFailureLog.objects.filter(username="nobody-by-this-name", ip_address="203.0.113.5").count() == 1
    assert AccessFailureLog.objects.count() == 3
    everything = str(list(ModelLogEntry.objects.values())) + str(list(AccessAttempt.objects.values()))
    assert "wrong-password" not in everything


def test_a_locked_out_attempt_is_audited_on_the_account(behind_proxy, region_admin):
    attacker = client_at("203.0.113.66")
    for _attempt in range(11):
        sign_in(attacker, region_admin.username, "guess-wrong-password")

    assert ModelLogEntry.objects.filter(action="push.signin.refused", object_id=str(region_admin.pk)).exists()


def test_a_codice_fiscale_typed_as_username_is_not_stored_in_clear(behind_proxy, reviewer):
    sign_in(client_at("203.0.113.5"), reviewer.fiscal_code, "wrong-password-1")

    stored = str(list(AccessAttempt.objects.values())) + str(list(AccessFailureLog.objects.values()))
    assert reviewer.fiscal_code not in stored
    assert reviewer.fiscal_code.lower() not in stored


# --- password reset --------------------------------------------------------------------


def test_password_reset_is_throttled_per_client_address(behind_proxy, settings, reviewer):
    settings.PUSH_PASSWORD_RESET_PER_ADDRESS = 3
    flooder = client_at("203.0.113.99")
    for n in range(3):
        assert flooder.post(RESET, {"email": f"someone{n}@example.it"}).status_code == 302

    refused = flooder.post(RESET, {"email": reviewer.email})

    assert refused.status_code == 429
    assert "Troppe richieste di ripristino della password dalla tua connessione" in refused.content.decode()
    assert mail.outbox == []
    assert client_at("198.51.100.1").post(RESET, {"email": reviewer.email}).status_code == 302
    assert len(mail.outbox) == 1


def test_password_reset_mails_to_one_address_are_capped_and_the_page_does_not_tell(behind_proxy, settings, reviewer):
    settings.PUSH_PASSWORD_RESET_PER_EMAIL = 2
    pages = [client_at(f"203.0.113.{n}").post(RESET, {"email": reviewer.email}) for n in range(4)]

    assert [page.status_code for page in pages] == [302, 302, 302, 302]
    assert len({page["Location"] for page in pages}) == 1
    assert len(mail.outbox) == 2
    requests = ModelLogEntry.objects.filter(action="push.password_reset.requested", object_id=str(reviewer.pk))
    assert [entry.data["sent"] for entry in requests.order_by("pk")] == [True, True, False, False]


def reset_link(message):
    return re.search(r"http://[^/\s]+(/admin/password_reset/confirm/[^\s]+)", message.body).group(1)


def test_a_reset_link_is_valid_hours_not_days_and_its_use_is_audited(behind_proxy, reviewer):
    client = client_at("203.0.113.5")
    client.post(RESET, {"email": reviewer.email})
    link = reset_link(mail.outbox[0])

    four_hours_later = datetime.now() + timedelta(hours=4)  # the generator's clock is naive
    with mock.patch("django.contrib.auth.tokens.PasswordResetTokenGenerator._now", return_value=four_hours_later):
        expired = client.get(link, follow=True)
    assert expired.context["validlink"] is False

    form = client.get(link, follow=True)
    assert form.context["validlink"] is True
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Nuova-Password-2026", "new_password2": "Nuova-Password-2026"}
    )
    assert done.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.check_password("Nuova-Password-2026")
    assert ModelLogEntry.objects.filter(action="push.password_reset.completed", object_id=str(reviewer.pk)).exists()
    assert ModelLogEntry.objects.filter(action="push.password_reset.requested", object_id=str(reviewer.pk)).exists()


def test_passwords_shorter_than_twelve_characters_are_refused(behind_proxy, reviewer):
    client = client_at("203.0.113.5")
    client.post(RESET, {"email": reviewer.email})
    form = client.get(reset_link(mail.outbox[0]), follow=True)

    response = client.post(form.redirect_chain[-1][0], {"new_password1": "Corta-2026!", "new_password2": "Corta-2026!"})

    assert response.status_code == 200
    assert [error.code for error in response.context["form"].errors.as_data()["new_password2"]] == [
        "password_too_short"
    ]
    reviewer.refresh_from_db()
    assert reviewer.check_password(PASSWORD)


# --- the accreditation set-password link -------------------------------------------------


def set_password_path(user):
    from registry.signin import set_password_token_generator

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/admin/set-password/{uid}/{set_password_token_generator.make_token(user)}/"


def test_the_set_password_link_keeps_its_longer_validity(entities):
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    path = set_password_path(user)

    six_days_later = datetime.now() + timedelta(days=6)
    with mock.patch("django.contrib.auth.tokens.PasswordResetTokenGenerator._now", return_value=six_days_later):
        assert Client().get(path, follow=True).context["validlink"] is True
    eight_days_later = datetime.now() + timedelta(days=8)
    with mock.patch("django.contrib.auth.tokens.PasswordResetTokenGenerator._now", return_value=eight_days_later):
        assert Client().get(path, follow=True).context["validlink"] is False


def test_a_set_password_token_does_not_open_the_reset_page_nor_the_reverse(entities):
    from django.contrib.auth.tokens import default_token_generator

    from registry.signin import set_password_token_generator

    user = UserFactory()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    set_token = set_password_token_generator.make_token(user)
    reset_token = default_token_generator.make_token(user)

    assert Client().get(f"/admin/password_reset/confirm/{uid}/{set_token}/").context["validlink"] is False
    assert Client().get(f"/admin/set-password/{uid}/{reset_token}/").context["validlink"] is False


# --- sessions ----------------------------------------------------------------------------


def test_an_idle_admin_session_ends_after_thirty_minutes(behind_proxy, reviewer):
    client = client_at("203.0.113.5")
    assert signed_in(sign_in(client, reviewer.username, PASSWORD))
    assert client.get("/admin/").status_code == 200

    thirty_one_minutes_later = timezone.now() + timedelta(minutes=31)
    with mock.patch("django.utils.timezone.now", return_value=thirty_one_minutes_later):
        response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_activity_keeps_the_session_alive_until_its_absolute_lifetime(behind_proxy, reviewer):
    client = client_at("203.0.113.5")
    assert signed_in(sign_in(client, reviewer.username, PASSWORD))
    start = timezone.now()

    # A request every 20 minutes: never idle.
    for minutes in range(20, 12 * 60, 20):
        with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=minutes)):
            assert client.get("/admin/").status_code == 200, minutes

    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(hours=12, minutes=5)):
        response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert ModelLogEntry.objects.filter(action="push.session.expired", object_id=str(reviewer.pk)).exists()


def test_the_editors_background_pings_do_not_keep_an_abandoned_session_alive(behind_proxy, reviewer):
    client = client_at("203.0.113.5")
    assert signed_in(sign_in(client, reviewer.username, PASSWORD))
    start = timezone.now()
    ping = "/admin/editing-sessions/ping/wagtailcore/page/1/1/"

    for minutes in range(5, 35, 5):
        with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=minutes)):
            client.post(ping)

    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=35)):
        response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_sign_in_time_is_kept_in_the_session(behind_proxy, reviewer):
    client = client_at("203.0.113.5")
    sign_in(client, reviewer.username, PASSWORD)
    assert abs(client.session["push_signed_in_at"] - timezone.now().timestamp()) < 60


# --- the client address ----------------------------------------------------------------


class FakeRequest:
    def __init__(self, **meta):
        self.META = meta


def client_address(request):
    from core.client import client_address

    return client_address(request)


def test_client_address_without_a_proxy_is_the_peer(settings):
    settings.PUSH_TRUSTED_PROXY_HEADER = ""
    assert client_address(FakeRequest(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="6.6.6.6")) == "192.0.2.1"


def test_client_address_behind_proxies_is_the_hop_they_appended(settings):
    settings.PUSH_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.PUSH_TRUSTED_PROXY_COUNT = 2
    request = FakeRequest(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.4, 10.0.0.1")
    assert client_address(request) == "203.0.113.4"


def test_client_address_ignores_a_header_that_skipped_the_proxies(settings):
    settings.PUSH_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.PUSH_TRUSTED_PROXY_COUNT = 2
    assert client_address(FakeRequest(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6")) == "10.0.0.2"
    assert client_address(FakeRequest(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="junk, not-an-ip")) == "10.0.0.2"


def test_client_address_drops_the_port_a_proxy_may_add(settings):
    settings.PUSH_TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.PUSH_TRUSTED_PROXY_COUNT = 1
    assert client_address(FakeRequest(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1:4711")) == "192.0.2.1"
    assert client_address(FakeRequest(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="[2001:db8::1]:4711")) == (
        "2001:db8::1"
    )
    assert client_address(FakeRequest(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2001:db8::2")) == "2001:db8::2"
