"""RSS feed of the notices (Atom readers accept it too)."""

from django.contrib.syndication.views import Feed
from django.utils.translation import gettext as _


class NoticeFeed(Feed):
    def __init__(self, index_page):
        super().__init__()
        self.index_page = index_page

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return _("PUSH – notices of the Region's housing policy section")

    def link(self):
        return self.index_page.url

    def description(self):
        return _("Notices for Comuni, ARCA and citizens about housing policies in Puglia.")

    def items(self):
        return self.index_page.notices()[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        from datetime import datetime, time

        from django.utils import timezone

        return timezone.make_aware(datetime.combine(item.date, time(9, 0)))
