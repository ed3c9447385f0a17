"""The six journeys of issue 9, each done in Chromium as the person does it and ending on what that
person sees. They run in this order on one demo site: the Comune of Bari sends its list (b), the
Region accepts it (c), the administrator closes the call and divides the fund (d)."""

import re
import tempfile
from pathlib import Path

import pytest

from core.pdf import blank_pdf
from tests.calls.test_submissions import applicant, applicants_csv

pytestmark = pytest.mark.browser

RENT_SUPPORT_2025 = "Fondo per il sostegno alle locazioni – annualità 2025"
PROTOCOL = r"PUSH/\d{4}/\d{6}"


@pytest.fixture(scope="module")
def files():
    """The files the Comune's officer has on their desk: the applicants list and two PDF acts."""
    folder = Path(tempfile.mkdtemp(prefix="push-browser-"))
    rows = [
        applicant(income="10.000,00", rent="4.800,00"),  # band A, capped at 3.098,74
        applicant(income="15.000,00", rent="4.200,00"),  # band B, 600,00
        applicant(income="15.000,00", rent="3.000,00"),  # not eligible
    ]
    (folder / "richiedenti.csv").write_bytes(applicants_csv(rows))
    (folder / "atto.pdf").write_bytes(blank_pdf())
    return folder


def test_a_tenant_finds_the_rent_support_call_and_its_guideline(browser):
    browser.open("/")
    browser.see("Bandi aperti")

    browser.click(RENT_SUPPORT_2025)
    browser.see("Chi può partecipare")
    assert browser.driver.find_element("tag name", "h1").text == RENT_SUPPORT_2025
    browser.see("Documenti richiesti")
    browser.screenshot_for_guide("cittadino-bando")

    browser.click("Cerca")
    browser.type("Parole da cercare", "locazione")
    browser.click("Cerca", within=browser.driver.find_element("css selector", "main"))
    browser.see(RENT_SUPPORT_2025)

    browser.type("Parole da cercare", "affitto")
    browser.click("Cerca", within=browser.driver.find_element("css selector", "main"))
    browser.see("risultat")
    results = browser.driver.find_element("css selector", "main").text
    assert RENT_SUPPORT_2025 in results, "searching 'affitto' must find the rent-support guideline"


def test_b_a_comune_sends_its_rent_support_list(browser, files):
    browser.sign_in("bari.referente")
    browser.menu("Bandi e fondi", "Domande")
    draft = browser.row("Comune di Bari", RENT_SUPPORT_2025, "Bozza")
    browser.click("Comune di Bari", within=draft)
    browser.see("Prepara la domanda")

    browser.type(("Elenco dei richiedenti (CSV o XLSX)",), str(files / "richiedenti.csv"))
    browser.click("Carica e calcola")
    browser.see("Elenco caricato e calcolato.")
    totals = browser.row("Totale", "/ 3")
    assert "2 / 3" in totals.text and "3.698,74" in totals.text

    browser.type("Cofinanziamento (€)", "15000")
    browser.click("Salva il cofinanziamento")
    browser.see("Cofinanziamento salvato.")
    assert "15.000,00" in browser.row("Cofinanziamento (€)").text

    missing = browser.see_match(r"Mancano ancora: (.+)").group(1).split("; ")
    for document in missing:
        browser.type("Documento", document)
        browser.type("File PDF", str(files / "atto.pdf"))
        browser.click("Aggiungi l’allegato")
        browser.see("Allegato aggiunto.")
    assert "Mancano ancora" not in browser.text

    browser.click("Invia la domanda")
    sent = browser.see_match(rf"Domanda inviata: numero di protocollo ({PROTOCOL})")
    protocol = sent.group(1)
    browser.see("Inviata")
    assert browser.can_click("Scarica la ricevuta (PDF)")
    assert f"Protocollo {protocol}" in browser.text
    browser.screenshot_for_guide("comune-ricevuta")


def test_c_the_regional_reviewer_accepts_the_submission(browser):
    browser.sign_in("regione.istruttore")
    browser.menu("Bandi e fondi", "Domande")
    sent = browser.row("Comune di Bari", RENT_SUPPORT_2025, "Inviata")
    assert re.search(PROTOCOL, sent.text)
    browser.click("Comune di Bari", within=sent)
    browser.see("15.000,00")
    browser.screenshot_for_guide("istruttore-domanda")
    browser.click("Accogli", "Accetta")
    browser.see("Domanda accolta.")
    assert "Accolta" in browser.text


def test_d_the_administrator_closes_the_call_and_divides_the_fund(browser):
    browser.sign_in("regione.admin")
    browser.menu("Bandi e fondi", "Bandi")
    browser.click(RENT_SUPPORT_2025, within=browser.row(RENT_SUPPORT_2025, "Aperto"))
    # No "close the call" action yet: the call's state is changed in its form.
    if browser.can_click("Modifica"):
        browser.click("Modifica")
    browser.choose("Stato", "Chiuso")
    browser.click("Salva")
    browser.see("modificato", "aggiornato", "salvato")

    browser.menu("Bandi e fondi", "Bandi")
    browser.click("Controlla", within=browser.row(RENT_SUPPORT_2025, "Chiuso"))
    browser.click("Riparto del fondo")
    browser.click("Calcola il riparto")
    browser.see("Riparto calcolato.")
    bari = browser.row("Bari", "3.698,74")
    # Comune, need, co-financing, premium, base share, premium share, total: the only accepted
    # submission needs less than the base fund, so it gets all of its need.
    assert bari.text.split()[-6:] == ["3.698,74", "15.000,00", "sì", "3.698,74", "0,00", "3.698,74"]
    browser.screenshot_for_guide("amministratore-riparto")


def test_e_an_editor_publishes_a_notice_through_moderation(browser):
    title = "Sportello casa: nuovi orari di ricevimento"
    browser.sign_in("regione.redattore")
    browser.open("/admin/pages/")  # the page tree (the side menu opens it as a pop-up explorer)
    notices = browser.row("Avvisi")
    browser.click("Più opzioni per 'Avvisi'", "More options for 'Avvisi'", within=notices)
    browser.click("Aggiungi pagina figlio", "Aggiungi pagina figlia", within=notices)
    browser.type("Titolo", title)
    browser.type("Sommario", "Dal 1° dicembre lo sportello riceve il martedì e il giovedì.")
    browser.click("Altre azioni")
    browser.click("Invia a Pubblicazione sul sito PUSH")
    browser.see("inviata per moderazione")
    assert "IN MODERAZIONE" in browser.row(title).text
    browser.screenshot_for_guide("redattore-invio")

    browser.sign_in("regione.admin")
    browser.see("In attesa della tua revisione")
    task = browser.row(title)
    browser.click("Azioni", within=task)
    browser.click("Approva", within=task)
    browser.no_longer_see(title)  # the task is done: it leaves the approver's list

    browser.driver.delete_all_cookies()
    browser.open("/avvisi/")
    browser.see(title)
    browser.click(title)
    assert browser.driver.find_element("tag name", "h1").text == title


def test_f_an_arca_officer_updates_a_units_rent_and_reads_its_history(browser):
    browser.sign_in("sudsalento.referente")
    browser.menu("Banca dati patrimoniale", "Alloggi")
    unit = browser.row("750000-10", "Locato")
    browser.click("Modifica", within=unit)
    browser.type("Canone mensile (€)", "86,52")  # as an Italian office types it
    browser.screenshot_for_guide("arca-alloggio")
    browser.click("Salva")
    browser.see("modificat", "aggiornat", "salvat")

    browser.menu("Banca dati patrimoniale", "Alloggi")
    browser.click("750000-10")
    browser.see("Storico delle modifiche")
    newest = browser.driver.find_element(
        "xpath", "//*[normalize-space(.)='Storico delle modifiche']/following::table[1]//tbody/tr[1]"
    )
    assert "Canone mensile" in newest.text, newest.text  # the field's name, not its code
    assert "96,89 → 86,52" in newest.text, newest.text
