"""The six journeys of issue 9 (a-f), each done in Chromium as the person does it and ending on
what that person sees, and three of the issue's broken cases (b2: an integration gets its own
protocol number; g: an implausible rent asks for confirmation; h: the snapshot form shows its
date). They run in this order on one demo site: the Comune of Bari sends its list (b), the Region
asks for an integration and the Comune sends it (b2), the Region accepts it (c), the administrator
closes the call and divides the fund (d)."""

import re
import tempfile
from pathlib import Path

import pytest

from core.pdf import blank_pdf
from tests.calls.test_submissions import applicant, applicants_csv

pytestmark = pytest.mark.browser

RENT_SUPPORT_2025 = "Fondo per il sostegno alle locazioni – annualità 2025"
PROTOCOL = r"PUSH/\d{4}/\d{6}"
SENT = {}  # what the Comune's sending left for the next journeys: its protocol number


@pytest.fixture(scope="module")
def files():
    """The files the Comune's officer has on their desk: the applicants list and a signed act (PDF)."""
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
    browser.click("Carica e calcola", "Upload and compute")
    browser.see("Elenco caricato e calcolato.", "List uploaded and computed.")
    totals = browser.row("Totale", "/ 3")
    assert totals.text.endswith("2 / 3 3.698,74"), totals.text  # 2 eligible of 3, their need

    browser.type("Cofinanziamento (€)", "15.000,00")  # as an Italian office writes it
    browser.click("Salva il cofinanziamento", "Save the co-financing")
    browser.see("Cofinanziamento salvato.", "Co-financing saved.")
    assert browser.row("Cofinanziamento (€)", "15.000,00")

    missing = browser.see_match(r"(?:Mancano ancora|Still missing): (.+)").group(1).split("; ")
    for document in missing:
        browser.type("Documento", document)
        browser.type("File PDF", str(files / "atto.pdf"))
        browser.click("Aggiungi l’allegato", "Add the attachment")
        browser.see("Allegato aggiunto.", "Attachment added.")
    assert "Mancano ancora" not in browser.text and "Still missing" not in browser.text

    browser.click("Controlla e invia", "Check and send")
    # The summary of what will be sent, before the irreversible step: need, co-financing, acts.
    summary = browser.row("15.000,00").find_element("xpath", "ancestor::table[1]").text
    assert "3.698,74" in summary and all(document in summary for document in missing), summary
    browser.click("Conferma e invia", "Confirm and send")
    protocol = browser.see_match(rf"(?:Protocollo|Protocol) ({PROTOCOL})").group(1)
    browser.see("Inviata")
    assert protocol.startswith("PUSH/")
    # The receipt is rendered after the sending, in the background: the person reloads until it is there.
    assert browser.reload_until_clickable(
        f"Ricevuta {protocol} (PDF)", f"Receipt {protocol} (PDF)", "Scarica la ricevuta (PDF)"
    )
    browser.screenshot_for_guide("comune-ricevuta")
    SENT["protocol"] = protocol


def test_b2_an_integration_gets_its_own_protocol_number_and_both_receipts_stay(browser, files):
    """The broken case of issue 9: an integration kept the first number and overwrote its receipt."""
    first = SENT["protocol"]
    browser.sign_in("regione.istruttore")
    browser.menu("Bandi e fondi", "Domande")
    browser.click("Comune di Bari", within=browser.row("Comune di Bari", RENT_SUPPORT_2025, "Inviata"))
    browser.type(("Cosa deve essere integrato", "What must be integrated"), "Manca la graduatoria rettificata.")
    deadline = browser.field("Nuova scadenza", "New deadline")
    browser.driver.execute_script("arguments[0].value = '2027-01-31T12:00'", deadline)  # the date picker
    browser.click("Chiedi un’integrazione", "Richiedi un’integrazione", "Request an integration")
    browser.see("Integrazione richiesta")

    browser.sign_in("bari.referente")
    browser.menu("Bandi e fondi", "Domande")
    browser.click("Comune di Bari", within=browser.row("Comune di Bari", RENT_SUPPORT_2025, "Integrazione richiesta"))
    browser.see("Manca la graduatoria rettificata.")
    browser.type("Documento", "Graduatoria rettificata")
    browser.type("File PDF", str(files / "atto.pdf"))
    browser.click("Aggiungi l’allegato", "Add the attachment")
    browser.see("Allegato aggiunto.", "Attachment added.")
    browser.click(
        "Controlla e invia l’integrazione", "Controlla e invia l'integrazione", "Check and send the integration"
    )
    browser.click("Conferma e invia", "Confirm and send")
    browser.see("Integrata")
    numbers = set(re.findall(PROTOCOL, browser.text))
    assert first in numbers and len(numbers) == 2, numbers  # the first sending keeps its own number
    second = (numbers - {first}).pop()
    for protocol in (first, second):
        assert browser.reload_until_clickable(f"Ricevuta {protocol} (PDF)", f"Receipt {protocol} (PDF)")


def test_c_the_regional_reviewer_accepts_the_submission(browser):
    browser.sign_in("regione.istruttore")
    browser.menu("Bandi e fondi", "Domande")
    sent = browser.row("Comune di Bari", RENT_SUPPORT_2025, "Integrata")
    assert re.search(PROTOCOL, sent.text)
    browser.click("Comune di Bari", within=sent)
    browser.see("15.000,00")
    browser.screenshot_for_guide("istruttore-domanda")
    browser.click("Accogli…", "Accept…")
    browser.see("3.698,74")  # the summary of what is decided
    browser.click("Conferma e accogli", "Confirm and accept")
    browser.see("Domanda accolta.", "Submission accepted.")
    browser.see("Accolta")


def test_d_the_administrator_closes_the_call_and_divides_the_fund(browser):
    browser.sign_in("regione.admin")
    browser.menu("Bandi e fondi", "Bandi")
    browser.click("Controlla", "Inspect", within=browser.row(RENT_SUPPORT_2025, "Aperto"))
    assert not browser.can_click("Calcola il riparto", "Compute the riparto")  # not on an open call
    browser.click("Chiudi il bando", "Close the call")
    browser.click("Conferma", "Confirm")
    browser.see("Chiuso")

    browser.click("Riparto del fondo", "Riparto of the fund")
    browser.click("Calcola il riparto", "Compute the riparto")
    if browser.can_click("Conferma", "Confirm"):  # the call moves to "under review": a confirmed step
        browser.click("Conferma", "Confirm")
    browser.see("Riparto calcolato.", "Riparto computed.")
    bari = browser.row("Bari", "3.698,74")
    # Comune, need, co-financing, premium, base share, premium share, total: the only accepted
    # submission needs less than the base fund, so it gets all of its need.
    assert bari.text.split()[-6:] == ["3.698,74", "15.000,00", "sì", "3.698,74", "0,00", "3.698,74"], bari.text
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


def test_g_an_implausible_rent_asks_for_confirmation_before_it_is_saved(browser):
    """The broken case of issue 9: "86,52" once saved as 8.652,00 € without a word."""
    browser.sign_in("sudsalento.referente")
    browser.menu("Banca dati patrimoniale", "Alloggi")
    browser.click("Modifica", within=browser.row("750000-11", "Locato"))
    browser.type("Canone mensile (€)", "8.652,00")
    browser.click("Salva")
    browser.see("8.652,00")
    confirmation = browser.field("Ho controllato", "I have checked")  # nothing saved until ticked
    assert not confirmation.is_selected()
    browser.menu("Banca dati patrimoniale", "Alloggi")
    browser.click("750000-11")
    browser.see("Storico delle modifiche")
    assert "8.652,00" not in browser.text


def test_h_the_yearly_snapshot_form_shows_its_date(browser):
    """The broken case of issue 9: the date was rendered as 31/12/2025 in an <input type=date>,
    which browsers show empty."""
    browser.sign_in("regione.admin")  # the Region takes the snapshots
    browser.open("/admin/registry/stocksnapshot/create/")
    date = browser.field("Data di riferimento", "Reference date")
    assert date.get_attribute("type") == "date"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", date.get_attribute("value")), date.get_attribute("value")
    assert browser.driver.execute_script("return arguments[0].valueAsDate !== null", date)
