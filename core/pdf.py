"""Small PDF helpers."""

from io import BytesIO

from pypdf import PdfWriter


def blank_pdf(pages: int = 1) -> bytes:
    """A valid PDF of blank A4 pages (demo data and tests)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
