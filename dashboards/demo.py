"""Demo dashboards (load_demo_data): the public "Patrimonio ERP in Puglia" and the "Bando
affitti" dashboard for the Region and each Comune on its own figures. Idempotent: charts are
found by title, pages by slug."""

from .models import Chart, DashboardAudience, DashboardPage

STOCK_SOURCE = "Anagrafe del patrimonio ERP (PUSH)"
CALLS_SOURCE = "Bandi e riparti (PUSH)"

CHARTS = [
    {
        "title": "Alloggi ERP per stato di occupazione",
        "indicator": "stock_by_status",
        "kind": "donut",
        "caption": "Gli alloggi di edilizia residenziale pubblica censiti in PUSH, per stato di occupazione.",
        "source_note": STOCK_SOURCE,
        "text_alternative": "Grafico ad anello: la grande maggioranza degli alloggi ERP è locata; "
        "una quota minore è sfitta, pronta o da ristrutturare. I valori sono nella tabella che segue.",
    },
    {
        "title": "Alloggi ERP per provincia",
        "indicator": "stock_by_province",
        "kind": "bar",
        "caption": "Gli alloggi per provincia in cui si trova l’edificio.",
        "source_note": STOCK_SOURCE,
        "text_alternative": "Grafico a barre degli alloggi ERP nelle sei province pugliesi; "
        "i valori di ogni provincia sono nella tabella che segue.",
    },
    {
        "title": "Alloggi ERP ogni 1.000 residenti, per Comune",
        "indicator": "stock_per_1000_residents",
        "kind": "map",
        "caption": "Alloggi per 1.000 residenti (popolazione ISTAT al 1° gennaio 2021); i Comuni in grigio non hanno alloggi censiti o hanno valori non pubblicabili.",
        "source_note": f"{STOCK_SOURCE}; popolazione ISTAT 2021",
        "text_alternative": "Mappa della Puglia con i Comuni colorati secondo gli alloggi ERP ogni 1.000 "
        "residenti: più scuro dove sono più numerosi. I valori per Comune sono nella tabella che segue.",
    },
    {
        "title": "Richiedenti e aventi diritto per Comune",
        "indicator": "call_applicants_by_comune",
        "kind": "stacked",
        "caption": "Per ogni Comune, nella domanda inviata: nuclei in elenco e aventi diritto per fascia.",
        "source_note": CALLS_SOURCE,
        "text_alternative": "Grafico a barre sovrapposte dei richiedenti e degli aventi diritto per fascia "
        "in ogni Comune che ha inviato la domanda; i valori sono nella tabella che segue.",
    },
    {
        "title": "Fabbisogno per Comune",
        "indicator": "call_need_by_comune",
        "kind": "map",
        "caption": "Il fabbisogno dichiarato da ogni Comune nella domanda inviata.",
        "source_note": f"{CALLS_SOURCE}; popolazione ISTAT 2021",
        "text_alternative": "Mappa della Puglia con i Comuni colorati secondo il fabbisogno dichiarato; "
        "i valori per Comune sono nella tabella che segue.",
    },
    {
        "title": "Partecipazione dei Comuni ai bandi",
        "indicator": "call_participation",
        "kind": "stacked",
        "caption": "Comuni accreditati, domande inviate nei termini, in ritardo e non inviate, per bando.",
        "source_note": CALLS_SOURCE,
        "text_alternative": "Grafico a barre sovrapposte della partecipazione dei Comuni a ogni bando; "
        "i valori sono nella tabella che segue.",
    },
]

DASHBOARDS = [
    {
        "slug": "patrimonio-erp-in-puglia",
        "title": "Patrimonio ERP in Puglia",
        "audience": DashboardAudience.PUBLIC,
        "intro": "<p>Quanti sono e dove si trovano gli alloggi di edilizia residenziale pubblica della "
        "Puglia, dall’anagrafe del patrimonio che ARCA e Comuni tengono aggiornata in PUSH. "
        "Dati aperti con licenza CC BY 4.0; i valori inferiori a 5 non sono pubblicati.</p>",
        "body": [
            ("kpi", "stock_by_status", "Alloggi ERP censiti"),
            ("chart", "Alloggi ERP per stato di occupazione"),
            ("chart", "Alloggi ERP per provincia"),
            ("chart", "Alloggi ERP ogni 1.000 residenti, per Comune"),
        ],
    },
    {
        "slug": "bando-affitti",
        "title": "Bando affitti",
        "audience": DashboardAudience.ENTITY,
        "intro": "<p>Il fondo per il sostegno alle locazioni: richiedenti e fabbisogno dei Comuni nel bando "
        "e partecipazione. La Regione vede tutti i Comuni; ogni Comune vede i propri dati.</p>",
        "body": [
            ("chart", "Richiedenti e aventi diritto per Comune"),
            ("chart", "Fabbisogno per Comune"),
            ("chart", "Partecipazione dei Comuni ai bandi"),
        ],
    },
]


def _block(item, charts):
    if item[0] == "kpi":
        _kind, indicator, label = item
        return ("kpi", {"indicator": indicator, "label": label, "parameters": {}})
    return ("chart", {"chart": charts[item[1]], "parameters": {}})


def load() -> list[str]:
    from cms.models import HomePage

    charts = {}
    for fields in CHARTS:
        chart = Chart.objects.filter(title=fields["title"]).first()
        if chart is None:
            chart = Chart.objects.create(**fields)
            chart.save_revision()
        charts[chart.title] = chart
    home = HomePage.objects.first()
    if home is None:
        return []
    for spec in DASHBOARDS:
        if DashboardPage.objects.filter(slug=spec["slug"]).exists():
            continue
        page = DashboardPage(
            title=spec["title"],
            slug=spec["slug"],
            audience=spec["audience"],
            intro=spec["intro"],
            body=[_block(item, charts) for item in spec["body"]],
        )
        home.add_child(instance=page)
        page.save_revision().publish()
    return []
