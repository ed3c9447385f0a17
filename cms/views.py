"""Site-wide search and robots.txt."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from wagtail.models import Page

from . import search_terms

RESULTS_PER_PAGE = 10


def search(request):
    query = request.GET.get("q", "").strip()[:200]

    def page_of_results():
        expanded = search_terms.expand(query)
        results = Page.objects.live().public().specific().search(expanded) if expanded else Page.objects.none()
        paginator = Paginator(results, RESULTS_PER_PAGE)
        try:
            return paginator.page(request.GET.get("pagina", 1))
        except (PageNotAnInteger, EmptyPage):
            return paginator.page(1)

    # Lazy: the template caches the results under the publication version (what is
    # published, and so indexed, changes only with a new version) and searches on a miss.
    page_obj = SimpleLazyObject(page_of_results)
    context = {"query": query, "page_obj": page_obj, "marked_words": " ".join(search_terms.highlight_words(query))}
    return TemplateResponse(request, "cms/search.html", context)


def robots(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
