"""PUSH's user guide in the admin: docs/USER_GUIDE.md rendered as a page of the admin.

The guide is written once, in the repository, next to the code it describes; the admin's
help menu links here instead of Wagtail's editor guide (an external site, about Wagtail and
not about PUSH). It is rendered on each request (a few kilobytes of Markdown) so that the
deployed guide is always the deployed version's. The file is ours, so its HTML is trusted.
Images referenced by the guide (screenshots) are served from docs/ only, images only."""

import mimetypes
from pathlib import Path

import markdown
from django.conf import settings
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif"}


def docs_dir() -> Path:
    return Path(settings.BASE_DIR) / "docs"


def render_guide() -> str:
    path = docs_dir() / "USER_GUIDE.md"
    if not path.is_file():
        return ""
    return markdown.markdown(path.read_text(encoding="utf-8"), extensions=["toc", "tables", "sane_lists"])


def guide(request):
    return TemplateResponse(request, "cms/admin/guide.html", {"guide_html": mark_safe(render_guide())})


def guide_image(request, path):
    root = docs_dir().resolve()
    target = (root / path).resolve()
    if root not in target.parents or target.suffix.lower() not in IMAGE_SUFFIXES or not target.is_file():
        raise Http404
    return FileResponse(target.open("rb"), content_type=mimetypes.guess_type(target.name)[0])
