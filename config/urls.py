from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views
from config.api_v2 import api_router
from core.admin_guards import guarded_admin_urls
from core.api import api_not_found
from registry import signin

# The Django admin (django.contrib.admin) is installed for wagtail-modeladmin's list
# filters but deliberately not routed: all administration happens in the Wagtail admin.
urlpatterns = [
    *guarded_admin_urls(),
    # Throttled and audited password reset, accreditation set-password links.
    *signin.admin_urls(),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v1/", include("config.api_urls")),
    path("api/v2/", api_router.urls),
    # Any other address under /api/ is a problem+json 404, for every method.
    re_path(r"^api/", api_not_found),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", cms_views.robots, name="robots"),
    # The dashboards' chart images and data files (the pages themselves are Wagtail pages).
    path("cruscotto/", include("dashboards.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("accreditamento/", include("registry.urls")),
    path("cerca/", cms_views.search, name="search"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns

handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
handler403 = "core.views.permission_denied"
