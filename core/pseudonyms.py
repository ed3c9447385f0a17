"""Pseudonymised personal codes: a keyed hash (HMAC-SHA256) of the normalised code.

The key comes from settings (`PUSH_PSEUDONYM_KEY`, from the environment), never from the
database: whoever reads the database cannot recompute or reverse the hashes, but the same
codice fiscale always gives the same pseudonym, so the same person listed by two Comuni
can be found without anyone reading the code."""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def pseudonymise(code: str) -> str:
    key = settings.PUSH_PSEUDONYM_KEY
    if not key:
        raise ImproperlyConfigured("PUSH_PSEUDONYM_KEY is not set.")
    return hmac.new(key.encode(), code.strip().upper().encode(), hashlib.sha256).hexdigest()


def pseudonymiser():
    """`pseudonymise` with the key read once, for lists of tens of thousands of codes: the
    same pseudonyms, computed by OpenSSL's one-shot HMAC."""
    key = settings.PUSH_PSEUDONYM_KEY
    if not key:
        raise ImproperlyConfigured("PUSH_PSEUDONYM_KEY is not set.")
    key_bytes, digest = key.encode(), hmac.digest

    def pseudonymise_one(code: str) -> str:
        return digest(key_bytes, code.strip().upper().encode(), "sha256").hex()

    return pseudonymise_one
