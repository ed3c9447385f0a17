"""Telling a text file from a workbook, and decoding text as Italian offices save it."""

XLSX_MAGIC = b"PK\x03\x04"  # a workbook is a zip archive


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM) or, failing that, Windows-1252 as Excel writes it in Italy."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="strict")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    control = sum(1 for byte in sample if byte < 9 or 13 < byte < 32)
    return control > len(sample) * 0.01
