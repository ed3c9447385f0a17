"""Every inspect page draws its footer buttons solid (readable on the footer's dark colour,
WCAG 1.4.3), not as modeladmin's outlined buttons."""

import re

from django.urls import reverse

from registry.models import Entity
from tests.conftest import BARI


def footer(html):
    return re.search(r'<footer class="footer">(.*?)</footer>', html, re.S).group(1)


def test_inspect_pages_without_a_template_of_their_own_have_solid_footer_buttons(client, region_admin):
    client.force_login(region_admin)
    bari = Entity.objects.get(code=BARI)
    html = client.get(reverse("registry_entity_modeladmin_inspect", args=[bari.pk])).content.decode()
    buttons = footer(html)
    assert 'class="button"' in buttons and "button-secondary" not in buttons
