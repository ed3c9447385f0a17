"""Site-wide search and robots.txt."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.models import Page

RESULTS_PER_PAGE = 10


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    results = Page.objects.live().public().specific().search(query) if query else Page.objects.none()
    paginator = Paginator(results, RESULTS_PER_PAGE)
    try:
        page_obj = paginator.page(request.GET.get("pagina", 1))
    except (PageNotAnInteger, EmptyPage):
        page_obj = paginator.page(1)
    return TemplateResponse(request, "cms/search.html", {"query": query, "page_obj": page_obj})


def robots(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
