"""Demo content of the public site."""

from wagtail.models import Page, Site

from .models import HomePage

INTRO = (
    "<p>PUSH è il sistema informativo della Sezione Politiche Abitative della Regione Puglia: "
    "collega la Regione, le cinque ARCA e i 257 Comuni per il patrimonio di edilizia residenziale "
    "pubblica, i bandi per il sostegno alla locazione e il fondo per la morosità incolpevole.</p>"
)


def load():
    """Put a HomePage at the root of the default site (idempotent)."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(title="Politiche abitative della Regione Puglia", slug="home-push", intro=INTRO)
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="PUSH")
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.site_name = "PUSH"
        site.save()
        if old_root.depth == 2 and not old_root.get_children().exists() and old_root.specific_class is Page:
            old_root.delete()
    return home
