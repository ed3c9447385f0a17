"""Demo content of the public site, and the editorial set-up (who edits, who approves)."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .models import (
    CallGuidelinePage,
    FaqIndexPage,
    FaqItem,
    FaqTopic,
    FooterLinks,
    HomePage,
    NoticeIndexPage,
    NoticePage,
    StandardPage,
)

INTRO = (
    "<p>PUSH è il sistema informativo della Sezione Politiche Abitative della Regione Puglia: "
    "collega la Regione, le cinque ARCA e i 257 Comuni per il patrimonio di edilizia residenziale "
    "pubblica, i bandi per il sostegno alla locazione e il fondo per la morosità incolpevole.</p>"
)

NOTICES = [
    (
        "Aperto il bando per il sostegno alle locazioni",
        ["bandi"],
        "I Comuni possono inviare su PUSH gli elenchi degli aventi diritto, il fabbisogno e il cofinanziamento.",
        "Le domande dei Comuni si inviano esclusivamente tramite PUSH: non sono più accettati invii via PEC.",
    ),
    (
        "Fotografia del patrimonio ERP al 31 dicembre",
        ["patrimonio"],
        "Le ARCA e i Comuni sono invitati ad aggiornare la banca dati patrimoniale entro la fine dell’anno.",
        "La Regione acquisirà la fotografia annuale del patrimonio alla data del 31 dicembre.",
    ),
    (
        "Nuova procedura di accreditamento dei referenti",
        ["accreditamento"],
        "L’accreditamento dei referenti avviene ora con una richiesta online e l’atto di designazione in PDF.",
        "La richiesta sostituisce la lettera di designazione inviata via PEC.",
    ),
    (
        "Pubblicato il riparto del fondo dell’anno precedente",
        ["bandi"],
        "La tabella del riparto tra i Comuni è consultabile nella pagina del bando.",
        "Il riparto è stato calcolato sulle domande accolte, con la quota premiale per i Comuni che cofinanziano.",
    ),
]

FAQ = [
    (
        FaqTopic.ACCREDITATION,
        "Chi può chiedere l’accreditamento a PUSH?",
        "Il legale rappresentante dell’ente e i referenti designati per area (patrimonio, bandi, assistenza) delle ARCA e dei Comuni pugliesi.",
        True,
    ),
    (
        FaqTopic.ACCREDITATION,
        "Quale documento serve per accreditarsi?",
        "L’atto con cui il legale rappresentante designa il referente, firmato, in formato PDF.",
        False,
    ),
    (
        FaqTopic.ACCREDITATION,
        "Quanto tempo serve per l’approvazione?",
        "La Sezione esamina le richieste di norma entro cinque giorni lavorativi; l’esito arriva per e-mail.",
        False,
    ),
    (
        FaqTopic.ACCREDITATION,
        "Cosa succede se cambia il legale rappresentante?",
        "Il nuovo legale rappresentante invia una richiesta: all’approvazione l’incarico precedente cessa automaticamente.",
        False,
    ),
    (
        FaqTopic.PROPERTY_REGISTER,
        "Come si codifica un alloggio in PUSH?",
        "Con il codice PUSH del proprietario seguito dal codice interno dell’alloggio, ad esempio 072006-3122.",
        True,
    ),
    (
        FaqTopic.PROPERTY_REGISTER,
        "In che formato si caricano gli alloggi?",
        "Un file CSV o Excel con una riga per alloggio; il modello con le colonne attese si scarica dalla pagina di importazione.",
        False,
    ),
    (
        FaqTopic.PROPERTY_REGISTER,
        "Cosa succede se il file contiene errori?",
        "Nulla viene scritto: si riceve l’elenco degli errori con riga, colonna e valore, e si può scegliere di importare solo le righe valide.",
        False,
    ),
    (
        FaqTopic.CALLS,
        "Chi rientra nella fascia A del contributo?",
        "I nuclei con reddito fino a due pensioni minime INPS e un’incidenza del canone sul reddito di almeno il 14 %.",
        True,
    ),
    (
        FaqTopic.CALLS,
        "Come si calcola il contributo?",
        "È la differenza tra il canone annuo e la quota di reddito della fascia, entro il massimale della fascia e in proporzione ai mesi di locazione.",
        False,
    ),
    (
        FaqTopic.CALLS,
        "Entro quando va inviata la domanda del Comune?",
        "Entro la data e l’ora di chiusura del bando: dopo la scadenza il sistema non accetta invii.",
        False,
    ),
    (
        FaqTopic.CALLS,
        "A cosa serve il fondo per la morosità incolpevole?",
        "Aiuta gli inquilini che non riescono più a pagare il canone per la perdita o la riduzione del reddito. La domanda si presenta al proprio Comune.",
        False,
    ),
    (
        FaqTopic.TECHNICAL,
        "Il file CSV salvato da Excel viene accettato?",
        "Sì: sono accettati il punto e virgola o la virgola come separatore, la virgola decimale e le date gg/mm/aaaa.",
        False,
    ),
    (
        FaqTopic.TECHNICAL,
        "Esistono API per i sistemi delle ARCA?",
        "Sì, le API sono documentate all’indirizzo /api/v1/docs/ e richiedono un token rilasciato dalla Regione.",
        False,
    ),
]

STANDARD_PAGES = [
    (
        "accessibility",
        "Dichiarazione di accessibilità",
        "dichiarazione-di-accessibilita",
        "La Regione Puglia si impegna a rendere accessibile il proprio sito in conformità alla L. 4/2004. Il sito è conforme ai requisiti WCAG 2.1 livello AA verificati con controlli automatici. Per segnalare problemi di accessibilità scrivere alla Sezione Politiche Abitative.",
    ),
    (
        "privacy",
        "Informativa sul trattamento dei dati personali",
        "privacy",
        "I dati personali sono trattati per l’esecuzione di compiti di interesse pubblico (art. 6.1.e GDPR). I codici fiscali dei richiedenti sono conservati in forma pseudonimizzata.",
    ),
    (
        "legal_notes",
        "Note legali",
        "note-legali",
        "I contenuti del sito sono pubblicati dalla Regione Puglia. L’elenco dei Comuni è di fonte ISTAT (CC BY 3.0 IT).",
    ),
    ("contacts", "Contatti", "contatti", "Regione Puglia – Sezione Politiche Abitative, via Gentile 52, 70126 Bari."),
]


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
    setup_editorial_permissions(home)
    return home


def setup_editorial_permissions(home):
    """Editors (redattori) add and change pages and submit them; regional administrators
    approve and publish (a moderation workflow on the whole site)."""
    editors = Group.objects.filter(name="Regione · Redattori").first()
    admins = Group.objects.filter(name="Regione · Amministratori").first()
    if not (editors and admins):
        return
    for group, codenames in (
        (editors, ("add_page", "change_page")),
        (admins, ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")),
    ):
        for codename in codenames:
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)
    for group in (editors, admins):
        for app_label, codename in (
            ("wagtailimages", "add_image"),
            ("wagtailimages", "change_image"),
            ("wagtaildocs", "add_document"),
            ("wagtaildocs", "change_document"),
        ):
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=Collection.get_first_root_node(), permission=permission
            )
    task = GroupApprovalTask.objects.filter(name="Approvazione della Regione").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Approvazione della Regione")
    task.groups.set([admins])
    workflow, _ = Workflow.objects.get_or_create(name="Pubblicazione sul sito PUSH")
    # Through the model's own manager: Workflow is a ClusterableModel, and a task added
    # through `workflow.workflow_tasks` stays in memory until the cluster is saved, which
    # left a workflow with no task (Wagtail then "finishes" it by publishing as the editor).
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})


def load_content():
    """Notices, the current call's guideline, FAQ and the footer pages (idempotent)."""
    from calls.selectors import latest_rent_support_calls

    home = HomePage.objects.first()
    if home is None:
        return
    links = FooterLinks.for_site(Site.objects.get(is_default_site=True))

    notices = NoticeIndexPage.objects.first()
    if notices is None:
        notices = home.add_child(
            instance=NoticeIndexPage(
                title="Avvisi", slug="avvisi", intro="<p>Gli avvisi della Sezione Politiche Abitative.</p>"
            )
        )
        notices.save_revision().publish()
        today = timezone.localdate()
        for index, (title, tags, summary, text) in enumerate(NOTICES):
            notice = NoticePage(
                title=title,
                date=today - datetime.timedelta(days=7 * index),
                summary=summary,
                body=[("paragraph", f"<p>{text}</p>")],
            )
            notices.add_child(instance=notice)
            notice.tags.add(*tags)
            notice.save_revision().publish()
    links.notices = notices

    for call in latest_rent_support_calls(2):
        if CallGuidelinePage.objects.filter(call=call).exists():
            continue
        page = CallGuidelinePage(
            title=call.title,
            slug=f"bando-sostegno-locazioni-{call.year}",
            call=call,
            intro=f"<p>Il fondo per il sostegno alle locazioni (L. 431/98 art. 11), annualità {call.year}: i Comuni inviano gli elenchi degli aventi diritto, il fabbisogno e il cofinanziamento.</p>",
            who_may_apply="<p>I Comuni pugliesi, per i nuclei familiari residenti titolari di un contratto di locazione registrato per l’alloggio in cui abitano, con i requisiti di reddito delle fasce A e B.</p>",
            steps=[
                (
                    "step",
                    {
                        "title": "Accreditamento del referente bandi",
                        "text": "<p>Se non è già accreditato, il referente chiede l’accesso a PUSH.</p>",
                    },
                ),
                (
                    "step",
                    {
                        "title": "Caricamento dell’elenco",
                        "text": "<p>Il file con i richiedenti viene controllato riga per riga e il contributo calcolato.</p>",
                    },
                ),
                (
                    "step",
                    {
                        "title": "Invio",
                        "text": "<p>Con il cofinanziamento e la determina allegata, la domanda riceve un numero di protocollo.</p>",
                    },
                ),
            ],
            legal_acts=f"<p>{call.legal_act}</p>",
        )
        home.add_child(instance=page)
        page.save_revision().publish()

    faq = FaqIndexPage.objects.first()
    if faq is None:
        faq = FaqIndexPage(
            title="Domande frequenti", slug="faq", intro="<p>Le risposte alle domande più comuni di ARCA e Comuni.</p>"
        )
        for order, (topic, question, answer, featured) in enumerate(FAQ):
            faq.questions.add(
                FaqItem(sort_order=order, topic=topic, question=question, answer=f"<p>{answer}</p>", featured=featured)
            )
        home.add_child(instance=faq)
        faq.save_revision().publish()
    links.faq = faq

    for field, title, slug, text in STANDARD_PAGES:
        page = StandardPage.objects.filter(slug=slug).first()
        if page is None:
            page = StandardPage(title=title, slug=slug, body=[("paragraph", f"<p>{text}</p>")])
            home.add_child(instance=page)
            page.save_revision().publish()
        setattr(links, field, page)
    links.save()
