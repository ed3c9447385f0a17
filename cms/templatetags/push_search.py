import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def highlight(text, query):
    """Escape `text` and wrap the words of `query` in <mark>."""
    escaped = escape(str(text or ""))
    words = [re.escape(escape(word)) for word in str(query or "").split() if len(word) > 1]
    if not words:
        return mark_safe(escaped)
    return mark_safe(re.sub(f"({'|'.join(words)})", r"<mark>\1</mark>", escaped, flags=re.IGNORECASE))
