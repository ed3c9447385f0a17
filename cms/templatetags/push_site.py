from decimal import Decimal

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from core.numbers import format_italian_decimal

register = template.Library()

NAMES = {"it": "Italiano", "en": "English"}


@register.simple_tag(takes_context=True)
def language_links(context):
    """The current page in each language, as links: no form, so pages stay cacheable."""
    request = context.get("request")
    path = request.get_full_path() if request else "/"
    current = get_language()
    return [
        (code, NAMES.get(code, code), translate_url(path, code), code == current) for code, _name in settings.LANGUAGES
    ]


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
