"""Accounts in the admin: who may change whose account, and how long a session lasts.

Wagtail's user editor lets anyone with the "change user" permission tick "administrator"
(superuser), put anyone in any group and set anyone's password, superusers included. In
PUSH:

- groups follow memberships only (``registry.roles``): no screen edits them, not the user
  editor, nor the "assign role" bulk action;
- only a superuser makes or unmakes superusers and types passwords for others; everyone
  else sends a reset link (the person chooses their own password);
- no one edits, deactivates or deletes an account of the same or a higher privilege than
  their own (``registry.policy.can_edit_user``), except their own account for their own name and e-mail: a
  regional administrator cannot change another administrator's e-mail (and then reset its
  password).

Sessions end after ``PUSH_SESSION_IDLE_MINUTES`` without requests (the editor's background
pings do not count) and, whatever the activity, ``PUSH_SESSION_MAX_HOURS`` after sign-in
(``SessionLifetimeMiddleware``).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.utils import user_can_delete_user
from wagtail.users.views import users as wagtail_users
from wagtail.users.views.bulk_actions import AssignRoleBulkAction, DeleteBulkAction, SetActiveStateBulkAction

from . import policy

# --- the user editor ---------------------------------------------------------------------


class _RoleAwareUserForm:
    """No groups (they follow memberships); "administrator" and passwords only for a
    superuser at the keyboard."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("groups", None)
        if not (for_user is not None and for_user.is_superuser):
            self.fields.pop("is_superuser", None)
            self.fields.pop("password1", None)
            self.fields.pop("password2", None)

    @property
    def password_enabled(self):
        return "password1" in self.fields

    def save_m2m(self):
        # groups is not a field here; nothing else is many-to-many on the user.
        return None


class UserEditorCreationForm(_RoleAwareUserForm, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = [field for field in UserCreationForm.Meta.fields if field != "groups"]


class UserEditorEditForm(_RoleAwareUserForm, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = [field for field in UserEditForm.Meta.fields if field != "groups"]


class _ForUserFormMixin:
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["for_user"] = self.request.user
        return kwargs


class UserCreateView(_ForUserFormMixin, wagtail_users.CreateView):
    template_name = "registry/admin/user_create.html"

    def save_instance(self):
        instance = super().save_instance()
        if "password1" not in self.form.fields:
            # Created by a non-superuser: the person sets the password from a reset link.
            instance.set_unusable_password()
            instance.save(update_fields=["password"])
        return instance


class UserEditView(_ForUserFormMixin, wagtail_users.EditView):
    template_name = "registry/admin/user_edit.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if request.user.is_authenticated and not policy.can_edit_user(request.user, self.object):
            raise PermissionDenied(_("You cannot change an account with privileges equal to or higher than yours."))
        self.can_delete = self.can_delete and policy.can_edit_user(request.user, self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["role_groups"] = self.object.groups.order_by("name")
        return context


class UserDeleteView(wagtail_users.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not policy.can_edit_user(request.user, self.object):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class UserIndexView(wagtail_users.IndexView):
    def get_edit_url(self, instance):
        if policy.can_edit_user(self.request.user, instance):
            return super().get_edit_url(instance)
        return None

    def get_delete_url(self, instance):
        if policy.can_edit_user(self.request.user, instance):
            return super().get_delete_url(instance)
        return None


class UserViewSet(wagtail_users.UserViewSet):
    index_view_class = UserIndexView
    add_view_class = UserCreateView
    edit_view_class = UserEditView
    delete_view_class = UserDeleteView

    def get_form_class(self, for_update=False):
        return UserEditorEditForm if for_update else UserEditorCreationForm


# --- bulk actions on users (the listing's check boxes) -----------------------------------


class AssignRoleRefused(AssignRoleBulkAction):
    """Groups follow memberships: the bulk "assign role" is refused to everyone."""

    def check_perm(self, obj):
        return False

    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied(_("Groups follow memberships: manage them in People and roles."))


class GuardedSetActiveState(SetActiveStateBulkAction):
    def check_perm(self, obj):
        return super().check_perm(obj) and policy.can_edit_user(self.request.user, obj)


class GuardedDelete(DeleteBulkAction):
    def check_perm(self, obj):
        return user_can_delete_user(self.request.user, obj) and policy.can_edit_user(self.request.user, obj)


def register_hooks():
    """Called once from the users app's ready(); later than Wagtail's own registrations
    (higher order), so these replace its bulk actions of the same type."""
    for action in (AssignRoleRefused, GuardedSetActiveState, GuardedDelete):
        hooks.register("register_bulk_action", action, order=100)
    hooks.register("register_log_actions", register_log_actions)


def register_log_actions(actions):
    for action, label in (
        ("push.signin.succeeded", gettext_lazy("Signed in")),
        ("push.signin.failed", gettext_lazy("Sign-in failed")),
        ("push.signin.refused", gettext_lazy("Sign-in refused: too many failures")),
        ("push.password_reset.requested", gettext_lazy("Password reset requested")),
        ("push.password_reset.completed", gettext_lazy("Password reset completed")),
        ("push.password.set", gettext_lazy("Password set from the accreditation link")),
        ("push.session.expired", gettext_lazy("Session ended after its maximum lifetime")),
        ("push.accreditation.repeated", gettext_lazy("Accreditation request sent again")),
    ):
        actions.register_action(action, label, label)


# --- session lifetime --------------------------------------------------------------------

SESSION_START_KEY = "push_signed_in_at"
SESSION_SEEN_KEY = "push_last_seen_at"
# Requests the admin's pages send by themselves (the editor's "who else is editing" ping,
# every few seconds): they show that a tab is open, not that someone is there.
BACKGROUND_URL_NAMES = {"wagtailadmin_editing_sessions:ping"}
# The last-activity time is written at most once a minute, not on every request.
SEEN_RESOLUTION = 60


def mark_session_start(session) -> None:
    now = timezone.now().timestamp()
    session[SESSION_START_KEY] = now
    session[SESSION_SEEN_KEY] = now


def session_expiry_reason(session, now: float):
    """Why a signed-in session is over, or None: idle for PUSH_SESSION_IDLE_MINUTES, or
    older than PUSH_SESSION_MAX_HOURS since sign-in, however active."""
    started = session.get(SESSION_START_KEY, now)
    seen = session.get(SESSION_SEEN_KEY, started)
    if now - started > settings.PUSH_SESSION_MAX_HOURS * 3600:
        return "lifetime"
    if now - seen > settings.PUSH_SESSION_IDLE_MINUTES * 60:
        return "idle"
    return None


class SessionLifetimeMiddleware:
    """Ends idle and old sessions (see session_expiry_reason). The session store keeps a
    session at most SESSION_COOKIE_AGE (the absolute lifetime); the idle time is kept here
    rather than by renewing the store's expiry on every request, because the admin's
    editor pings in the background and would keep an abandoned tab signed in all day."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        session = request.session
        now = timezone.now().timestamp()
        if SESSION_START_KEY not in session:
            # A session opened before this rule existed: its clock starts now.
            mark_session_start(session)
            return None
        reason = session_expiry_reason(session, now)
        if reason is not None:
            from .signin import audit

            audit(user, "push.session.expired", request, reason=reason)
            logout(request)
            messages.warning(request, _("Your session has expired: sign in again."))
            if request.path.startswith("/admin/"):
                return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
            return None
        match = request.resolver_match
        background = match is not None and match.view_name in BACKGROUND_URL_NAMES
        if not background and now - session.get(SESSION_SEEN_KEY, 0) >= SEEN_RESOLUTION:
            session[SESSION_SEEN_KEY] = now
        return None
