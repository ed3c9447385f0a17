"""Admin hooks of the public site, and the admin's help menu (PUSH's guide, not Wagtail's)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from core.admin_guards import may_use_choosers

from . import guide

# Wagtail's own help items: its editor guide and release notes, on wagtail.org, about Wagtail.
WAGTAIL_HELP_ITEMS = ("editor-guide", "whats-new-in-wagtail-")


@hooks.register("construct_page_chooser_queryset")
def only_public_pages_for_non_editors(pages, request):
    """The page chooser lists titles of drafts and private pages. Its routes are refused to
    people who do not edit content (core.admin_guards); should one ever reach it, it shows
    them only what the public site shows."""
    if may_use_choosers(request.user):
        return pages
    return pages.live().public()


@hooks.register("register_admin_urls")
def register_guide_urls():
    return [
        path("guida/", guide.guide, name="push_guide"),
        path("guida/<path:path>", guide.guide_image, name="push_guide_image"),
    ]


@hooks.register("register_help_menu_item")
def register_guide_menu_item():
    return MenuItem(_("PUSH guide"), reverse("push_guide"), icon_name="help", order=100, name="push-guide")


@hooks.register("construct_help_menu")
def remove_wagtails_own_help(request, menu_items):
    menu_items[:] = [item for item in menu_items if not item.name.startswith(WAGTAIL_HELP_ITEMS)]


@hooks.register("construct_homepage_panels")
def remove_whats_new_in_wagtail(request, panels):
    panels[:] = [panel for panel in panels if getattr(panel, "name", "") != "whats_new_in_wagtail_version"]
