"""Printed documents (reportlab only): the completed proforma, the blank downtime proforma and
the in-utero transfer handover.

Reports render a folded episode plus the chain head handed to them; they never open the
database and never decide anything clinical (decisions come from ``mgso4.core``).
"""

from __future__ import annotations

from mgso4.reports.blank import render_blank
from mgso4.reports.common import ReportInputError
from mgso4.reports.handover import render_handover
from mgso4.reports.output import write_pdf_atomically
from mgso4.reports.proforma import render_proforma

__all__ = [
    "ReportInputError",
    "render_blank",
    "render_handover",
    "render_proforma",
    "write_pdf_atomically",
]
