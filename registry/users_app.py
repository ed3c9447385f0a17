"""Wagtail's users app with PUSH's user editor (registry.accounts): the way Wagtail 6+
lets a project replace the users viewset. Listed in INSTALLED_APPS instead of
"wagtail.users"; the app label stays "wagtailusers"."""

from wagtail.users.apps import WagtailUsersAppConfig


class UsersConfig(WagtailUsersAppConfig):
    user_viewset = "registry.accounts.UserViewSet"

    def ready(self):
        super().ready()
        from registry import accounts

        accounts.register_hooks()
