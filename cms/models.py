"""Public pages of PUSH: home, notices, call guidelines, FAQ and standard pages.

Where each page type may live is declared with parent_page_types/subpage_types; every page
exposes to the headless API (Wagtail API v2) the fields a front end needs (`api_fields`)."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from .blocks import RICH_TEXT_FEATURES, BodyBlock, StepBlock

NOTICES_PER_PAGE = 10


class CachedRestrictionsMixin:
    """The view restrictions that apply to a page (its own and its ancestors'), checked by
    Wagtail before serving it, read from the shared cache under the publication version
    (cms/page_cache.py: a change to any restriction, or a move, gives a new version): a
    public page asks the database nothing to learn that nothing restricts it."""

    def get_view_restrictions(self):
        from wagtail.models import PageViewRestriction

        from .page_cache import versioned

        ids = versioned(
            f"restrictions:{self.pk}",
            lambda: list(super(CachedRestrictionsMixin, self).get_view_restrictions().values_list("pk", flat=True)),
        )
        return PageViewRestriction.objects.filter(pk__in=ids) if ids else PageViewRestriction.objects.none()


def _route_key(components) -> str:
    import hashlib

    return hashlib.sha256("/".join(components).encode()).hexdigest()[:32]


class HomePage(CachedRestrictionsMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.NoticeIndexPage",
        "cms.CallGuidelinePage",
        "cms.FaqIndexPage",
        "cms.StandardPage",
        "dashboards.DashboardPage",  # by name: the public site imports no dashboard code
    ]
    max_count = 1
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro")]

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """The page at a path in one query: the page found for a path (its model and id) is
        kept in the shared cache under the publication version, instead of walking the tree
        one level (two queries) at a time. A path that names no page, or a sub-route of a
        routable page (the notices' feed), goes on as Wagtail routes it."""
        if not path_components:
            return super().route(request, path_components)
        from django.contrib.contenttypes.models import ContentType
        from django.http import Http404

        from .page_cache import versioned

        def find():
            prefixes = [self.url_path + "/".join(path_components[:n]) + "/" for n in range(1, len(path_components) + 1)]
            found = (
                Page.objects.filter(url_path__in=prefixes, path__startswith=self.path, depth__gt=self.depth)
                .order_by("-depth")
                .values_list("pk", "content_type_id", "depth")
                .first()
            )
            return found or ()

        found = versioned(f"route:{self.pk}:{_route_key(path_components)}", find)
        if not found:
            raise Http404
        pk, content_type_id, depth = found
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            raise Http404
        page = model.objects.get(pk=pk)
        return page.route(request, path_components[depth - self.depth :])

    def get_context(self, request, *args, **kwargs):
        from calls import selectors

        from .page_cache import versioned

        context = super().get_context(request, *args, **kwargs)
        # Every open call, with its guideline page when one is published (the arrears fund
        # had none and was missing from the home): the call, not the page, is the subject.
        # The pages, notices and questions come from the shared cache under the publication
        # version. The calls are read only when the template renders their section, which it
        # keeps under the same version: a call opened or closed (any change to a call) gives
        # a new one, so the section is never older than the calls.

        def open_calls():
            pages = versioned("home:guidelines", _guideline_links)
            return [(call, pages.get(call.pk)) for call in selectors.open_calls()]

        context["open_calls"] = open_calls
        context["latest_notices"] = versioned("home:notices", _latest_notices)
        context["featured_faqs"] = versioned("home:faqs", _featured_faqs)
        return context


def _guideline_links():
    """The published public guideline page of each call, by call, as a link (the oldest if
    a call has more than one)."""
    pages = {}
    for page in CallGuidelinePage.objects.live().public().order_by("-pk"):
        pages[page.call_id] = {"title": page.title, "url": page.url}
    return pages


def _latest_notices():
    return [
        {"title": notice.title, "url": notice.url, "date": notice.date, "summary": notice.summary}
        for notice in NoticePage.objects.live().public().order_by("-date", "-pk")[:4]
    ]


def _featured_faqs():
    items = FaqItem.objects.filter(featured=True, page__live=True, page__view_restrictions__isnull=True)
    return [
        {"question": item.question, "url": f"{item.page.url}#{item.anchor}"}
        for item in items.select_related("page")[:5]
    ]


class NoticeIndexPage(CachedRestrictionsMixin, RoutablePageMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NoticePage"]
    api_fields = [APIField("intro")]

    class Meta:
        verbose_name = _("notices index")

    def notices(self):
        return NoticePage.objects.live().public().descendant_of(self).order_by("-date", "-pk")

    @path("")
    def listing(self, request):
        from django.utils.functional import SimpleLazyObject

        category, year = request.GET.get("categoria", ""), request.GET.get("anno", "")
        number = request.GET.get("pagina", 1)

        def page_of_notices():
            notices = self.notices()
            if category:
                notices = notices.filter(tags__slug=category)
            if year.isdigit():
                notices = notices.filter(date__year=int(year))
            paginator = Paginator(notices.prefetch_related("tags"), NOTICES_PER_PAGE)
            try:
                return paginator.page(number)
            except (PageNotAnInteger, EmptyPage):
                return paginator.page(1)

        # Lazy: the template caches the listing under the publication version (a new notice,
        # or one withdrawn, gives a new version), and asks for these only when it renders it.
        return self.render(
            request,
            context_overrides={
                "page_obj": SimpleLazyObject(page_of_notices),
                "categories": SimpleLazyObject(
                    lambda: list(
                        NoticeTag.objects.filter(content_object__in=self.notices())
                        .values_list("tag__slug", "tag__name")
                        .distinct()
                        .order_by("tag__name")
                    )
                ),
                "years": SimpleLazyObject(
                    lambda: sorted({date.year for date in self.notices().values_list("date", flat=True)}, reverse=True)
                ),
                "category": category,
                "year": year,
            },
        )

    @path("feed/")
    def feed(self, request):
        from .feeds import NoticeFeed

        return NoticeFeed(self)(request)


class NoticeTag(TaggedItemBase):
    content_object = ParentalKey("cms.NoticePage", on_delete=models.CASCADE, related_name="tagged_items")


class NoticePage(CachedRestrictionsMixin, Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    summary = models.TextField(
        _("summary"), max_length=400, help_text=_("Shown in listings, search results and social previews.")
    )
    tags = ClusterTaggableManager(through=NoticeTag, blank=True, verbose_name=_("categories"))
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    attachments = StreamField([("document", DocumentChooserBlock())], verbose_name=_("attachments"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("date"), FieldPanel("tags"), FieldPanel("summary")], heading=_("Notice")),
        FieldPanel("body"),
        FieldPanel("attachments"),
    ]
    parent_page_types = ["cms.NoticeIndexPage"]
    subpage_types = []
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    api_fields = [APIField("date"), APIField("summary"), APIField("tags"), APIField("body"), APIField("attachments")]

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")


class CallGuidelinePage(CachedRestrictionsMixin, Page):
    """The public guideline of a call: its state and deadline are read live from the Call."""

    call = models.ForeignKey(
        "calls.Call", verbose_name=_("call"), on_delete=models.PROTECT, related_name="guideline_pages"
    )
    intro = RichTextField(_("introduction"), features=RICH_TEXT_FEATURES)
    who_may_apply = RichTextField(_("who may apply"), features=RICH_TEXT_FEATURES)
    steps = StreamField([("step", StepBlock())], verbose_name=_("steps"), blank=True)
    documents = StreamField([("document", DocumentChooserBlock())], verbose_name=_("documents to download"), blank=True)
    legal_acts = RichTextField(_("legal acts"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [
        FieldPanel("call"),
        FieldPanel("intro"),
        FieldPanel("who_may_apply"),
        FieldPanel("steps"),
        FieldPanel("documents"),
        FieldPanel("legal_acts"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("who_may_apply"),
        index.SearchField("legal_acts"),
    ]
    api_fields = [
        APIField("call_state"),
        APIField("opens_at"),
        APIField("closes_at"),
        APIField("intro"),
        APIField("who_may_apply"),
        APIField("steps"),
        APIField("documents"),
        APIField("legal_acts"),
    ]

    class Meta:
        verbose_name = _("call guideline")
        verbose_name_plural = _("call guidelines")

    @property
    def call_state(self):
        return self.call.state

    @property
    def opens_at(self):
        return self.call.opens_at

    @property
    def closes_at(self):
        return self.call.closes_at

    def public_call(self):
        """The call as this page shows it, read live through calls.selectors (whether it
        accepts submissions is the call's own rule, calls/rules.py), once per request."""
        from calls import selectors

        if getattr(self, "_public_call", None) is None:
            self._public_call = selectors.public_call(self.call)
        return self._public_call

    @property
    def accepting_submissions(self) -> bool:
        return self.public_call().accepting

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        # The page changes when the call opens and when it closes: never cache past that.
        next_change = self.public_call().next_change
        if next_change is not None:
            seconds = (next_change - timezone.now()).total_seconds()
            response.cache_seconds = max(1, min(600, int(seconds)))
        return response

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        shown = self.public_call()
        context["accepting"] = shown.accepting
        context["comune_deadlines"] = shown.comune_deadlines
        context["allocations"] = shown.allocations
        return context


class FaqTopic(models.TextChoices):
    ACCREDITATION = "accreditation", _("Accreditation")
    PROPERTY_REGISTER = "property_register", _("Property register")
    CALLS = "calls", _("Calls and funds")
    TECHNICAL = "technical", _("Technical questions")


class FaqIndexPage(CachedRestrictionsMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro"), InlinePanel("questions", label=_("Questions"))]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.RelatedFields("questions", [index.SearchField("question"), index.SearchField("answer")]),
    ]
    api_fields = [APIField("intro"), APIField("questions")]

    class Meta:
        verbose_name = _("FAQ")
        verbose_name_plural = _("FAQ")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        query = request.GET.get("q", "").strip()
        questions = list(self.questions.all())
        if query:
            words = [word.lower() for word in query.split()]
            questions = [q for q in questions if all(word in f"{q.question} {q.answer}".lower() for word in words)]
        context["query"] = query
        context["topics"] = [(label, [q for q in questions if q.topic == value]) for value, label in FaqTopic.choices]
        return context


class FaqItem(Orderable):
    page = ParentalKey(FaqIndexPage, on_delete=models.CASCADE, related_name="questions")
    topic = models.CharField(_("topic"), max_length=30, choices=FaqTopic.choices)
    question = models.CharField(_("question"), max_length=300)
    answer = RichTextField(_("answer"), features=RICH_TEXT_FEATURES)
    featured = models.BooleanField(_("featured on the home page"), default=False)

    panels = [FieldPanel("topic"), FieldPanel("question"), FieldPanel("answer"), FieldPanel("featured")]
    api_fields = [APIField("topic"), APIField("question"), APIField("answer"), APIField("anchor")]

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.question

    @property
    def anchor(self):
        return f"domanda-{self.pk}"


class StandardPage(CachedRestrictionsMixin, Page):
    """Accessibility statement, privacy notice, legal notes, contacts."""

    body = StreamField(BodyBlock(), verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("body")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    search_fields = Page.search_fields + [index.SearchField("body")]
    api_fields = [APIField("body")]

    class Meta:
        verbose_name = _("standard page")


@register_setting(icon="link")
class FooterLinks(BaseSiteSetting):
    """The footer's mandatory links (AgID): accessibility statement, privacy, legal notes, contacts."""

    accessibility = models.ForeignKey(
        Page,
        verbose_name=_("accessibility statement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    privacy = models.ForeignKey(
        Page, verbose_name=_("privacy notice"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    legal_notes = models.ForeignKey(
        Page, verbose_name=_("legal notes"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contacts = models.ForeignKey(
        Page, verbose_name=_("contacts"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    faq = models.ForeignKey(
        Page, verbose_name=_("FAQ"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notices = models.ForeignKey(
        Page, verbose_name=_("notices"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [
        FieldPanel("accessibility"),
        FieldPanel("privacy"),
        FieldPanel("legal_notes"),
        FieldPanel("contacts"),
        FieldPanel("faq"),
        FieldPanel("notices"),
    ]

    class Meta:
        verbose_name = _("footer links")
