"""The helpdesk's and communications' journeys of issue 12, in Chromium on the demo site:

(a) a Comune's officer opens a ticket from the admin (the FAQ answers matching the subject are
    proposed, a file is attached); the Region's reviewer finds it in the queue with the filters,
    assigns it, writes an internal note and replies; the officer reads the reply and the unread
    count of the notifications, never the note;
(b) the Region's administrator sends a circular to the province of Bari with a reply-by date
    (the irreversible sending shows a summary and asks to confirm); the Comune of Bari's officer
    finds it in the inbox, opens it (the presa visione is recorded) and replies; the Region reads
    who has read it and who has not, and the reply; the officer of an entity of another province
    does not see it, not even by its address;
(c) the notifications' list: the unread count, marking read, the preferences (a daily digest)
    saved and shown again.

Each journey takes well under a minute on the demo site; the subjects carry the run's time so
that a server kept between runs (PUSH_BROWSER_BASE_URL) does not confuse them."""

import re
import tempfile
import time
from pathlib import Path

import pytest

from core.pdf import blank_pdf

pytestmark = pytest.mark.browser

RUN = time.strftime("%H%M%S")
TICKET_SUBJECT = f"Il file CSV degli alloggi contiene errori (prova {RUN})"
NOTE = f"Nota interna: verificare il tracciato del file (prova {RUN})"
REPLY = f"Scaricate di nuovo il modello: la colonna della classe energetica è cambiata (prova {RUN})."
CIRCULAR_SUBJECT = f"Rilevazione dei canoni di locazione (prova {RUN})"
CIRCULAR_REPLY = f"Il Comune di Bari ha 412 contratti registrati (prova {RUN})."
PROTOCOL = r"PUSH/\d{4}/\d{6}"
SEEN = {}  # what one journey leaves to the next: the circular's address


@pytest.fixture(scope="module")
def desk():
    """The officer's desk: a scanned page to attach (PDF)."""
    folder = Path(tempfile.mkdtemp(prefix="push-browser-helpdesk-"))
    (folder / "schermata-errore.pdf").write_bytes(blank_pdf())
    return folder


def _unread_in_menu(browser) -> int:
    """The count the side menu shows beside "Notifiche" (0 when it shows none)."""
    item = browser.driver.find_element("css selector", "[data-unread]")
    return int(item.get_attribute("data-unread"))


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


def _started():
    return time.monotonic()


def _fast(started):
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"the journey took {elapsed:.0f} s"


def test_a_an_officer_asks_the_region_and_reads_the_reply_but_never_the_internal_note(browser, desk):
    started = _started()
    browser.sign_in("bari.referente")
    unread_before = _unread_in_menu(browser)
    _menu(browser, "Assistenza")
    _arrive(browser, "/helpdesk/tickets/")
    browser.click("Apri una segnalazione", "Open a ticket")

    browser.choose(("Argomento", "Topic"), "Banca dati patrimoniale")
    browser.type(("Oggetto", "Subject"), TICKET_SUBJECT)
    # As the subject is typed, the FAQ answer about files with errors is proposed.
    browser.see("Cosa succede se il file contiene errori?")
    browser.type(("Messaggio", "Message"), "Il caricamento si ferma alla riga 12: allego la schermata.")
    browser.type(("Allegati", "Attachments"), str(desk / "schermata-errore.pdf"))
    browser.click("Invia la segnalazione", "Send the ticket")
    reference = browser.see_match(r"Segnalazione (\S+) inviata alla Regione|Ticket (\S+) sent to the Region")
    reference = reference.group(1) or reference.group(2)
    browser.see("schermata-errore.pdf")

    # The Region's reviewer: the queue, narrowed by the filters to Bari's open property questions.
    browser.sign_in("regione.istruttore")
    _menu(browser, "Coda dell’assistenza")
    _arrive(browser, "/helpdesk/tickets/queue/")
    browser.choose(("Provincia", "Province"), "Bari")
    browser.choose(("Argomento", "Topic"), "Banca dati patrimoniale")
    browser.choose(("Stato", "State"), "In attesa della Regione")
    browser.click("Filtra", "Filter")
    assert "province=BA" in browser.driver.current_url
    row = browser.row(TICKET_SUBJECT)
    assert reference in row.text and "Bari" in row.text
    assert "Lecce" not in browser.text.split("Ultima attività")[-1]
    browser.click(TICKET_SUBJECT)

    browser.choose(("Assegna a", "Assign to"), "Marco Sportelli")
    browser.click("Salva l’assegnazione", "Save the assignment")
    browser.see("Assegnazione salvata", "Assignment saved")
    browser.type(("Nota interna (solo per la Regione)", "Internal note (the Region only)"), NOTE)
    browser.click("Aggiungi la nota", "Add the note")
    browser.see(NOTE)
    browser.type(("Messaggio", "Message"), REPLY)
    browser.click("Rispondi all’ente", "Reply to the entity")
    browser.see("Risposta della Regione", "Answered by the Region")
    browser.see(REPLY)

    # The officer: one more unread notification, the reply in the thread, no trace of the note.
    browser.sign_in("bari.referente")
    assert _unread_in_menu(browser) > unread_before
    _menu(browser, "Assistenza")
    _arrive(browser, "/helpdesk/tickets/")
    browser.click(TICKET_SUBJECT)
    browser.see(REPLY)
    assert NOTE not in browser.text and "Nota interna" not in browser.text
    assert NOTE not in browser.driver.page_source
    _fast(started)


def _write_rich_text(browser, text):
    """Type into the rich-text editor (Draftail), once it is drawn, and wait until the form holds it."""
    deadline = time.monotonic() + 20
    while True:
        editors = browser.driver.find_elements("css selector", ".public-DraftEditor-content[contenteditable=true]")
        if editors:
            browser._press(editors[0])
            editors[0].send_keys(text)
            break
        assert time.monotonic() < deadline, "the rich-text editor was not drawn"
        time.sleep(0.2)
    while text not in browser.driver.execute_script("return document.querySelector('[name=body]').value"):
        assert time.monotonic() < deadline, "the rich-text editor did not keep the text"
        time.sleep(0.2)


def _set_date(browser, labels, value):
    """A date field: the browser's own date picker, given the ISO date it stores."""
    element = browser.field(*labels)
    browser.driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        element,
        value,
    )


def test_b_the_region_sends_a_circular_to_a_province_and_sees_who_read_and_replied(browser, desk):
    import datetime

    started = _started()
    browser.sign_in("regione.admin")
    _menu(browser, "Circolari")
    _arrive(browser, "/admin/circulars/")
    browser.click("Nuova circolare", "New circular")
    _arrive(browser, "/admin/circulars/new/")
    browser.type(("Oggetto", "Subject"), CIRCULAR_SUBJECT)
    _write_rich_text(browser, "Si chiede di comunicare il numero dei contratti di locazione registrati.")
    browser._press(
        browser.field("Una provincia (la relativa ARCA e i suoi Comuni)", "A province (its ARCA and Comuni)")
    )
    browser.choose(("Provincia", "Province"), "Bari")
    reply_by = datetime.date.today() + datetime.timedelta(days=15)
    _set_date(browser, ("Data entro cui rispondere", "Reply by"), reply_by.isoformat())
    browser.type(("Allegati (PDF)", "Attachments (PDF)"), str(desk / "schermata-errore.pdf"))
    browser.click("Continua", "Continue")

    # Nothing is sent yet: the summary names the recipients, their number and the protocol to come.
    _arrive(browser, "/send/")
    browser.see("Numero di enti destinatari", "Number of recipient entities")
    count = int(browser.driver.find_element("css selector", "#circular-recipients strong").text)
    assert count > 1
    summary = browser.text
    assert "Bari" in summary and "Lecce" not in summary.split("Destinatari")[-1]
    assert reply_by.strftime("%d/%m/%Y") in summary
    browser.click("Invia (operazione irreversibile)", "Send (cannot be undone)")
    sent = browser.see_match(rf"(?:Circolare inviata a|Circular sent to) {count} .*?({PROTOCOL})")
    protocol = sent.group(1)
    status_url = browser.driver.current_url
    circular_id = re.search(r"/circulars/(\d+)/status/", status_url).group(1)
    SEEN["circular"] = f"/admin/circulars/{circular_id}/"

    # The Comune of Bari's officer: the inbox says it is new; opening it records the presa visione.
    browser.sign_in("bari.referente")
    _menu(browser, "Circolari ricevute")
    _arrive(browser, "/admin/circulars/inbox/")
    assert "Nuova" in browser.row(CIRCULAR_SUBJECT).text
    browser.click(CIRCULAR_SUBJECT)
    browser.see(protocol)
    browser.see_match(r"Presa visione da parte di Nicola Lorusso il \d{2}/\d{2}/\d{4}")
    browser.type(("Risposta", "Reply"), CIRCULAR_REPLY)
    browser.click("Invia la risposta", "Send the reply")
    browser.see("Risposta inviata alla Regione", "Reply sent to the Region")
    browser.see(CIRCULAR_REPLY)
    _menu(browser, "Circolari ricevute")
    _arrive(browser, "/admin/circulars/inbox/")
    assert "Risposta inviata" in browser.row(CIRCULAR_SUBJECT).text

    # An officer of a Comune of another province (Lecce): not in the inbox, and its address is
    # a page that does not exist.
    browser.sign_in("lecce.referente")
    browser.open("/admin/circulars/inbox/")
    browser.see("Circolari ricevute", "Circulars received")
    assert CIRCULAR_SUBJECT not in browser.text
    browser.open(SEEN["circular"])
    assert CIRCULAR_SUBJECT not in browser.driver.page_source and protocol not in browser.driver.page_source

    # The Region: who has read it and who has not, and the reply.
    browser.sign_in("regione.admin")
    browser.open(status_url.replace(browser.base, ""))
    browser.see(f"1 enti su {count} l’hanno letta, {count - 1} no; 1 hanno risposto", f"1 of {count} entities")
    assert "Risposta inviata" in browser.row("Bari", "Nicola Lorusso").text
    browser.see(CIRCULAR_REPLY)
    browser.choose(("Stato", "Status"), "Non letta")
    browser.click("Filtra", "Filter")
    rows = browser.driver.find_elements("css selector", "#circular-status tbody tr")
    assert len(rows) == count - 1
    assert all(row.get_attribute("data-status") == "unread" for row in rows)
    assert "Bari" not in {row.find_element("css selector", "th").text for row in rows}
    _fast(started)


def _unread_on_list(browser) -> int:
    return int(browser.see_match(r"(\d+) (?:notifiche non lette|notifica non letta|unread notification)").group(1))


def _preference_choice(browser, kind_label, choice_label):
    """The radio button `choice_label` in the group of the kind `kind_label`."""
    group = browser.driver.find_element(
        "xpath", f"//*[@data-field-wrapper][./label[contains(normalize-space(.), '{kind_label}')]]"
    )
    return group.find_element("xpath", f".//label[contains(normalize-space(.), '{choice_label}')]//input")


def test_c_an_officer_reads_the_notifications_and_chooses_a_daily_digest(browser):
    started = _started()
    browser.sign_in("bari.referente")
    unread = _unread_in_menu(browser)
    assert unread >= 2, "the Region's reply and the circular of the journeys before"
    _menu(browser, f"Notifiche ({unread})")
    _arrive(browser, "/admin/notifiche/")
    assert _unread_on_list(browser) == unread

    # Opening the newest unread notification leads to what it speaks of and marks it read.
    first = browser.driver.find_element("css selector", "#notifications tr.unread th button")
    subject = first.text
    browser._press(first)
    browser.settle()
    assert "/admin/notifiche/" not in browser.driver.current_url
    _menu(browser, f"Notifiche ({unread - 1})")
    _arrive(browser, "/admin/notifiche/")
    assert _unread_on_list(browser) == unread - 1
    assert "Letta" in browser.row(subject).text

    # The rest at once.
    browser.click("Segna tutte come lette", "Mark all as read")
    browser.see(f"{unread - 1} notifiche segnate come lette", "marked as read")
    assert _unread_on_list(browser) == 0
    assert _unread_in_menu(browser) == 0
    assert not browser.driver.find_elements("css selector", "#notifications tr.unread")

    # The Region's replies in one e-mail a day from now on: saved, and shown so when the page is opened again.
    browser.click("Preferenze e-mail", "E-mail preferences")
    _arrive(browser, "/admin/notifiche/preferenze/")
    kind = "Assistenza: la Regione ha risposto a una segnalazione del mio ente"
    browser._press(_preference_choice(browser, kind, "Per e-mail, in un riepilogo giornaliero"))
    browser.click("Salva", "Save")
    browser.see("Le preferenze di notifica sono state salvate", "preferences have been saved")
    browser.open("/admin/notifiche/preferenze/")
    assert _preference_choice(browser, kind, "Per e-mail, in un riepilogo giornaliero").is_selected()
    assert not _preference_choice(browser, kind, "Per e-mail, subito").is_selected()
    _fast(started)
