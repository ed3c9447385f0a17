"""The journeys of issue 14 (programmes, sale plans, the register's map), in Chromium on the demo site:

(a) ARCA Sud Salento's officer opens its interventions, records a progress report (SAL) with the
    amount typed the Italian way, declares the works completed (the summary of the transition,
    then the confirmation); the Region sees the programme's progress with the late intervention
    flagged; the officer never sees ARCA Puglia Centrale's intervention, in the list or by its
    address;
(b) the officer proposes a sale plan: two of its units with their appraised values, sent after a
    summary and given a protocol number; the Region's reviewer approves it (summary, confirm);
    the units read "In vendita" in the register's unit list; the officer records a sale and the
    unit reads "Alienato", with the change in its history;
(c) the officer opens the buildings' map from the menu: the image loaded, with its text
    alternative and the boundaries' attribution, and the table of its own buildings only; a
    filter by Comune narrows the table.

Each journey takes well under a minute on the demo site (fresh demo data: the journeys move the
demo intervention and plan forward, as people would)."""

import datetime
import re
import time

import pytest

pytestmark = pytest.mark.browser

RUN = time.strftime("%H%M%S")
PROGRAMME = "Programma regionale di riqualificazione del patrimonio ERP 2024–2027"
WORKS = "Efficientamento energetico – Lecce, quartiere Stadio"  # ARCA Sud Salento, works under way
LATE = "Adeguamento sismico – Gallipoli, via Lecce"  # ARCA Sud Salento, design late
OTHERS = "Recupero di alloggi sfitti – Bari, San Paolo"  # ARCA Puglia Centrale
PLAN_TITLE = f"Piano di vendita 2027 – alloggi di Casarano e Gallipoli (prova {RUN})"
PROTOCOL = r"PUSH/\d{4}/\d{6}"
ATTRIBUTION = "Confini: Openpolis su dati ISTAT, CC BY 4.0"
NOT_FOUND = ("Pagina non trovata", "Page not found", "Impossibile trovare", "non è stata trovata")


def _arrive(browser, path):
    """Wait until the browser is on `path` (a click on the side menu loads a new page)."""
    deadline = time.monotonic() + 20
    while path not in browser.driver.current_url:
        assert time.monotonic() < deadline, f"not on {path}: {browser.driver.current_url}"
        time.sleep(0.2)
    browser.settle()


def _menu(browser, *path):
    """The side menu, once the sidebar has been drawn (it is drawn again as the page settles)."""
    from selenium.common.exceptions import StaleElementReferenceException

    for _attempt in range(5):
        try:
            browser.menu(*path)
            return
        except StaleElementReferenceException:
            time.sleep(0.5)
    browser.menu(*path)


def _fast(started):
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"the journey took {elapsed:.0f} s"


def _visible(browser, selector, within=None):
    return [
        element
        for element in (within or browser.driver).find_elements("css selector", selector)
        if element.is_displayed()
    ]


def _type_into(browser, element, value):
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.clear()
    element.send_keys(value)


def _unit_row(browser, unit):
    """The table row of the unit `unit` (750000-1, not 750000-10: its first cell says exactly that)."""
    deadline = time.monotonic() + 20
    while True:
        for row in _visible(browser, "tbody tr"):
            cells = row.find_elements("css selector", "th, td")
            if cells and cells[0].text.splitlines()[:1] == [unit]:
                return row
        assert time.monotonic() < deadline, f"no row of {unit} on {browser.driver.current_url}:\n{browser.text[:3000]}"
        time.sleep(0.2)


def test_a_an_owner_reports_progress_and_completes_works_and_the_region_sees_the_late_one(browser):
    started = time.monotonic()
    sal_day = datetime.date.today() - datetime.timedelta(days=1)  # the SAL of yesterday's survey
    browser.sign_in("sudsalento.referente")
    _menu(browser, "Programmi di intervento", "Interventi")
    _arrive(browser, "/admin/programmes/intervention/")
    browser.see(WORKS)
    assert LATE in browser.text
    assert OTHERS not in browser.text and "ARCA Puglia Centrale" not in browser.text
    browser.see("2 interventi")

    # A progress report: a new SAL row of the intervention's form, numbers the Italian way.
    browser.click(WORKS)
    _arrive(browser, "/admin/programmes/intervention/edit/")
    browser.click("Aggiungi SAL", "Add SAL")
    deadline = time.monotonic() + 20
    while True:
        new_rows = [
            element
            for element in _visible(browser, "input[id^='id_progress_reports-'][id$='-date']")
            if not element.get_attribute("value")
        ]
        if new_rows:
            break
        assert time.monotonic() < deadline, "no new SAL row"
        time.sleep(0.2)
    prefix = new_rows[-1].get_attribute("id").removesuffix("-date")
    find = browser.driver.find_element
    _type_into(browser, find("id", f"{prefix}-date"), sal_day.isoformat())
    _type_into(browser, find("id", f"{prefix}-percentage"), "48,75")
    _type_into(browser, find("id", f"{prefix}-amount"), "12.500,00")
    browser.click("Salva", "Save")
    deadline = time.monotonic() + 20
    while not browser.driver.current_url.endswith("/admin/programmes/intervention/"):  # saved: the list
        assert time.monotonic() < deadline, f"not saved: {browser.text[:3000]}"
        time.sleep(0.2)
    browser.settle()
    browser.see(WORKS)

    browser.click("Controlla", "Inspect", within=browser.row(WORKS))
    _arrive(browser, "/admin/programmes/intervention/inspect/")
    report = browser.row(sal_day.strftime("%d/%m/%Y"), "12.500,00")
    assert "48,75" in report.text

    # A stage transition: the summary first (from which state to which), then the confirmation.
    browser.click("Lavori ultimati", "Works completed")
    _arrive(browser, "/move/complete/")
    browser.see("Lavori in corso → Ultimato", "Works under way → Completed")
    assert WORKS in browser.text
    browser.click("Conferma", "Confirm")
    _arrive(browser, "/admin/programmes/intervention/inspect/")
    browser.see("Fatto: Lavori ultimati.", "Done: Works completed.")
    assert "Ultimato" in browser.text
    assert not browser.can_click("Lavori ultimati", "Works completed")

    # The Region: the programme's progress, the late intervention flagged, the completed one shown.
    browser.sign_in("regione.admin")
    _menu(browser, "Avanzamento dei programmi")
    _arrive(browser, "/admin/programmes/progress/")
    browser.click(PROGRAMME)
    _arrive(browser, "/admin/programmes/programme/")
    late = browser.row(LATE)
    cells = [cell.text for cell in late.find_elements("css selector", "td")]
    # Beneficiary, state, funded, paid, late, not updated, last update.
    assert cells[0] == "ARCA Sud Salento" and cells[4] == "Sì", cells
    completed = [cell.text for cell in browser.row(WORKS).find_elements("css selector", "td")]
    assert completed[1] == "Ultimato" and completed[4] == "No", completed
    assert int(browser.see_match(r"Con fasi in ritardo\s+(\d+)").group(1)) >= 1
    others = browser.row(OTHERS).find_element("css selector", "th a").get_attribute("href")
    others_id = re.search(r"/inspect/(\d+)/", others).group(1)

    # ARCA Puglia Centrale's intervention does not exist for ARCA Sud Salento's officer.
    browser.sign_in("sudsalento.referente")
    for path in (
        f"/admin/programmes/intervention/inspect/{others_id}/",
        f"/admin/programmes/intervention/edit/{others_id}/",
        f"/admin/programmes/intervention/{others_id}/move/start_design/",
    ):
        browser.open(path)
        browser.settle()
        assert OTHERS not in browser.driver.page_source, path
        assert "ARCA Puglia Centrale" not in browser.driver.page_source, path
    browser.open(f"/admin/programmes/intervention/inspect/{others_id}/")
    browser.see(*NOT_FOUND)
    browser.open("/admin/programmes/intervention/?q=San+Paolo")
    browser.see("0 interventi", "Nessun", "No ")
    assert OTHERS not in browser.text
    _fast(started)


def test_b_an_owner_proposes_a_sale_plan_the_region_approves_it_and_a_sale_is_recorded(browser):
    started = time.monotonic()
    browser.sign_in("sudsalento.referente")
    _menu(browser, "Piani di vendita")
    _arrive(browser, "/admin/calls/sale-plans/")
    browser.click("Proponi un piano di vendita", "Propose a sale plan")
    _arrive(browser, "/admin/calls/sale-plans/new/")
    browser.type(("Titolo", "Title"), PLAN_TITLE)
    browser.type(("Atto del proprietario", "Owner's act"), "Delibera del Commissario n. 77 del 2/3/2027")
    browser.click("Salva", "Save")
    _arrive(browser, "/units/")

    # Two of its own units, each with its appraised value typed the Italian way.
    rows = _visible(browser, "#proposable-units tbody tr")
    assert len(rows) >= 2, browser.text
    chosen = []
    for row in rows[:2]:
        unit = row.find_element("css selector", "th").text
        assert unit.startswith("750000-"), unit  # ARCA Sud Salento's own units only
        browser._press(row.find_element("css selector", "input[type=checkbox]"))
        _type_into(browser, row.find_element("css selector", "input[name^=value_]"), "68.500,00")
        from selenium.webdriver.support.select import Select

        Select(row.find_element("css selector", "select")).select_by_visible_text("Sì")
        chosen.append(unit)
    assert not [row for row in rows if not row.find_element("css selector", "th").text.startswith("750000-")]
    browser.click("Inserisci nel piano gli alloggi selezionati", "Put the ticked units in the plan")
    browser.see("2 alloggi inseriti nel piano", "2 units put in the plan")
    plan_url = browser.driver.current_url
    for unit in chosen:
        assert "68.500,00" in _unit_row(browser, unit).text

    # Sending: the summary (two units, their value together), then the confirmation.
    browser.click("Invia alla Regione", "Send to the Region")
    _arrive(browser, "/send/")
    browser.see("Riepilogo", "Summary")
    summary = browser.text
    assert PLAN_TITLE in summary and "137.000,00" in summary and "Bozza → Inviato alla Regione" in summary
    browser.click("Conferma", "Confirm")
    protocol = browser.see_match(rf"(?:Numero di protocollo|Protocol number) ({PROTOCOL})").group(1)
    reference = browser.see_match(r"PV-\d{6}").group(0)

    # The Region's reviewer approves it, after the summary.
    browser.sign_in("regione.istruttore")
    _menu(browser, "Piani di vendita")
    _arrive(browser, "/admin/calls/sale-plans/")
    row = browser.row(reference)
    assert protocol in row.text and "Inviato alla Regione" in row.text
    browser.open(plan_url.replace(browser.base, ""))
    browser.click("Approva il piano", "Approve the plan")
    _arrive(browser, "/approve/")
    browser.see("Riepilogo", "Summary")
    assert "Inviato alla Regione →" in browser.text and "137.000,00" in browser.text
    browser.click("Conferma", "Confirm")
    browser.see_match(r"Operazione eseguita: il piano è ora nello stato “Approvato”|Done: the plan is now")

    # The register: both units for sale, in the owner's unit list.
    browser.sign_in("sudsalento.referente")
    _menu(browser, "Banca dati patrimoniale", "Alloggi")
    _arrive(browser, "/admin/registry/unit/")
    for unit in chosen:
        assert "In vendita" in _unit_row(browser, unit).text, unit

    # A sale recorded: the unit is sold in the register, and its history says so.
    browser.open(plan_url.replace(browser.base, ""))
    browser.click("Registra la vendita", "Record the sale", within=_unit_row(browser, chosen[0]))
    _arrive(browser, "/sale/")
    browser.see("68.500,00")
    element = browser.field("Data della vendita", "Date of the sale")
    browser.driver.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        element,
        datetime.date.today().isoformat(),
    )
    browser.type(("Prezzo (€)", "Price (€)"), "67.250,00")
    browser.choose(("Acquirente", "Buyer"), "Assegnatario")
    browser.click("Salva", "Save")
    browser.see(f"Vendita dell'alloggio {chosen[0]} registrata", f"Sale of {chosen[0]} recorded")
    assert "67.250,00" in _unit_row(browser, chosen[0]).text

    _menu(browser, "Banca dati patrimoniale", "Alloggi")
    _arrive(browser, "/admin/registry/unit/")
    assert "Alienato" in _unit_row(browser, chosen[0]).text
    assert "In vendita" in _unit_row(browser, chosen[1]).text
    browser.click(chosen[0], within=_unit_row(browser, chosen[0]))
    _arrive(browser, "/admin/registry/unit/inspect/")
    browser.see("Storico delle modifiche", "History")
    history = browser.row("In vendita → Alienato")
    assert "Maria Quarta" in history.text and datetime.date.today().strftime("%d/%m/%Y") in history.text
    browser.row("→ In vendita")
    _fast(started)


def _image_loaded(browser):
    """The map's <img>: wait until the browser has it (drawn on the server, cached after)."""
    deadline = time.monotonic() + 30
    script = "var i = document.querySelector('figure img'); return i && i.complete ? [i.naturalWidth, i.alt] : null"
    while True:
        found = browser.driver.execute_script(script)
        if found:
            return found
        assert time.monotonic() < deadline, "the map's image did not load"
        time.sleep(0.2)


def _map_rows(browser):
    """(building, Comune, owner) of each row of the table under the map."""
    rows = []
    for row in _visible(browser, "figure.push-building-map ~ div table tbody tr, table.listing tbody tr"):
        cells = [cell.text for cell in row.find_elements("css selector", "th, td")]
        rows.append((cells[0], cells[1], cells[3]))
    return rows


def test_c_an_owner_sees_its_buildings_on_the_map_and_narrows_them_by_comune(browser):
    from selenium.webdriver.support.select import Select

    started = time.monotonic()
    browser.sign_in("sudsalento.referente")
    _menu(browser, "Banca dati patrimoniale", "Fabbricati sulla mappa")
    _arrive(browser, "/admin/registry/map/")
    width, alt = _image_loaded(browser)
    assert width > 0
    assert alt.startswith("Mappa della Puglia con i confini dei Comuni e ") and "fabbricati" in alt, alt
    browser.see(ATTRIBUTION)
    rows = _map_rows(browser)
    assert len(rows) > 1
    assert {owner for _building, _comune, owner in rows} == {"ARCA Sud Salento"}, rows
    assert f"e {len(rows)} fabbricati" in alt, alt
    comuni = {comune for _building, comune, _owner in rows}
    assert "Lecce" in comuni and len(comuni) > 1

    # By Comune: the filter bar, the Comune of Lecce; the table and the image follow.
    browser.click("Filtra", "Filter", within=browser.driver.find_element("css selector", ".push-filter-bar"))
    select = browser.field("Per Comune", "By Comune")
    Select(select).select_by_visible_text("Lecce")
    form = select.find_element("xpath", "ancestor::form[1]")
    browser.click("Filtra", "Filter", within=form)
    _arrive(browser, "comune__id__exact=")
    narrowed = _map_rows(browser)
    assert narrowed and {comune for _building, comune, _owner in narrowed} == {"Lecce"}, narrowed
    assert len(narrowed) < len(rows)
    assert set(narrowed) <= set(rows)
    width, alt = _image_loaded(browser)
    assert width > 0 and "Lecce" in alt, alt
    browser.see(ATTRIBUTION)
    _fast(started)
