"""Dashboards restricted before their pages carried Wagtail's view restriction get it now, so
site search, sitemap, feeds and the API v2 leave them out without waiting for a new publish."""

from django.db import migrations


def restrict(apps, schema_editor):
    DashboardPage = apps.get_model("dashboards", "DashboardPage")
    PageViewRestriction = apps.get_model("wagtailcore", "PageViewRestriction")
    for page_id in DashboardPage.objects.exclude(audience="public").values_list("pk", flat=True):
        if not PageViewRestriction.objects.filter(page_id=page_id, restriction_type="login").exists():
            PageViewRestriction.objects.create(page_id=page_id, restriction_type="login")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(restrict, migrations.RunPython.noop)]
