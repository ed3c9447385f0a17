from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from registry.roles import sync_role_groups, sync_user_groups


class Command(BaseCommand):
    help = (
        "Create the role groups with their permissions and give every person the groups of their "
        "active memberships (run daily, so that memberships that expired lose their groups). Idempotent."
    )

    def handle(self, *args, **options):
        stats = sync_role_groups()
        users = get_user_model().objects.filter(memberships__isnull=False).distinct()
        for user in users:
            sync_user_groups(user)
        self.stdout.write(
            "Role groups: {groups_created} created, {permissions_added} permissions added, "
            "{permissions_removed} removed.".format(**stats)
        )
