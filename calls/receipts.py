"""The receipt of a submission, as HTML (shown in the admin) and as PDF (kept and
e-mailed). The PDF is made with fpdf2, pure Python, with the DejaVu font that matplotlib
already installs, so that accents and the euro sign print without system libraries."""

from decimal import Decimal
from pathlib import Path

import matplotlib
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
FONT_BOLD = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"


def euro(amount) -> str:
    whole, _sep, decimals = f"{amount:.2f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{'.'.join(groups)},{decimals} €"


def receipt_content(submission, state: str) -> dict:
    """What a receipt states about the submission as sent, frozen in its protocol entry
    when the entry is registered (the receipt is rendered later, from this alone, so it says
    what was sent even if the submission has changed since). Amounts as strings, exact."""
    call = submission.call
    return {
        "call": f"{call.title} ({call.legal_act})",
        "call_type": call.call_type,
        "covid_band": call.covid_band,
        "comune": f"{submission.comune} ({submission.comune.code})",
        "state": state,
        "applicant_count": submission.applicant_count,
        "eligible_count": submission.eligible_count,
        "eligible_a": submission.eligible_a,
        "eligible_b": submission.eligible_b,
        "eligible_covid": submission.eligible_covid,
        "need_a": str(submission.need_a),
        "need_b": str(submission.need_b),
        "need_covid": str(submission.need_covid),
        "need": str(submission.need),
        "co_financing": str(submission.co_financing),
        "list_sha256": submission.applicants_file_sha256,
        "attachments": [[a.name, a.sha256] for a in submission.attachments.order_by("name")],
    }


def receipt_lines(entry) -> list[tuple[str, str]]:
    from .models import SubmissionState

    content = entry.content
    lines = [
        (_("Protocol number"), entry.number),
        (_("Sent at"), timezone.localtime(entry.registered_at).strftime("%d/%m/%Y %H:%M:%S")),
        (_("Kind"), entry.get_kind_display()),
        (_("Call"), content.get("call", "")),
        (_("Comune"), content.get("comune", "")),
        (_("State"), str(SubmissionState(content["state"]).label) if content.get("state") else ""),
        (_("Applicants"), str(content.get("applicant_count", ""))),
        (_("Eligible"), str(content.get("eligible_count", ""))),
    ]
    if content.get("call_type") == "rent_support":
        lines += [
            (_("Band A: eligible and need"), f"{content['eligible_a']} · {euro(Decimal(content['need_a']))}"),
            (_("Band B: eligible and need"), f"{content['eligible_b']} · {euro(Decimal(content['need_b']))}"),
        ]
        if content.get("covid_band"):
            lines.append(
                (
                    _("COVID band: eligible and need"),
                    f"{content['eligible_covid']} · {euro(Decimal(content['need_covid']))}",
                )
            )
    if "need" in content:
        lines += [
            (_("Need (fabbisogno)"), euro(Decimal(content["need"]))),
            (_("Co-financing"), euro(Decimal(content["co_financing"]))),
            (_("SHA-256 of the list"), content.get("list_sha256", "")),
        ]
    return lines


def receipt_pdf(entry) -> bytes:
    """The receipt of a protocol entry, from its frozen content (see receipt_content)."""
    with translation.override("it"):
        pdf = FPDF(format="A4")
        pdf.set_title(f"Ricevuta {entry.number}")
        pdf.set_author("Regione Puglia – PUSH")
        # A fixed creation date: the same entry renders to the same bytes.
        pdf.set_creation_date(entry.registered_at)
        pdf.add_font("DejaVu", "", str(FONT))
        pdf.add_font("DejaVu", "B", str(FONT_BOLD))
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(0, 8, _("Regione Puglia – Sezione Politiche Abitative"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(
            0,
            8,
            _("Receipt of submission %(protocol)s") % {"protocol": entry.number},
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(2)
        pdf.set_font("DejaVu", "", 10)
        for label, value in receipt_lines(entry):
            pdf.set_font("DejaVu", "B", 10)
            pdf.cell(70, 6, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
            pdf.set_font("DejaVu", "", 10)
            pdf.multi_cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        attachments = entry.content.get("attachments") or []
        if attachments:
            pdf.ln(3)
            pdf.set_font("DejaVu", "B", 10)
            pdf.multi_cell(0, 6, _("Attachments (SHA-256)"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_font("DejaVu", "", 8)
            for name, sha256 in attachments:
                pdf.multi_cell(0, 5, f"{name}: {sha256}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return bytes(pdf.output())


def receipt_html(entry) -> str:
    return render_to_string(
        "calls/receipt.html",
        {"entry": entry, "lines": receipt_lines(entry), "attachments": entry.content.get("attachments") or []},
    )


def riparto_pdf(call) -> bytes:
    """The riparto table as a PDF, for the act that publishes it."""
    with translation.override("it"):
        pdf = FPDF(format="A4", orientation="landscape")
        pdf.set_title(f"Riparto {call}")
        pdf.add_font("DejaVu", "", str(FONT))
        pdf.add_font("DejaVu", "B", str(FONT_BOLD))
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(
            0,
            7,
            _("Riparto – %(call)s (%(act)s)") % {"call": call.title, "act": call.legal_act},
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_font("DejaVu", "", 9)
        widths = (80, 25, 35, 35, 20, 35, 35, 35)
        headers = (
            _("Comune"),
            _("ISTAT code"),
            _("Need"),
            _("Co-financing"),
            _("Premium"),
            _("Base share"),
            _("Premium share"),
            _("Total"),
        )
        pdf.set_font("DejaVu", "B", 8)
        for width, header in zip(widths, headers):
            pdf.cell(width, 6, str(header), border=1)
        pdf.ln()
        pdf.set_font("DejaVu", "", 8)
        for row in call.allocations.select_related("comune").order_by("comune__name"):
            cells = (
                row.comune.name,
                row.comune.code,
                euro(row.need),
                euro(row.co_financing),
                _("yes") if row.premium_eligible else _("no"),
                euro(row.base),
                euro(row.premium),
                euro(row.total),
            )
            for width, cell in zip(widths, cells):
                pdf.cell(width, 5, str(cell), border=1)
            pdf.ln()
        pdf.ln(3)
        pdf.multi_cell(
            0,
            6,
            _("Fund: %(fund)s – unallocated: %(residual)s")
            % {"fund": euro(call.fund_total), "residual": euro(call.riparto_residual or 0)},
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        return bytes(pdf.output())
