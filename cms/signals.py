"""Keep the page cache honest: any change to what public pages show makes it stale."""

from django.apps import apps
from django.db.models.signals import post_delete, post_migrate, post_save
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from .page_cache import create_cache_table, invalidate

for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
    signal.connect(invalidate, dispatch_uid=f"push-page-cache-{signal!r}")

# The guideline pages show their call, its riparto and the Comuni's extensions. The senders
# are named lazily ("app.Model"), so the public site does not import the calls' models.
for model in ("calls.Call", "calls.Allocation", "calls.DeadlineExtension"):
    post_save.connect(invalidate, sender=model, dispatch_uid=f"push-page-cache-save-{model}")
    post_delete.connect(invalidate, sender=model, dispatch_uid=f"push-page-cache-delete-{model}")

# What every public page shows besides itself: the footer's links and the main menu
# (FooterLinks), the Site and its root page, and the view restrictions of pages.
for model in ("wagtailcore.Site", "wagtailcore.PageViewRestriction"):
    post_save.connect(invalidate, sender=model, dispatch_uid=f"push-page-cache-save-{model}")
    post_delete.connect(invalidate, sender=model, dispatch_uid=f"push-page-cache-delete-{model}")


def _footer_links_saved(sender, instance, created=False, **kwargs):
    # The first page rendered for a site creates its empty settings (FooterLinks.for_site):
    # that shows nothing new, and must not make the page just rendered stale.
    links = ("accessibility", "privacy", "legal_notes", "contacts", "faq", "notices")
    if created and not any(getattr(instance, f"{name}_id") for name in links):
        return
    invalidate()


post_save.connect(_footer_links_saved, sender="cms.FooterLinks", dispatch_uid="push-page-cache-save-cms.FooterLinks")
post_delete.connect(invalidate, sender="cms.FooterLinks", dispatch_uid="push-page-cache-delete-cms.FooterLinks")


def _page_deleted(sender, instance, **kwargs):
    invalidate()


post_delete.connect(_page_deleted, sender="wagtailcore.Page", dispatch_uid="push-page-cache-page-delete")

post_migrate.connect(create_cache_table, sender=apps.get_app_config("cms"), dispatch_uid="push-cache-table")
