"""Printed documents (reportlab only): the completed proforma, the blank downtime proforma,
the in-utero transfer handover and the neonatal data slip.

Reports render a folded episode plus the chain head handed to them; they never open the
database and never decide anything clinical (decisions come from ``mgso4.core``).

The renderers are imported on first use: screens that only need ``reports.describe`` (labels
for the timeline) must not pay for loading reportlab at start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mgso4.reports.blank import render_blank
    from mgso4.reports.common import ReportInputError
    from mgso4.reports.handover import render_handover
    from mgso4.reports.output import write_pdf_atomically
    from mgso4.reports.proforma import render_proforma
    from mgso4.reports.slip import render_neonatal_slip

_EXPORTS = {
    "render_blank": "mgso4.reports.blank",
    "ReportInputError": "mgso4.reports.common",
    "render_handover": "mgso4.reports.handover",
    "write_pdf_atomically": "mgso4.reports.output",
    "render_proforma": "mgso4.reports.proforma",
    "render_neonatal_slip": "mgso4.reports.slip",
}

__all__ = [
    "ReportInputError",
    "render_blank",
    "render_handover",
    "render_neonatal_slip",
    "render_proforma",
    "write_pdf_atomically",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
