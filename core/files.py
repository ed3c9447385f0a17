"""Uploaded documents: what we accept and where private files live."""

import hashlib
import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError


class PrivateFileSystemStorage(FileSystemStorage):
    """File storage with no URLs at all: a private file reaches a browser only through a
    view that checks who is asking."""

    def url(self, name):
        raise NotImplementedError("Private files have no public URL; serve them through a view.")


def private_storage():
    """The storage of confidential files. A callable, so that model fields and their
    migrations name it rather than freezing a storage configured for one environment."""
    return storages["private"]


def sha256_of(uploaded) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def validate_pdf(uploaded, *, max_bytes: int | None = None) -> str:
    """Check that an upload is a real, readable PDF within the size limit.

    The extension and the browser's content type are not trusted: the file must start
    with the PDF signature and pypdf must be able to read its page tree. Returns the
    SHA-256 of the content, to be stored beside the file as its fingerprint.
    """
    limit = max_bytes or settings.PUSH_MAX_PDF_BYTES
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest accepted is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
        )
    if not uploaded.name.lower().endswith(".pdf"):
        raise ValidationError(_("Only PDF files are accepted (the name must end in .pdf)."), code="extension")
    uploaded.seek(0)
    head = uploaded.read(1024)
    uploaded.seek(0)
    if b"%PDF-" not in head:
        raise ValidationError(_("The file is not a PDF document, even if its name ends in .pdf."), code="not_pdf")
    try:
        reader = PdfReader(uploaded)
        if reader.is_encrypted:
            raise ValidationError(
                _("The PDF is password-protected: upload a copy without a password."), code="encrypted"
            )
        if len(reader.pages) == 0:
            raise ValidationError(_("The PDF has no pages."), code="no_pages")
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        raise ValidationError(_("The PDF is damaged and cannot be read."), code="damaged")
    finally:
        uploaded.seek(0)
    return sha256_of(uploaded)


DOWNLOAD_ACTION = "push.file.downloaded"


def log_download(*, request, instance, kind: str, filename: str, sha256: str = "") -> None:
    """One audit entry per download of a private file: who (the user and the client address),
    which object (the entry is attached to `instance`, so it shows in its history) and which
    file (`kind`, e.g. "designation_act", the name given to the browser, its fingerprint)."""
    from wagtail.log_actions import log

    from core.client import client_address

    log(
        instance=instance,
        action=DOWNLOAD_ACTION,
        user=request.user if request.user.is_authenticated else None,
        data={"file": kind, "name": filename[:200], "sha256": sha256, "address": client_address(request)},
    )


def private_download(
    source,
    filename: str,
    content_type: str | None = None,
    *,
    request,
    instance,
    kind: str,
    sha256: str = "",
) -> FileResponse:
    """Serve a private file as an attachment that browsers neither sniff nor cache, and write
    the audit entry of the download (log_download): every download of a private file goes
    through here, so none escapes the log. Callers have already checked, with the access rule,
    that the user may have it.

    `source` is a stored file (a FieldFile) or the bytes to send (a file decrypted on the way
    out). `request` and `instance` (the object the file belongs to) are what the audit entry
    records."""
    log_download(request=request, instance=instance, kind=kind, filename=filename, sha256=sha256)
    content = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
    response = FileResponse(content, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
