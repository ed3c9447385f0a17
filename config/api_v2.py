"""Wagtail API v2 (headless): public pages, images and documents, for anyone.

The project's API default (authenticated callers only) does not apply here: these endpoints
serve what the public site shows. Pages are live and public only (Wagtail's own filter)."""

from rest_framework.permissions import AllowAny
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet


class PublicPages(PagesAPIViewSet):
    permission_classes = [AllowAny]
    authentication_classes = []


class PublicImages(ImagesAPIViewSet):
    permission_classes = [AllowAny]
    authentication_classes = []


class PublicDocuments(DocumentsAPIViewSet):
    permission_classes = [AllowAny]
    authentication_classes = []


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPages)
api_router.register_endpoint("images", PublicImages)
api_router.register_endpoint("documents", PublicDocuments)
