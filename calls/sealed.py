"""Files that hold personal codes in clear (the Comuni's applicant lists), kept encrypted at
rest: Fernet (AES-128-CBC with HMAC-SHA256), under a key that lives in the environment
(`PUSH_FILE_KEY`), never in the database or beside the files. Whoever copies the private
media folder, or a backup of it, reads nothing without the key.

`PUSH_FILE_KEY` may list several keys separated by commas: the first encrypts, all decrypt,
so the key can be rotated without re-encrypting at once. Any string of enough entropy works
(it is hashed into a Fernet key). Production refuses to start without it; elsewhere a key
derived from SECRET_KEY stands in, so that development and tests need no setup."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile


def _fernet(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def _keys() -> MultiFernet:
    secrets = [part.strip() for part in (getattr(settings, "PUSH_FILE_KEY", "") or "").split(",") if part.strip()]
    if not secrets:
        if not settings.SECRET_KEY:
            raise ImproperlyConfigured("PUSH_FILE_KEY is not set.")
        secrets = [f"push-file-key:{settings.SECRET_KEY}"]
    return MultiFernet([_fernet(secret) for secret in secrets])


def seal(content: bytes) -> ContentFile:
    """The encrypted content, ready to be saved in a FileField."""
    return ContentFile(_keys().encrypt(content))


def unseal(field_file) -> bytes:
    """The clear content of a file saved with seal(). Raises InvalidToken if the file was
    not encrypted with one of the configured keys."""
    with field_file.open("rb") as handle:
        token = handle.read()
    return _keys().decrypt(token)


__all__ = ["InvalidToken", "seal", "unseal"]
