"""Admin hooks of the public site."""

from wagtail import hooks

from core.admin_guards import may_use_choosers


@hooks.register("construct_page_chooser_queryset")
def only_public_pages_for_non_editors(pages, request):
    """The page chooser lists titles of drafts and private pages. Its routes are refused to
    people who do not edit content (core.admin_guards); should one ever reach it, it shows
    them only what the public site shows."""
    if may_use_choosers(request.user):
        return pages
    return pages.live().public()
