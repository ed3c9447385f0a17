"""The receipt of a submission, as HTML (shown in the admin) and as PDF (kept and
e-mailed). The PDF is made with fpdf2, pure Python, with the DejaVu font that matplotlib
already installs, so that accents and the euro sign print without system libraries."""

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


def receipt_lines(submission) -> list[tuple[str, str]]:
    call = submission.call
    lines = [
        (_("Protocol number"), submission.protocol_number or ""),
        (
            _("Sent at"),
            timezone.localtime(submission.submitted_at).strftime("%d/%m/%Y %H:%M:%S")
            if submission.submitted_at
            else "",
        ),
        (_("Call"), f"{call.title} ({call.legal_act})"),
        (_("Comune"), f"{submission.comune} ({submission.comune.code})"),
        (_("State"), submission.get_state_display()),
        (_("Applicants"), str(submission.applicant_count)),
        (_("Eligible"), str(submission.eligible_count)),
    ]
    if call.call_type == "rent_support":
        lines += [
            (_("Band A: eligible and need"), f"{submission.eligible_a} · {euro(submission.need_a)}"),
            (_("Band B: eligible and need"), f"{submission.eligible_b} · {euro(submission.need_b)}"),
        ]
        if call.covid_band:
            lines.append(
                (_("COVID band: eligible and need"), f"{submission.eligible_covid} · {euro(submission.need_covid)}")
            )
    lines += [
        (_("Need (fabbisogno)"), euro(submission.need)),
        (_("Co-financing"), euro(submission.co_financing)),
        (_("SHA-256 of the list"), submission.applicants_file_sha256),
    ]
    return lines


def receipt_pdf(submission) -> bytes:
    with translation.override("it"):
        pdf = FPDF(format="A4")
        pdf.set_title(f"Ricevuta {submission.protocol_number}")
        pdf.set_author("Regione Puglia – PUSH")
        pdf.add_font("DejaVu", "", str(FONT))
        pdf.add_font("DejaVu", "B", str(FONT_BOLD))
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(0, 8, _("Regione Puglia – Sezione Politiche Abitative"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(
            0,
            8,
            _("Receipt of submission %(protocol)s") % {"protocol": submission.protocol_number},
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(2)
        pdf.set_font("DejaVu", "", 10)
        for label, value in receipt_lines(submission):
            pdf.set_font("DejaVu", "B", 10)
            pdf.cell(70, 6, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
            pdf.set_font("DejaVu", "", 10)
            pdf.multi_cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        attachments = list(submission.attachments.order_by("name"))
        if attachments:
            pdf.ln(3)
            pdf.set_font("DejaVu", "B", 10)
            pdf.multi_cell(0, 6, _("Attachments (SHA-256)"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_font("DejaVu", "", 8)
            for attachment in attachments:
                pdf.multi_cell(0, 5, f"{attachment.name}: {attachment.sha256}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return bytes(pdf.output())


def receipt_html(submission) -> str:
    return render_to_string("calls/receipt.html", {"submission": submission, "lines": receipt_lines(submission)})


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
