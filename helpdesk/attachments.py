"""What a ticket accepts as an attachment: a PDF, a PNG or a JPEG screenshot, within the
size limit of every other upload (settings.PUSH_MAX_PDF_BYTES).

As elsewhere (core/files.validate_pdf), neither the name nor the browser's content type is
trusted: the file must start with its format's signature and be readable as that format."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core.files import sha256_of, validate_pdf

MAX_FILES_PER_MESSAGE = 5

# Signature, content type, accepted name endings.
IMAGE_FORMATS = (
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",), "PNG"),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg"), "JPEG"),
)


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    sha256: str


def _check_image(uploaded, pil_format: str) -> None:
    from PIL import Image, UnidentifiedImageError

    uploaded.seek(0)
    try:
        with Image.open(uploaded) as image:
            if image.format != pil_format:
                raise ValidationError(_("The image is damaged and cannot be read."), code="damaged")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("The image is damaged and cannot be read."), code="damaged")
    finally:
        uploaded.seek(0)


def validate_attachment(uploaded) -> CheckedFile:
    """Check one upload; returns its content type (from its content) and SHA-256."""
    limit = settings.PUSH_MAX_PDF_BYTES
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest accepted is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
        )
    name = (uploaded.name or "").lower()
    if name.endswith(".pdf"):
        return CheckedFile("application/pdf", validate_pdf(uploaded, max_bytes=limit))
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    for signature, content_type, endings, pil_format in IMAGE_FORMATS:
        if name.endswith(endings):
            if not head.startswith(signature):
                raise ValidationError(
                    _("The file is not a %(format)s image, even if its name says so."),
                    code="not_image",
                    params={"format": pil_format},
                )
            _check_image(uploaded, pil_format)
            return CheckedFile(content_type, sha256_of(uploaded))
    raise ValidationError(_("Only PDF documents and PNG or JPEG images are accepted."), code="extension")
