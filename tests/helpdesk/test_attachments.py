"""Attachments are checked by content and size, as every upload of PUSH."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk.attachments import validate_attachment

from .conftest import png_bytes


def upload(name, content):
    return SimpleUploadedFile(name, content)


def test_a_pdf_and_images_are_accepted_by_their_content(pdf_file):
    assert validate_attachment(pdf_file("atto.pdf")).content_type == "application/pdf"
    assert validate_attachment(upload("schermata.PNG", png_bytes())).content_type == "image/png"


@pytest.mark.parametrize(
    "name,content,code",
    [
        ("vuoto.pdf", b"", "empty"),
        ("finto.pdf", b"MZ\x90\x00" * 10, "not_pdf"),
        ("finta.png", b"GIF89a" + b"\x00" * 20, "not_image"),
        ("troncata.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "damaged"),
        ("finta.jpg", png_bytes(), "not_image"),
        ("programma.exe", b"MZ\x90\x00", "extension"),
    ],
)
def test_files_are_refused_by_their_content(name, content, code):
    with pytest.raises(ValidationError) as refused:
        validate_attachment(upload(name, content))
    assert refused.value.code == code


def test_the_size_limit_is_that_of_every_upload(settings):
    settings.PUSH_MAX_PDF_BYTES = 50
    with pytest.raises(ValidationError) as refused:
        validate_attachment(upload("schermata.png", png_bytes()))
    assert refused.value.code == "too_large"
