import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def highlight(text, query):
    """Escape `text` and wrap in <mark> the words that begin with a word of `query` (a stem
    such as "locazion" marks the whole "locazioni")."""
    escaped = escape(str(text or ""))
    words = [re.escape(escape(word)) for word in str(query or "").split() if len(word) > 1]
    if not words:
        return mark_safe(escaped)
    pattern = rf"(?<!\w)((?:{'|'.join(words)})\w*)"
    return mark_safe(re.sub(pattern, r"<mark>\1</mark>", escaped, flags=re.IGNORECASE))
