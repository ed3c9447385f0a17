"""The submission's private files: receipts, attachments, the list as the Comune sent it.

Every download goes through core.files.private_download, which writes the audit entry
(who, from where, which file and its fingerprint) on the submission's history; the
submission is found through the access rule first (views.submission_for)."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from core.files import private_download

from .. import selectors, services
from .views import submission_for


def receipt_download(request, pk, entry_pk=None):
    """A receipt as issued: the protocol entry's (`entry_pk`), or the latest sending's when
    none is named (the address the first receipts were given at). 404 while the receipt is
    still being rendered."""
    submission = submission_for(request, pk)
    if entry_pk is None:
        entry = selectors.latest_receipt_entry(submission)
    else:
        entry = get_object_or_404(submission.protocol_entries.all(), pk=entry_pk)
    if entry is None or not entry.receipt_pdf:
        raise Http404
    return private_download(
        entry.receipt_pdf,
        entry.file_name,
        "application/pdf",
        request=request,
        instance=submission,
        kind="receipt",
        sha256=entry.receipt_sha256,
    )


def attachment_download(request, pk, attachment_pk):
    submission = submission_for(request, pk)
    attachment = get_object_or_404(submission.attachments, pk=attachment_pk)
    return private_download(
        attachment.file,
        f"{attachment.name[:80]}.pdf",
        "application/pdf",
        request=request,
        instance=submission,
        kind="attachment",
        sha256=attachment.sha256,
    )


def applicants_file_download(request, pk):
    """The list as the Comune sent it, decrypted on the way out (calls/sealed.py)."""
    submission = submission_for(request, pk)
    upload = services.current_list_upload(submission)
    if upload is None:
        raise Http404
    return private_download(
        services.read_list_file(upload),
        upload.original_name,
        request=request,
        instance=submission,
        kind="list",
        sha256=upload.sha256,
    )
