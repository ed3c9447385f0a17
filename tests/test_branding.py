"""The admin is PUSH's, not Wagtail's: our name, logo and favicon, our guide in the help
menu, and no avatar fetched from Gravatar (it would send a hash of each e-mail abroad)."""

import pytest

from cms import guide

ADMIN_PAGES = ["/admin/", "/admin/account/", "/admin/guida/"]


def test_admin_pages_carry_push_title_logo_and_favicon(region_admin_client):
    html = region_admin_client.get("/admin/").content.decode()
    assert "- PUSH – Regione Puglia</title>" in html
    assert 'aria-label="PUSH · Regione Puglia"' in html
    assert "/static/push/favicon.svg" in html and "wagtailadmin/images/favicon.ico" not in html
    assert 'aria-label="Wagtail"' not in html


def test_sign_in_page_is_push_branded(client, db):
    html = client.get("/admin/login/").content.decode()
    heading = html.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "PUSH" in heading and "Wagtail" not in heading
    assert "Regione Puglia</text>" in html and "icon-wagtail" not in html
    assert "gravatar" not in html.lower()


def test_help_menu_offers_push_guide_and_not_wagtails(region_admin_client):
    html = region_admin_client.get("/admin/").content.decode()
    assert "push-guide" in html and "/admin/guida/" in html
    assert "editor-guide" not in html and "whats-new-in-wagtail" not in html
    assert "guide.wagtail.org" not in html


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_no_admin_page_references_gravatar(region_admin_client, url):
    response = region_admin_client.get(url)
    assert response.status_code == 200
    assert "gravatar" not in response.content.decode().lower()


def test_guide_renders_the_markdown_user_guide(region_admin_client, tmp_path, monkeypatch):
    (tmp_path / "USER_GUIDE.md").write_text("# Guida di PUSH\n\n## Il Comune\n\n1. Accedi\n", encoding="utf-8")
    (tmp_path / "schermata.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "secret.txt").write_text("no")
    monkeypatch.setattr(guide, "docs_dir", lambda: tmp_path)
    html = region_admin_client.get("/admin/guida/").content.decode()
    assert '<h1 id="guida-di-push">Guida di PUSH</h1>' in html and "<li>Accedi</li>" in html
    assert region_admin_client.get("/admin/guida/schermata.png").status_code == 200
    assert region_admin_client.get("/admin/guida/secret.txt").status_code == 404
    assert region_admin_client.get("/admin/guida/USER_GUIDE.md").status_code == 404
    assert region_admin_client.get("/admin/guida/../README.md").status_code == 404


def test_guide_is_for_signed_in_people(client, db):
    response = client.get("/admin/guida/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
