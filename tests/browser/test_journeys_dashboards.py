"""The dashboards' journeys of issue 11, in Chromium on the demo site: (a) the Region's editor
composes a chart and a public dashboard in the admin, publishes it and reads it as the public
does, filters included; (b) a Comune's officer reads the "Bando affitti" dashboard and finds
only their own Comune's figures, whatever the address asks for."""

import re
import time

import pytest
from django.utils.text import slugify

pytestmark = pytest.mark.browser

RUN = time.strftime("%H%M%S")  # a server kept between runs (PUSH_BROWSER_BASE_URL) has the last run's
CHART = f"Alloggi per Comune (prova {RUN})"
DASHBOARD = f"Cruscotto di prova {RUN}"


def _tables_text(browser) -> str:
    """The tables' cells (not their captions, which repeat the filters)."""
    return "\n".join(body.text for body in browser.driver.find_elements("css selector", "main table tbody"))


def _row_headers(browser) -> set[str]:
    return {cell.text for cell in browser.driver.find_elements("css selector", "main table tbody th[scope=row]")}


def _image_loaded(browser, alt) -> bool:
    image = browser.driver.find_element("css selector", f'main img[alt="{alt}"]')
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", image)
    for _ in range(100):
        if browser.driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image):
            return True
        browser.settle()
    return False


def _let_autosave_finish(browser):
    """The editor autosaves the draft in the background: publish once it says it is saved, as
    a person would see it (on the demo's SQLite two writes at once would wait on each other)."""
    try:
        browser.see("Salvato", "Saved", timeout=15)
    except AssertionError:
        pass  # no autosave on this page: nothing to wait for


def test_a_regional_editor_composes_and_publishes_a_dashboard(browser):
    browser.sign_in("regione.redattore")

    # The chart: an indicator of the catalogue drawn as bars, with its text alternative.
    browser.open("/admin/snippets/dashboards/chart/add/")
    browser.type("Titolo", CHART)
    browser.choose("Indicatore", "Alloggi ERP per Comune")
    browser.choose("Tipo di grafico", "Grafico a barre")
    browser.type("Testo alternativo", "Barre degli alloggi ERP per Comune; i valori sono nella tabella.")
    browser.click("Salva", "Save")
    browser.see(CHART)

    # The dashboard, under the home page, with that chart in its content.
    browser.open("/admin/pages/")
    home = browser.driver.execute_script(
        "return [...document.querySelectorAll('a[href*=\"/admin/pages/\"]')]"
        ".map(a => a.getAttribute('href')).find(h => /\\/admin\\/pages\\/\\d+\\/$/.test(h) && !/\\/1\\/$/.test(h))"
    )
    home_id = re.search(r"/admin/pages/(\d+)/", home).group(1)
    browser.open(f"/admin/pages/add/dashboards/dashboardpage/{home_id}/")
    browser.type("Titolo", DASHBOARD)
    browser.click("Promuovi", "Promote")
    browser.type(("Slug",), slugify(DASHBOARD))
    browser.click("Contenuto", "Content")
    # The content's "+" (Inserisci un blocco), then the kind of block.
    add = [b for b in browser.driver.find_elements("css selector", "button.c-sf-add-button") if b.is_displayed()][-1]
    browser._press(add)
    browser.settle()
    option = browser.driver.find_element(
        "xpath", "//*[@role='option' or self::button][normalize-space(.)='Grafico' or normalize-space(.)='Chart']"
    )
    browser._press(option)
    browser.settle()
    browser.click("Scegli grafico", "Choose chart", "Scegli Grafico", "Choose Chart")
    browser.click(CHART)
    _let_autosave_finish(browser)
    browser.click("Altre azioni", "More actions")
    browser.click("Pubblica", "Publish")
    # The site's pages go through moderation: the editor's "Pubblica" submits it…
    browser.see("inviata per moderazione", "submitted for moderation")
    page_id = re.search(r"/admin/pages/(\d+)/edit/", browser.driver.page_source).group(1)

    # …and the Region's administrator approves and publishes it.
    browser.sign_in("regione.admin")
    browser.open(f"/admin/pages/{page_id}/edit/")
    browser.click("Altre azioni", "More actions")
    browser.click("Approva e Pubblica", "Approve and Publish")
    browser.see("aggiornata", "pubblicat", "updated", "published")
    assert browser.row(DASHBOARD, "LIVE")

    # What the public reads: the chart drawn, its data as a table, its CSV.
    browser.driver.delete_all_cookies()
    browser.open(f"/{slugify(DASHBOARD)}/")
    browser.see(DASHBOARD)
    assert _image_loaded(browser, "Barre degli alloggi ERP per Comune; i valori sono nella tabella.")
    before = _tables_text(browser)
    assert before and len(_row_headers(browser)) > 1
    csv = browser.driver.find_element("xpath", "//main//a[starts-with(normalize-space(.), 'CSV')]")
    assert "/dashboards/" in csv.get_attribute("href") or "csv" in csv.get_attribute("href")

    # A province narrows the table; the address says so, to be shared.
    browser.choose("Provincia", "Lecce")
    browser.click("Applica i filtri", "Apply the filters")
    assert "province=LE" in browser.driver.current_url
    after = _tables_text(browser)
    assert after != before
    assert "Bari" not in _row_headers(browser)


def test_b_a_comune_officer_reads_only_its_own_figures_of_the_calls_dashboard(browser):
    browser.sign_in("bari.referente")
    # The 2024 call, whose lists were sent; then Lecce's code and province, asked for by address.
    for query in ("?year=2024", "?year=2024&comune=075035", "?year=2024&province=LE"):
        browser.open("/bando-affitti/" + query)
        browser.see("Bando affitti")
        tables = _tables_text(browser)
        assert "Lecce" not in tables and "Altamura" not in tables, query
        comuni = {name for name in _row_headers(browser) if not re.search(r"\d{4}|bando|fondo", name, re.I)}
        assert comuni <= {"Bari"}, (query, comuni)
    browser.open("/bando-affitti/?year=2024")
    assert "Bari" in _row_headers(browser)
    # The Region reads the same dashboard with the other Comuni's figures in it.
    browser.sign_in("regione.admin")
    browser.open("/bando-affitti/?year=2024")
    browser.see("Bando affitti")
    assert _row_headers(browser) - {"Bari"}, "the demo has other Comuni's figures"
