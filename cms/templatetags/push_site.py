from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

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
