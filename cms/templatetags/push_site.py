from decimal import Decimal
from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_urlconf, translate_url
from django.utils.translation import get_language

from core.numbers import format_italian_decimal

register = template.Library()

NAMES = {"it": "Italiano", "en": "English"}


@register.simple_tag(takes_context=True)
def language_links(context):
    """The current page in each language, as links: no form, so pages stay cacheable. The
    query string is kept as it is; the path is translated once per process (resolving and
    reversing a URL costs more than the rest of the header)."""
    request = context.get("request")
    path, mark, query = (request.get_full_path() if request else "/").partition("?")
    current = get_language()
    return [
        (
            code,
            NAMES.get(code, code),
            _translated_path(get_urlconf() or settings.ROOT_URLCONF, current, path, code) + mark + query,
            code == current,
        )
        for code, _name in settings.LANGUAGES
    ]


@lru_cache(maxsize=4096)
def _translated_path(urlconf, current, path, code):
    """`path` (read in language `current`) in language `code`, as Django's translate_url gives
    it: depends on the URLconf and the two languages only (a Wagtail page keeps its path under
    the language prefix), not on the database. `urlconf` is part of the key so that a request
    with its own URLconf is not mixed up."""
    return translate_url(path, code)


@register.simple_tag
def pages_version():
    """The public pages' version (cms/page_cache.py), for fragments cached in the shared
    cache: `{% pages_version as version %}{% cache 600 name version ... %}`. Any publication,
    change to a call, to the footer links or to a view restriction gives a new one."""
    from cms.page_cache import version

    return version()


@register.filter
def euro(value):
    """An amount the Italian way, with the euro sign after it: 1.234,56 €."""
    if value is None or value == "":
        return ""
    return f"{format_italian_decimal(value, 2)}\u00a0€"


@register.filter
def percent(fraction):
    """A fraction as an Italian percentage: 0.14 -> 14 %, 0.125 -> 12,5 %."""
    number = (Decimal(str(fraction)) * 100).normalize()
    return f"{format_italian_decimal(number)}\u00a0%"
